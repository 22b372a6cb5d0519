import { WinnowError } from "./errors";

/** The parts of a Prisma 7 known-request error that name a database problem, read without importing Prisma. */
interface PrismaRequestError {
  name: "PrismaClientKnownRequestError";
  code: string;
  meta?: { driverAdapterError?: { cause?: { originalMessage?: string; host?: string; port?: number; db?: string; table?: string } } };
}

function isPrismaRequestError(value: unknown): value is PrismaRequestError {
  return value instanceof Error && value.name === "PrismaClientKnownRequestError" && typeof (value as { code?: unknown }).code === "string";
}

/**
 * Returns an "unavailable" WinnowError whose message names the fix when `error` is a Prisma error
 * for a database the dashboard cannot use: unreachable, missing, access denied, or without the
 * tables of the current migrations. Returns undefined for any other value.
 * The codes are Prisma's (https://www.prisma.io/docs/orm/v7/reference/error-reference).
 */
export function describeDatabaseError(error: unknown): WinnowError | undefined {
  if (!isPrismaRequestError(error)) return undefined;
  const cause = error.meta?.driverAdapterError?.cause ?? {};
  const options = { cause: error };
  switch (error.code) {
    case "P1001": {
      const address = cause.host ? ` at ${cause.host}:${cause.port}` : "";
      return new WinnowError("unavailable", `cannot reach Postgres${address}; check that Postgres is running and that DATABASE_URL points at it`, options);
    }
    case "P1003": {
      const database = cause.db ? `database ${cause.db}` : "the database of DATABASE_URL";
      return new WinnowError("unavailable", `${database} does not exist; run npm run migrate, which creates it`, options);
    }
    case "P1000":
    case "P1010":
      return new WinnowError("unavailable", `Postgres denied access (${cause.originalMessage ?? error.code}); check the user and password in DATABASE_URL`, options);
    case "P2021":
    case "P2022":
      return new WinnowError(
        "unavailable",
        `the database schema is missing or out of date (${cause.originalMessage ?? error.code}); run npm run migrate`,
        options,
      );
    default:
      return undefined;
  }
}

import { afterAll, afterEach, describe, expect, it } from "vitest";
import { GET as listRuns } from "../../app/api/runs/route";
import type { ErrorBody } from "../../app/api/_lib/http";
import { closeDatabase } from "../../lib/db";
import { resetEnv } from "../../lib/env";

const POSTGRES_SERVER = process.env.WINNOW_TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const savedDatabaseUrl = process.env.DATABASE_URL;

async function listRunsWith(databaseUrl: string): Promise<{ status: number; error: ErrorBody["error"] }> {
  process.env.DATABASE_URL = databaseUrl;
  resetEnv();
  await closeDatabase();
  const response = await listRuns();
  return { status: response.status, error: ((await response.json()) as ErrorBody).error };
}

afterEach(async () => {
  await closeDatabase();
});

afterAll(() => {
  if (savedDatabaseUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedDatabaseUrl;
  resetEnv();
});

describe("GET /api/runs without a usable database", () => {
  describe("when Postgres does not answer", () => {
    it("returns 503 naming the address", async () => {
      const { status, error } = await listRunsWith("postgresql://postgres@127.0.0.1:1/winnow");

      expect(status).toBe(503);
      expect(error.code).toBe("unavailable");
      expect(error.message).toBe("cannot reach Postgres at 127.0.0.1:1; check that Postgres is running and that DATABASE_URL points at it");
    });
  });

  describe("when the database does not exist", () => {
    it("returns 503 naming npm run migrate", async () => {
      const missing = Object.assign(new URL(POSTGRES_SERVER), { pathname: "/winnow_test_never_created" }).toString();
      const { status, error } = await listRunsWith(missing);

      expect(status).toBe(503);
      expect(error.message).toBe("database winnow_test_never_created does not exist; run npm run migrate, which creates it");
    });
  });
});

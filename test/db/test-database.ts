import { randomBytes } from "node:crypto";
import pg from "pg";
import { env } from "../../lib/env";

/**
 * Throwaway databases on the Postgres server that DATABASE_URL points to. Each test file makes
 * its own, named `winnow_test_<purpose>_<random hex>`, so files can run in parallel, and drops
 * it in afterAll.
 */

const PURPOSE = /^[a-z0-9_]+$/;

/** Timeout for tests and hooks that create a database and apply every migration. */
export const DATABASE_SETUP_TIMEOUT_MS = 60_000;

export function uniqueDatabaseName(purpose: string): string {
  if (!PURPOSE.test(purpose)) throw new Error(`purpose must match ${PURPOSE}, got ${JSON.stringify(purpose)}`);
  return `winnow_test_${purpose}_${randomBytes(4).toString("hex")}`;
}

/** DATABASE_URL with its database name replaced by `name`. */
export function databaseUrl(name: string): string {
  const url = new URL(env().DATABASE_URL);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

export async function createDatabase(name: string): Promise<void> {
  await withMaintenanceClient((client) => client.query(`CREATE DATABASE ${quoteIdentifier(name)}`));
}

/** Drops the database if it exists, ending any connection still open to it. */
export async function dropDatabase(name: string): Promise<void> {
  await withMaintenanceClient((client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`));
}

export async function databaseExists(name: string): Promise<boolean> {
  const result = await withMaintenanceClient((client) =>
    client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]),
  );
  return result.rowCount === 1;
}

/** Opens a client on database `name`. The caller must end it. */
export async function connect(name: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl(name) });
  await client.connect();
  return client;
}

async function withMaintenanceClient<T>(action: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect("postgres");
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

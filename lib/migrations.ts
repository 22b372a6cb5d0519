import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

/**
 * Applies the SQL migrations under prisma/migrations in Prisma's layout and records them in
 * `_prisma_migrations` the way `prisma migrate deploy` does (sha256 checksum of migration.sql,
 * finished_at, applied_steps_count), so the Prisma CLI on a connected machine agrees with it.
 * Each migration runs in one transaction, so a failing one leaves no partial schema behind.
 */

/** Postgres advisory lock key that Prisma Migrate uses; holding it keeps two runners apart. */
export const MIGRATION_LOCK_KEY = 72707369;

export const DEFAULT_MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../prisma/migrations");

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface ApplyMigrationsOptions {
  databaseUrl: string;
  migrationsDir?: string;
}

/**
 * Reads the migration folders in name order (their names start with a timestamp). The checksum
 * is taken over the file's bytes, as Prisma takes it, so a file that is not valid UTF-8 still
 * gets the checksum Prisma records.
 */
export async function readMigrations(migrationsDir = DEFAULT_MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(path.join(migrationsDir, name, "migration.sql"));
      return { name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
    }),
  );
}

/** Creates the database named in `databaseUrl` when the server does not have it yet. */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!name) throw new Error(`DATABASE_URL names no database: ${url.origin}`);
  url.pathname = "/postgres";
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`).catch((error: unknown) => {
        if (!isDuplicateDatabaseError(error)) throw error;
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * Returns true when CREATE DATABASE failed because another process created the database between
 * the existence check and the CREATE. Postgres reports that as 42P04 (duplicate_database) or, when
 * both CREATEs run at the same moment, as 23505 on the pg_database name index.
 */
function isDuplicateDatabaseError(error: unknown): boolean {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === "42P04" || (code === "23505" && constraint === "pg_database_datname_index");
}

const CREATE_HISTORY_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"            VARCHAR(64) NOT NULL,
    "finished_at"         TIMESTAMPTZ,
    "migration_name"      VARCHAR(255) NOT NULL,
    "logs"                TEXT,
    "rolled_back_at"      TIMESTAMPTZ,
    "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** Applies every migration not yet recorded; returns the names applied now. */
export async function applyMigrations(options: ApplyMigrationsOptions): Promise<string[]> {
  await ensureDatabase(options.databaseUrl);
  const migrations = await readMigrations(options.migrationsDir);
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query(CREATE_HISTORY_TABLE);
    const history = await client.query<HistoryRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    // Check every migration against the history before applying any, so an edited or failed
    // migration stops the run even when a pending one sorts before it.
    const pending = migrations.filter((migration) => !isApplied(migration, history.rows));
    for (const migration of pending) await applyOne(client, migration);
    return pending.map((migration) => migration.name);
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

function isApplied(migration: MigrationFile, history: HistoryRow[]): boolean {
  const rows = history.filter((row) => row.migration_name === migration.name && row.rolled_back_at === null);
  const failed = rows.find((row) => row.finished_at === null);
  if (failed) {
    throw new Error(
      `migration ${migration.name} started but did not finish; fix the database by hand, then mark it rolled back`,
    );
  }
  const done = rows.find((row) => row.finished_at !== null);
  if (done && done.checksum !== migration.checksum) {
    throw new Error(
      `migration ${migration.name} was changed after it was applied (checksum ${done.checksum} in the database, ${migration.checksum} on disk); add a new migration instead of editing an applied one`,
    );
  }
  return done !== undefined;
}

async function applyOne(client: pg.Client, migration: MigrationFile): Promise<void> {
  await client.query("BEGIN");
  try {
    const id = randomUUID();
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`,
      [id, migration.checksum, migration.name],
    );
    await client.query(migration.sql);
    await client.query(
      `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`,
      [id],
    );
    await client.query("COMMIT");
  } catch (error) {
    // A failed ROLLBACK (for example on a broken connection) must not hide the migration's error;
    // Postgres rolls back the open transaction when the connection closes.
    await client.query("ROLLBACK").catch(() => undefined);
    throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
  }
}

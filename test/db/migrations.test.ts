import { createHash } from "node:crypto";
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type pg from "pg";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyMigrations, DEFAULT_MIGRATIONS_DIR, MIGRATION_LOCK_KEY } from "../../lib/migrations";
import {
  connect,
  createDatabase,
  DATABASE_SETUP_TIMEOUT_MS,
  databaseExists,
  databaseUrl,
  dropDatabase,
  uniqueDatabaseName,
} from "./test-database";

/** How long the lock test waits for both runners to queue on the advisory lock. */
const LOCK_WAIT_TIMEOUT_MS = 10_000;
const LOCK_POLL_INTERVAL_MS = 20;

interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
}

const createdDatabases: string[] = [];
const openClients: pg.Client[] = [];
const temporaryDirs: string[] = [];

/** Returns a unique database name that afterEach drops. The test or the runner creates the database. */
function newDatabaseName(): string {
  const name = uniqueDatabaseName("migrations");
  createdDatabases.push(name);
  return name;
}

async function openClient(name: string): Promise<pg.Client> {
  const client = await connect(name);
  openClients.push(client);
  return client;
}

/** Copies prisma/migrations into a fresh folder under the OS temp dir, which afterEach removes. */
async function copyMigrations(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "winnow-migrations-"));
  temporaryDirs.push(dir);
  await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

async function addMigration(dir: string, name: string, sql: string): Promise<void> {
  await mkdir(path.join(dir, name));
  await writeFile(path.join(dir, name, "migration.sql"), sql);
}

async function migrationNames(dir = DEFAULT_MIGRATIONS_DIR): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
}

async function fileChecksum(dir: string, name: string): Promise<string> {
  const bytes = await readFile(path.join(dir, name, "migration.sql"));
  return createHash("sha256").update(bytes).digest("hex");
}

async function readHistory(client: pg.Client): Promise<HistoryRow[]> {
  const result = await client.query<HistoryRow>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count
     FROM "_prisma_migrations" ORDER BY migration_name, started_at`,
  );
  return result.rows;
}

async function tableExists(client: pg.Client, table: string): Promise<boolean> {
  const result = await client.query("SELECT to_regclass($1) IS NOT NULL AS exists", [`"${table}"`]);
  return result.rows[0].exists as boolean;
}

/** Polls pg_locks until `count` sessions wait for the migration lock in database `name`. */
async function waitForLockWaiters(client: pg.Client, name: string, count: number): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_TIMEOUT_MS;
  for (;;) {
    const result = await client.query<{ waiting: number }>(
      `SELECT count(*)::int AS waiting
       FROM pg_locks l JOIN pg_database d ON d.oid = l.database
       WHERE l.locktype = 'advisory' AND NOT l.granted AND l.objid = $1 AND d.datname = $2`,
      [MIGRATION_LOCK_KEY, name],
    );
    if (result.rows[0].waiting >= count) return;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${LOCK_WAIT_TIMEOUT_MS} ms waiting for ${count} runners on the lock`);
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_INTERVAL_MS));
  }
}

/** Returns the values of settled promises, failing with every rejection reason if any was rejected. */
function fulfilledValues<T>(results: PromiseSettledResult<T>[]): T[] {
  const reasons = results.flatMap((result) => (result.status === "rejected" ? [String(result.reason)] : []));
  expect(reasons).toEqual([]);
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}

afterEach(async () => {
  for (const client of openClients.splice(0)) await client.end();
  for (const name of createdDatabases.splice(0)) await dropDatabase(name);
  for (const dir of temporaryDirs.splice(0)) await rm(dir, { recursive: true, force: true });
}, DATABASE_SETUP_TIMEOUT_MS);

afterAll(async () => {
  // Nothing should be left, but a failed afterEach must not leave databases behind.
  for (const name of createdDatabases.splice(0)) await dropDatabase(name);
});

describe("applyMigrations", { timeout: DATABASE_SETUP_TIMEOUT_MS }, () => {
  describe("when the database is fresh", () => {
    it("creates the database and applies every folder", async () => {
      const name = newDatabaseName();
      const applied = await applyMigrations({ databaseUrl: databaseUrl(name) });

      expect(await databaseExists(name)).toBe(true);
      expect(applied).toEqual(await migrationNames());
    });

    it("records one finished history row per folder", async () => {
      const name = newDatabaseName();
      await applyMigrations({ databaseUrl: databaseUrl(name) });
      const history = await readHistory(await openClient(name));

      const names = await migrationNames();
      expect(history.map((row) => row.migration_name)).toEqual(names);
      for (const [index, row] of history.entries()) {
        expect(row.checksum).toBe(await fileChecksum(DEFAULT_MIGRATIONS_DIR, names[index]));
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.rolled_back_at).toBeNull();
        expect(row.applied_steps_count).toBe(1);
      }
    });
  });

  describe("when everything is applied", () => {
    it("applies nothing on a second run", async () => {
      const name = newDatabaseName();
      await applyMigrations({ databaseUrl: databaseUrl(name) });

      expect(await applyMigrations({ databaseUrl: databaseUrl(name) })).toEqual([]);
      expect(await readHistory(await openClient(name))).toHaveLength((await migrationNames()).length);
    });

    it("applies only a migration added later", async () => {
      const name = newDatabaseName();
      const dir = await copyMigrations();
      await applyMigrations({ databaseUrl: databaseUrl(name), migrationsDir: dir });
      await addMigration(dir, "20991231000000_add_sweep_note", `ALTER TABLE "Sweep" ADD COLUMN "note" TEXT;\n`);

      const applied = await applyMigrations({ databaseUrl: databaseUrl(name), migrationsDir: dir });

      expect(applied).toEqual(["20991231000000_add_sweep_note"]);
      const client = await openClient(name);
      const columns = await client.query(
        `SELECT 1 FROM information_schema.columns WHERE table_name = 'Sweep' AND column_name = 'note'`,
      );
      expect(columns.rowCount).toBe(1);
    });
  });

  describe("when an applied migration was edited", () => {
    it("rejects the run and names the migration", async () => {
      const name = newDatabaseName();
      const dir = await copyMigrations();
      await applyMigrations({ databaseUrl: databaseUrl(name), migrationsDir: dir });
      const [first] = await migrationNames(dir);
      await appendFile(path.join(dir, first, "migration.sql"), "\n-- edited after it was applied\n");

      await expect(applyMigrations({ databaseUrl: databaseUrl(name), migrationsDir: dir })).rejects.toThrow(
        `migration ${first} was changed after it was applied`,
      );
    });

    it("applies no other migration first", async () => {
      const name = newDatabaseName();
      const dir = await copyMigrations();
      await addMigration(dir, "20991231000000_add_sweep_note", `ALTER TABLE "Sweep" ADD COLUMN "note" TEXT;\n`);
      await applyMigrations({ databaseUrl: databaseUrl(name), migrationsDir: dir });

      // A pending migration that sorts before the edited one, as after merging two branches.
      await addMigration(dir, "20991230000000_add_run_note", `ALTER TABLE "Run" ADD COLUMN "note" TEXT;\n`);
      await appendFile(path.join(dir, "20991231000000_add_sweep_note", "migration.sql"), "-- edited\n");

      await expect(applyMigrations({ databaseUrl: databaseUrl(name), migrationsDir: dir })).rejects.toThrow(
        "migration 20991231000000_add_sweep_note was changed after it was applied",
      );
      const history = await readHistory(await openClient(name));
      expect(history.map((row) => row.migration_name)).not.toContain("20991230000000_add_run_note");
    });
  });

  describe("when the history holds an unfinished migration", () => {
    it("rejects the run and names the migration", async () => {
      const name = newDatabaseName();
      await applyMigrations({ databaseUrl: databaseUrl(name) });
      const client = await openClient(name);
      const [first] = await migrationNames();
      // What `prisma migrate deploy` leaves behind when a migration fails part-way.
      await client.query(`UPDATE "_prisma_migrations" SET finished_at = NULL WHERE migration_name = $1`, [first]);

      await expect(applyMigrations({ databaseUrl: databaseUrl(name) })).rejects.toThrow(
        `migration ${first} started but did not finish`,
      );
    });
  });

  describe("when a migration fails", () => {
    const BROKEN = "20991231000000_broken";

    it("rejects with the migration name and the SQL error", async () => {
      const name = newDatabaseName();
      const dir = await copyMigrations();
      await addMigration(dir, BROKEN, `CREATE TABLE "Broken" ("id" INTEGER);\nSELECT * FROM "NoSuchTable";\n`);

      await expect(applyMigrations({ databaseUrl: databaseUrl(name), migrationsDir: dir })).rejects.toThrow(
        `migration ${BROKEN} failed: relation "NoSuchTable" does not exist`,
      );
    });

    it("leaves neither its table nor a history row behind", async () => {
      const name = newDatabaseName();
      const dir = await copyMigrations();
      await addMigration(dir, BROKEN, `CREATE TABLE "Broken" ("id" INTEGER);\nSELECT * FROM "NoSuchTable";\n`);
      await applyMigrations({ databaseUrl: databaseUrl(name), migrationsDir: dir }).catch(() => undefined);

      const client = await openClient(name);
      expect(await tableExists(client, "Broken")).toBe(false);
      const history = await readHistory(client);
      expect(history.map((row) => row.migration_name)).toEqual(await migrationNames());
      expect(history.every((row) => row.finished_at !== null)).toBe(true);
    });

    it("applies the migration once it is fixed", async () => {
      const name = newDatabaseName();
      const dir = await copyMigrations();
      await addMigration(dir, BROKEN, `CREATE TABLE "Broken" ("id" INTEGER);\nSELECT * FROM "NoSuchTable";\n`);
      await applyMigrations({ databaseUrl: databaseUrl(name), migrationsDir: dir }).catch(() => undefined);
      await writeFile(path.join(dir, BROKEN, "migration.sql"), `CREATE TABLE "Broken" ("id" INTEGER);\n`);

      expect(await applyMigrations({ databaseUrl: databaseUrl(name), migrationsDir: dir })).toEqual([BROKEN]);
      expect(await tableExists(await openClient(name), "Broken")).toBe(true);
    });
  });

  describe("when two runners start together", () => {
    it("applies once while both wait on the advisory lock", async () => {
      const name = newDatabaseName();
      await createDatabase(name);
      const lockHolder = await openClient(name);
      await lockHolder.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);

      const runs = Promise.allSettled([1, 2].map(() => applyMigrations({ databaseUrl: databaseUrl(name) })));
      try {
        await waitForLockWaiters(lockHolder, name, 2);
      } finally {
        await lockHolder.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
      }
      const results = fulfilledValues(await runs);

      const names = await migrationNames();
      expect(results.map((applied) => applied.length).sort((a, b) => a - b)).toEqual([0, names.length]);
      expect((await readHistory(lockHolder)).map((row) => row.migration_name)).toEqual(names);
    });

    it("both succeed when the database does not exist yet", async () => {
      const name = newDatabaseName();

      const runs = [1, 2].map(() => applyMigrations({ databaseUrl: databaseUrl(name) }));
      const results = fulfilledValues(await Promise.allSettled(runs));

      const names = await migrationNames();
      expect(results.map((applied) => applied.length).sort((a, b) => a - b)).toEqual([0, names.length]);
      expect((await readHistory(await openClient(name))).map((row) => row.migration_name)).toEqual(names);
    });
  });
});

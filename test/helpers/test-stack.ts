import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { closeDatabase } from "../../lib/db";
import { resetEnv } from "../../lib/env";
import { applyMigrations } from "../../lib/migrations";
import { closeQueues, runQueue } from "../../lib/queue";

const POSTGRES_SERVER = process.env.WINNOW_TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestStack {
  databaseUrl: string;
  queueName: string;
  /** A temporary WINNOW_DATA_DIR, with the checkpoints and tokenizer cache of this stack's runs. */
  dataDir: string;
  /** Drops the database, the queue and the data folder, and closes this process's connections. */
  teardown(): Promise<void>;
}

/**
 * Gives a test file its own migrated database, BullMQ queue name and data folder, and points
 * DATABASE_URL, WINNOW_QUEUE, WINNOW_DATA_DIR and WINNOW_CHECKPOINT_DIR at them for this process
 * and the children it starts.
 */
export async function createTestStack(label: string): Promise<TestStack> {
  const suffix = `${label}_${randomBytes(4).toString("hex")}`;
  const url = new URL(POSTGRES_SERVER);
  url.pathname = `/winnow_test_${suffix}`;
  const databaseUrl = url.toString();
  const queueName = `test-${suffix}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `winnow-test-${label}-`));
  process.env.DATABASE_URL = databaseUrl;
  process.env.WINNOW_QUEUE = queueName;
  process.env.WINNOW_DATA_DIR = dataDir;
  process.env.WINNOW_CHECKPOINT_DIR = path.join(dataDir, "checkpoints");
  process.env.LOG_LEVEL ??= "warn";
  resetEnv();
  await applyMigrations({ databaseUrl });
  return {
    databaseUrl,
    queueName,
    dataDir,
    teardown: async () => {
      await runQueue(queueName).obliterate({ force: true }).catch(() => undefined);
      await closeQueues();
      await closeDatabase();
      await dropDatabase(databaseUrl);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** How long teardown waits for closed pools and stopped workers to leave the database. */
const DISCONNECT_WAIT_MS = 3000;

async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const client = new pg.Client({ connectionString: POSTGRES_SERVER });
  await client.connect();
  try {
    // pool.end() can resolve before the server has closed the session, and FORCE would then
    // terminate it under a client that no longer listens for errors, which crashes the test run.
    const deadline = Date.now() + DISCONNECT_WAIT_MS;
    while (Date.now() < deadline) {
      const { rows } = await client.query<{ count: string }>("SELECT count(*) FROM pg_stat_activity WHERE datname = $1", [name]);
      if (Number(rows[0].count) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

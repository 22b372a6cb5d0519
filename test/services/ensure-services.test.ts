import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetEnv } from "../../lib/env";
import { applyMigrations } from "../../lib/migrations";
import {
  embeddedPostgresBinDir,
  ensureServices,
  type EnsureServicesOptions,
  postgresUserReachesBinaries,
  type Services,
} from "../../scripts/lib/services";

const REAL_POSTGRES_URL = process.env.WINNOW_TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REAL_REDIS_URL = process.env.WINNOW_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const runningAsRoot = process.getuid?.() === 0;
/** False where the clone sits under a folder the user postgres may not enter. */
const binariesReachable = !runningAsRoot || postgresUserReachesBinaries();
const savedEnv = { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL, PATH: process.env.PATH };
const logLines: string[] = [];
const log = (line: string) => void logLines.push(line);

/** Returns a port nothing listens on right now: the kernel picks it, and the listener closes. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function postgresAnswers(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000 });
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
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

function withDatabase(databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function setEnv(values: { DATABASE_URL?: string; REDIS_URL?: string }) {
  for (const name of ["DATABASE_URL", "REDIS_URL"] as const) {
    if (values[name] === undefined) delete process.env[name];
    else process.env[name] = values[name];
  }
  resetEnv();
}

/** Default URLs at ports nothing listens on, and a data dir the postgres user can enter. */
async function closedDefaults(dataDir: string): Promise<Required<EnsureServicesOptions>> {
  return {
    defaultDatabaseUrl: `postgresql://postgres@127.0.0.1:${await freePort()}/winnow`,
    defaultRedisUrl: `redis://127.0.0.1:${await freePort()}`,
    dataDir,
    embeddedPostgresPort: await freePort(),
  };
}

let tempDir: string;
let dataDir: string;

beforeAll(() => {
  setEnv({});
  tempDir = mkdtempSync(path.join(os.tmpdir(), "winnow-services-"));
  // mkdtemp makes the folder 0700; as root the embedded Postgres runs as the user postgres,
  // which must be able to enter it.
  chmodSync(tempDir, 0o755);
  dataDir = path.join(tempDir, "data");
});

beforeEach(() => {
  logLines.length = 0;
});

afterEach(() => {
  process.env.PATH = savedEnv.PATH;
});

afterAll(() => {
  setEnv(savedEnv);
  rmSync(tempDir, { recursive: true, force: true });
});

describe("ensureServices", () => {
  describe.runIf(binariesReachable)("when nothing responds at the default URLs", () => {
    let options: Required<EnsureServicesOptions>;
    let services: Services | undefined;

    beforeAll(async () => {
      options = await closedDefaults(dataDir);
      setEnv({});
      services = await ensureServices(log, options);
    }, 60_000);

    afterAll(async () => {
      await services?.stop();
    });

    it("starts embedded Postgres that responds", async () => {
      expect(services?.databaseUrl).toBe(`postgresql://postgres:winnow@127.0.0.1:${options.embeddedPostgresPort}/winnow`);
      const client = new pg.Client({ connectionString: withDatabase(services!.databaseUrl, "postgres") });
      await client.connect();
      try {
        const { rows } = await client.query<{ port: string }>("SELECT current_setting('port') AS port");
        expect(Number(rows[0].port)).toBe(options.embeddedPostgresPort);
      } finally {
        await client.end();
      }
    });

    it("accepts the migrations", async () => {
      const applied = await applyMigrations({ databaseUrl: services!.databaseUrl });

      expect(applied.length).toBeGreaterThan(0);
      expect(await postgresAnswers(services!.databaseUrl)).toBe(true);
    });

    it.runIf(runningAsRoot)("keeps the data dir owned by the postgres user", () => {
      const postgresUid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout);
      expect(statSync(path.join(dataDir, "postgres")).uid).toBe(postgresUid);
      expect(statSync(path.join(dataDir, "postgres", "PG_VERSION")).uid).toBe(postgresUid);
    });

    it("starts redis-server on the default Redis port", async () => {
      expect(services?.redisUrl).toBe(options.defaultRedisUrl);
      expect(await redisAnswers(options.defaultRedisUrl)).toBe(true);
    });

    it("points DATABASE_URL and REDIS_URL at the servers it started", () => {
      expect(process.env.DATABASE_URL).toBe(services?.databaseUrl);
      expect(process.env.REDIS_URL).toBe(services?.redisUrl);
    });

    it("reuses running servers on a second call", async () => {
      setEnv({});
      const second = await ensureServices(log, options);

      expect(second.databaseUrl).toBe(services?.databaseUrl);
      expect(second.redisUrl).toBe(services?.redisUrl);
      expect(logLines).toContain(`using the embedded Postgres already running on 127.0.0.1:${options.embeddedPostgresPort}`);
      await second.stop();
      expect(await postgresAnswers(withDatabase(services!.databaseUrl, "postgres"))).toBe(true);
      expect(await redisAnswers(services!.redisUrl)).toBe(true);
    });

    it("stop() stops both, restoring variables", async () => {
      const stopped = services!;
      services = undefined;
      await stopped.stop();

      expect(await postgresAnswers(withDatabase(stopped.databaseUrl, "postgres"))).toBe(false);
      expect(await redisAnswers(stopped.redisUrl)).toBe(false);
      expect(process.env.DATABASE_URL).toBeUndefined();
      expect(process.env.REDIS_URL).toBeUndefined();
    });
  });

  describe.runIf(binariesReachable)("when the embedded Postgres data dir exists already", () => {
    it("restarts it, keeping the tables", async () => {
      setEnv({});
      const options = await closedDefaults(dataDir);
      const services = await ensureServices(log, options);
      try {
        const client = new pg.Client({ connectionString: services.databaseUrl });
        await client.connect();
        try {
          const { rows } = await client.query<{ count: string }>(`SELECT count(*) FROM "Dataset"`);
          expect(rows[0].count).toBe("0");
        } finally {
          await client.end();
        }
      } finally {
        await services.stop();
      }
      expect(process.env.DATABASE_URL).toBeUndefined();
      expect(process.env.REDIS_URL).toBeUndefined();
    }, 60_000);
  });

  describe.runIf(binariesReachable)("when Redis fails after embedded Postgres started", () => {
    it("stops the embedded Postgres before it rethrows", async () => {
      const options = await closedDefaults(dataDir);
      setEnv({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });

      await expect(ensureServices(log, options)).rejects.toThrow("REDIS_URL");

      const embeddedUrl = `postgresql://postgres:winnow@127.0.0.1:${options.embeddedPostgresPort}/postgres`;
      expect(await postgresAnswers(embeddedUrl)).toBe(false);
      expect(process.env.DATABASE_URL).toBeUndefined();
    }, 60_000);
  });

  describe("when DATABASE_URL is set and does not respond", () => {
    it("fails naming the variable and starts nothing", async () => {
      const port = await freePort();
      setEnv({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/winnow` });
      const options = await closedDefaults(dataDir);

      await expect(ensureServices(log, options)).rejects.toThrow(`Postgres at DATABASE_URL (127.0.0.1:${port}) does not respond`);
      expect(logLines).toEqual([]);
    });
  });

  describe("when REDIS_URL is set and does not respond", () => {
    it("fails naming the variable", async () => {
      const port = await freePort();
      setEnv({ DATABASE_URL: withDatabase(REAL_POSTGRES_URL, "winnow"), REDIS_URL: `redis://127.0.0.1:${port}` });

      await expect(ensureServices(log)).rejects.toThrow(`Redis at REDIS_URL (127.0.0.1:${port}) does not respond`);
    });
  });

  describe("when the default URLs respond", () => {
    it("starts nothing and returns them", async () => {
      setEnv({});
      const options = { defaultDatabaseUrl: withDatabase(REAL_POSTGRES_URL, "winnow"), defaultRedisUrl: REAL_REDIS_URL };

      const services = await ensureServices(log, options);
      await services.stop();

      expect(services.databaseUrl).toBe(options.defaultDatabaseUrl);
      expect(services.redisUrl).toBe(options.defaultRedisUrl);
      expect(logLines).toEqual([]);
      expect(process.env.DATABASE_URL).toBeUndefined();
    });
  });

  describe("when redis-server is not installed", () => {
    it("fails with the command that installs it", async () => {
      setEnv({});
      // A PATH that contains only sh, so `command -v redis-server` finds nothing.
      const binDir = path.join(tempDir, "bin-without-redis");
      mkdirSync(binDir);
      symlinkSync(spawnSync("sh", ["-c", "command -v sh"], { encoding: "utf8" }).stdout.trim(), path.join(binDir, "sh"));
      process.env.PATH = binDir;
      const redisUrl = `redis://127.0.0.1:${await freePort()}`;

      const failure = ensureServices(log, { defaultDatabaseUrl: withDatabase(REAL_POSTGRES_URL, "winnow"), defaultRedisUrl: redisUrl });

      await expect(failure).rejects.toThrow("redis-server is not installed");
      await expect(failure).rejects.toThrow("sudo apt-get install redis-server");
    });
  });

  describe.runIf(runningAsRoot && binariesReachable)("when the postgres user cannot enter the data dir", () => {
    it("fails naming the folder before initdb", async () => {
      setEnv({});
      const closed = path.join(tempDir, "closed");
      mkdirSync(closed, { mode: 0o700 });
      const options = await closedDefaults(path.join(closed, "data"));

      const failure = ensureServices(log, options);

      await expect(failure).rejects.toThrow(`that user cannot enter ${path.join(closed, "data")}`);
      await expect(failure).rejects.toThrow("WINNOW_DATA_DIR");
    });
  });

  // A clone under a folder that only root may enter (such as one made by mktemp -d) leaves the
  // binaries out of reach of the user postgres; then the start must fail with the fix, not crash.
  describe.runIf(runningAsRoot && !binariesReachable)("when the postgres user cannot run the binaries", () => {
    it("fails naming the binaries folder", async () => {
      setEnv({});
      const options = await closedDefaults(dataDir);

      const failure = ensureServices(log, options);

      await expect(failure).rejects.toThrow(`that user cannot run ${embeddedPostgresBinDir()}`);
      await expect(failure).rejects.toThrow("DATABASE_URL");
    });
  });
});

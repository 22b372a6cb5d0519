import { execFile } from "node:child_process";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const POSTGRES_SERVER = process.env.WINNOW_TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

const createdDatabases: string[] = [];

/** Runs a command-line entry point with extra environment variables and returns its exit code and output. */
function runScript(script: string, variables: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, [script], { cwd: ROOT, env: { ...process.env, ...variables }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? null) : 0;
      resolve({ code: typeof code === "number" ? code : null, stdout, stderr });
    });
  });
}

function linesOf(text: string): string[] {
  return text.split("\n").filter((line) => line.trim() !== "");
}

afterAll(async () => {
  const client = new pg.Client({ connectionString: POSTGRES_SERVER });
  await client.connect();
  try {
    for (const name of createdDatabases) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
});

describe("npm run migrate", () => {
  describe("when DATABASE_URL is not a Postgres URL", () => {
    it("prints one line and exits with 1", async () => {
      const result = await runScript("scripts/migrate.ts", { DATABASE_URL: "mysql://winnow:secret-password@127.0.0.1/winnow" });

      expect(result.code).toBe(1);
      expect(linesOf(result.stderr)).toEqual([
        "migrate failed: invalid environment variables: DATABASE_URL must use the postgres:// or postgresql:// scheme, got mysql://",
      ]);
    });
  });

  describe("when a variable is set but empty", () => {
    it("treats it as unset", async () => {
      const name = `winnow_test_migrate_${randomBytes(4).toString("hex")}`;
      createdDatabases.push(name);
      const databaseUrl = Object.assign(new URL(POSTGRES_SERVER), { pathname: `/${name}` }).toString();

      const result = await runScript("scripts/migrate.ts", { DATABASE_URL: databaseUrl, WINNOW_WORKER_CONCURRENCY: "", LOG_LEVEL: "" });

      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("applied migrations:");
    });
  });
});

describe("npm run worker", () => {
  describe("when a variable is invalid", () => {
    it("prints one line and exits with 1", async () => {
      const result = await runScript("worker/main.ts", { WINNOW_WORKER_CONCURRENCY: "abc" });

      expect(result.code).toBe(1);
      expect(linesOf(result.stderr)).toEqual([
        'worker failed: invalid environment variables: WINNOW_WORKER_CONCURRENCY: Invalid input: expected number, received NaN, got "abc"',
      ]);
    });

    it("names a REDIS_URL with the wrong scheme", async () => {
      const result = await runScript("worker/main.ts", { REDIS_URL: "http://127.0.0.1:6379" });

      expect(result.code).toBe(1);
      expect(linesOf(result.stderr)).toEqual([
        "worker failed: invalid environment variables: REDIS_URL must use the redis:// or rediss:// scheme, got http://",
      ]);
    });
  });
});

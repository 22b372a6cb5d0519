import { afterEach, describe, expect, it } from "vitest";
import { env, resetEnv } from "../../lib/env";

const TOUCHED = ["DATABASE_URL", "REDIS_URL", "WINNOW_WORKER_CONCURRENCY", "WINNOW_BACKEND"];
const saved = Object.fromEntries(TOUCHED.map((name) => [name, process.env[name]]));

function envWith(variables: Record<string, string>) {
  for (const [name, value] of Object.entries(variables)) process.env[name] = value;
  resetEnv();
  return env();
}

function errorWith(variables: Record<string, string>): string {
  try {
    envWith(variables);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`env() accepted ${JSON.stringify(variables)}`);
}

afterEach(() => {
  for (const name of TOUCHED) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  resetEnv();
});

describe("env", () => {
  describe("when a variable is empty", () => {
    it("takes the default", () => {
      expect(envWith({ WINNOW_WORKER_CONCURRENCY: "" }).WINNOW_WORKER_CONCURRENCY).toBe(1);
    });
  });

  describe("when a URL has the wrong scheme", () => {
    it("names DATABASE_URL without its password", () => {
      const message = errorWith({ DATABASE_URL: "mysql://winnow:secret-password@127.0.0.1/winnow" });

      expect(message).toBe("invalid environment variables: DATABASE_URL must use the postgres:// or postgresql:// scheme, got mysql://");
    });

    it("names REDIS_URL", () => {
      const message = errorWith({ REDIS_URL: "http://127.0.0.1:6379" });

      expect(message).toBe("invalid environment variables: REDIS_URL must use the redis:// or rediss:// scheme, got http://");
    });

    it("accepts postgres:// and rediss://", () => {
      const parsed = envWith({ DATABASE_URL: "postgres://u@127.0.0.1/w", REDIS_URL: "rediss://127.0.0.1:6380" });

      expect(parsed.DATABASE_URL).toBe("postgres://u@127.0.0.1/w");
      expect(parsed.REDIS_URL).toBe("rediss://127.0.0.1:6380");
    });
  });

  describe("when several variables are invalid", () => {
    it("lists them on one line with their values", () => {
      const message = errorWith({ REDIS_URL: "not a url", WINNOW_WORKER_CONCURRENCY: "abc", WINNOW_BACKEND: "gpu" });

      expect(message.split("\n")).toHaveLength(1);
      expect(message).toContain("REDIS_URL must be a redis:// or rediss:// URL, got text that is not a URL");
      expect(message).toContain('WINNOW_WORKER_CONCURRENCY: Invalid input: expected number, received NaN, got "abc"');
      expect(message).toContain('WINNOW_BACKEND: Invalid option: expected one of "tensorflow"|"wasm"|"cpu", got "gpu"');
    });
  });
});

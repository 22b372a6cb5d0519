import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { database } from "../../lib/db";
import { DATA_PRESETS } from "../../lib/presets";
import { createTestStack, type TestStack } from "../helpers/test-stack";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const MULTI30K_DIR = path.resolve(ROOT, "../shared/data/multi30k");
const PRESET_NAMES = Object.keys(DATA_PRESETS);

let stack: TestStack;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the import script as a user would, against this file's own database. */
async function runImport(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const options = {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: stack.databaseUrl, MULTI30K_DIR, ...env },
    timeout: 60_000,
  };
  try {
    const { stdout, stderr } = await promisify(execFile)(TSX, ["scripts/import-multi30k.ts", ...args], options);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout: string; stderr: string };
    if (typeof failed.code !== "number") throw error;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  stack = await createTestStack("import_cli");
});

afterAll(async () => {
  await stack?.teardown();
});

describe("import-multi30k", () => {
  describe("when the preset is unknown", () => {
    it("exits 1 naming valid presets", async () => {
      const result = await runImport(["--preset", "nope"]);

      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain('"nope"');
      for (const name of PRESET_NAMES) expect(result.stderr).toContain(name);
    });
  });

  describe("when --help is given", () => {
    it("prints the usage and exits with 0", async () => {
      const result = await runImport(["--help"]);

      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^usage: npm run import -- --preset micro\|tiny\|small\|full/);
      for (const option of ["--preset", "--name", "--dir", "--download"]) expect(result.stdout).toContain(option);
    });
  });

  describe("when an option is unknown", () => {
    it("exits 2 printing the usage", async () => {
      const result = await runImport(["--presets", "tiny"]);

      expect(result.code).toBe(2);
      expect(result.stderr).toContain("--presets");
      expect(result.stderr).toContain("usage: npm run import");
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });
  });

  describe("when the files are missing", () => {
    it("exits with 1, naming the path", async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "winnow-empty-"));
      try {
        const result = await runImport(["--preset", "micro", "--dir", dir]);

        expect(result.code).toBe(1);
        expect(result.stderr).toContain(`import failed: Multi30k file not found: ${dir}/`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("when the database has no schema", () => {
    it("exits 1 suggesting npm run migrate", async () => {
      const url = new URL(stack.databaseUrl);
      url.pathname = `${url.pathname}_never_created`;

      const result = await runImport(["--preset", "micro"], { DATABASE_URL: url.toString() });

      expect(result.code).toBe(1);
      expect(result.stderr).toContain("does not exist");
      expect(result.stderr).toContain("npm run migrate");
    });
  });

  describe("when the micro preset is imported twice", () => {
    let first: CliResult;
    let second: CliResult;

    beforeAll(async () => {
      first = await runImport(["--preset", "micro"]);
      second = await runImport(["--preset", "micro"]);
    }, 120_000);

    it("prints the new dataset id and stores its samples", async () => {
      expect(first.code, first.stderr).toBe(0);
      const id = Number(first.stdout.trim());
      expect(Number.isInteger(id)).toBe(true);
      expect(first.stderr).toContain(`imported dataset ${id} "multi30k-micro": 100 clean + 100 noisy training pairs, 20 valid, 20 test`);
      const { rows } = await database().pool.query<{ count: string }>(`SELECT count(*) FROM "Sample" WHERE "datasetId" = $1`, [id]);
      expect(Number(rows[0].count)).toBe(240);
    });

    it("prints the same id the second time", () => {
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toBe(first.stdout);
      expect(second.stderr).toContain(`already imported dataset ${first.stdout.trim()}`);
    });
  });
});

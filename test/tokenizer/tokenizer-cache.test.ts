import { copyFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnv } from "../../lib/env";
import { parseRunConfig } from "../../lib/run-config";
import { selectBackend } from "../../worker/engine/backend";
import { loadOrTrainTokenizer, type TokenizerCacheKey, tokenizerCacheFile } from "../../lib/tokenizer/tokenizer-cache";
import { trainModel } from "../../worker/engine/train-model";
import type { EpochReport, TrainOptions } from "../../worker/engine/types";
import { loadMicroData } from "../engine/micro-data";

let data: TrainOptions["data"];
let scratch: string;
let trainings = 0;

const KEY: TokenizerCacheKey = { datasetHash: "a".repeat(64), vocabSize: 300, transform: "none" };

/** Loads or trains a tokenizer on the micro training pairs, counting how often it trains. */
function load(dir: string, key: TokenizerCacheKey = KEY) {
  return loadOrTrainTokenizer({
    texts: () => {
      trainings += 1;
      return data.train.flatMap((pair) => [pair.src, pair.tgt]);
    },
    vocabSize: key.vocabSize,
    cache: { dir, key },
  });
}

async function freshDir(name: string): Promise<string> {
  const dir = path.join(scratch, name);
  await rm(dir, { recursive: true, force: true });
  return dir;
}

beforeAll(async () => {
  data = await loadMicroData();
  scratch = await mkdtemp(path.join(os.tmpdir(), "winnow-tokenizer-cache-test-"));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("loadOrTrainTokenizer", () => {
  describe("when the cache is empty", () => {
    it("trains once and then reuses the file", async () => {
      const dir = await freshDir("reuse");
      trainings = 0;
      const first = load(dir);
      const file = tokenizerCacheFile(dir, KEY);
      const writtenAt = (await stat(file)).mtimeMs;
      const second = load(dir);

      expect(first.source).toEqual({ status: "miss", file });
      expect(second.source).toEqual({ status: "hit", file });
      expect(trainings).toBe(1);
      expect((await stat(file)).mtimeMs).toBe(writtenAt);
      expect(second.tokenizer.pieces).toEqual(first.tokenizer.pieces);
      expect(second.hash).toBe(first.hash);
      expect(await readdir(dir)).toEqual([path.basename(file)]);
    });
  });

  describe("when a key field differs", () => {
    it("uses another file", () => {
      const files = new Set([
        tokenizerCacheFile(scratch, KEY),
        tokenizerCacheFile(scratch, { ...KEY, datasetHash: "b".repeat(64) }),
        tokenizerCacheFile(scratch, { ...KEY, vocabSize: 301 }),
        tokenizerCacheFile(scratch, { ...KEY, transform: "tagged" }),
      ]);

      expect(files.size).toBe(4);
    });
  });

  describe("when the cache file is corrupted", () => {
    it("rebuilds it instead of failing", async () => {
      const dir = await freshDir("corrupt");
      const expected = load(dir);
      const file = tokenizerCacheFile(dir, KEY);
      await writeFile(file, '{"format":"winnow-tokenizer","algorithm":1,"key":');
      trainings = 0;

      const rebuilt = load(dir);

      expect(rebuilt.source.status).toBe("rebuilt");
      expect(rebuilt.source).toMatchObject({ file, reason: expect.stringMatching(/^invalid content: /) });
      expect(trainings).toBe(1);
      expect(rebuilt.tokenizer.pieces).toEqual(expected.tokenizer.pieces);
      expect(load(dir).source.status).toBe("hit");
    });

    it("rebuilds a file whose tokenizer was edited", async () => {
      const dir = await freshDir("edited");
      load(dir);
      const file = tokenizerCacheFile(dir, KEY);
      const content = JSON.parse(await readFile(file, "utf8")) as { tokenizer: { merges: [string, string][] } };
      content.tokenizer.merges.pop();
      await writeFile(file, JSON.stringify(content));

      const rebuilt = load(dir);

      expect(rebuilt.source).toMatchObject({ status: "rebuilt", reason: expect.stringMatching(/^tokenizer SHA-256 \w+ does not match the recorded \w+$/) });
    });
  });

  describe("when the file belongs to another key", () => {
    it("rebuilds it", async () => {
      const dir = await freshDir("other-key");
      const otherKey = { ...KEY, datasetHash: "c".repeat(64) };
      load(dir, otherKey);
      await copyFile(tokenizerCacheFile(dir, otherKey), tokenizerCacheFile(dir, KEY));

      const rebuilt = load(dir);

      expect(rebuilt.source).toMatchObject({ status: "rebuilt", reason: expect.stringContaining(`"datasetHash":"${"c".repeat(64)}"`) });
    });
  });

  describe("when the cache folder cannot be written", () => {
    it("trains without caching", async () => {
      const blocker = path.join(scratch, "not-a-folder");
      await writeFile(blocker, "a file where the cache folder should be");

      const result = load(path.join(blocker, "tokenizers"));

      expect(result.source.status).toBe("miss");
      expect(result.tokenizer.vocabSize).toBeGreaterThan(4);
    });
  });
});

describe("trainModel tokenizer cache", () => {
  const reports: EpochReport[][] = [];
  let dataDir: string;

  async function trainOnce(): Promise<void> {
    const run: EpochReport[] = [];
    await trainModel({
      config: parseRunConfig({ datasetId: 1, strategy: "uniform", preset: "micro", epochs: 1, seed: 2 }),
      data: { ...data, datasetHash: "d".repeat(64) },
      onEpoch: async (report) => {
        run.push(report);
      },
      onProgress: () => {},
      shouldStop: () => false,
    });
    reports.push(run);
  }

  beforeAll(async () => {
    await selectBackend();
    dataDir = await mkdtemp(path.join(os.tmpdir(), "winnow-tokenizer-cache-data-"));
    process.env.WINNOW_DATA_DIR = dataDir;
    resetEnv();
  });

  afterAll(async () => {
    delete process.env.WINNOW_DATA_DIR;
    resetEnv();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("writes the file once for two runs on a dataset", async () => {
    await trainOnce();
    const [name] = await readdir(path.join(dataDir, "tokenizers"));
    const file = path.join(dataDir, "tokenizers", name);
    const writtenAt = (await stat(file)).mtimeMs;
    await trainOnce();

    expect(await readdir(path.join(dataDir, "tokenizers"))).toEqual([name]);
    expect((await stat(file)).mtimeMs).toBe(writtenAt);
    expect(reports[1].map((report) => report.traces)).toEqual(reports[0].map((report) => report.traces));
  });
});

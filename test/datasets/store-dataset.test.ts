import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatasetPairs } from "../../lib/datasets/dataset-pairs";
import { buildMulti30kRecipe } from "../../lib/datasets/multi30k-recipe";
import { hashPairs, storeDataset } from "../../lib/datasets/store-dataset";
import { database } from "../../lib/db";
import { WinnowError } from "../../lib/errors";
import { DATA_PRESETS } from "../../lib/presets";
import { createTestStack, type TestStack } from "../helpers/test-stack";

const MULTI30K_DIR = path.resolve(import.meta.dirname, "../../../shared/data/multi30k");

interface SampleRow {
  split: string;
  idx: number;
  src: string;
  tgt: string;
  noisy: boolean;
  noiseKind: string | null;
}

let stack: TestStack;
let micro: DatasetPairs;

async function query<Row extends object>(sql: string, values: unknown[] = []): Promise<Row[]> {
  return (await database().pool.query<Row>(sql, values)).rows;
}

async function samplesOf(datasetId: number): Promise<SampleRow[]> {
  return query<SampleRow>(
    `SELECT split::text AS split, idx, src, tgt, noisy, "noiseKind" FROM "Sample" WHERE "datasetId" = $1 ORDER BY split::text, idx`,
    [datasetId],
  );
}

async function countRows(table: "Dataset" | "Sample"): Promise<number> {
  const [row] = await query<{ count: string }>(`SELECT count(*) FROM "${table}"`);
  return Number(row.count);
}

async function datasetNamed(name: string) {
  return query<{ id: number; srcLang: string; tgtLang: string; source: string; hash: string }>(
    `SELECT id, "srcLang", "tgtLang", source, hash FROM "Dataset" WHERE name = $1`,
    [name],
  );
}

/** The rows storeDataset should write for `pairs`, in the order samplesOf returns them. */
function expectedRows(pairs: DatasetPairs): SampleRow[] {
  return [
    ...pairs.train.map((pair, idx) => ({ split: "train", idx, src: pair.src, tgt: pair.tgt, noisy: pair.noisy, noiseKind: pair.noiseKind ?? null })),
    ...pairs.valid.map((pair, idx) => ({ split: "valid", idx, src: pair.src, tgt: pair.tgt, noisy: false, noiseKind: null })),
    ...pairs.test.map((pair, idx) => ({ split: "test", idx, src: pair.src, tgt: pair.tgt, noisy: false, noiseKind: null })),
  ];
}

function syntheticPairs(trainCount: number): DatasetPairs {
  return {
    srcLang: "de",
    tgtLang: "en",
    train: Array.from({ length: trainCount }, (_, i) => ({ src: `Satz ${i}`, tgt: `sentence ${i}`, noisy: i % 2 === 1 })),
    valid: [{ src: "Ein Hund.", tgt: "A dog." }],
    test: [{ src: "Eine Katze.", tgt: "A cat." }],
  };
}

async function catchError(promise: Promise<unknown>): Promise<WinnowError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(WinnowError);
  return error as WinnowError;
}

beforeAll(async () => {
  stack = await createTestStack("store_dataset");
  micro = await buildMulti30kRecipe(MULTI30K_DIR, DATA_PRESETS.micro);
});

afterAll(async () => {
  await stack?.teardown();
});

describe("storeDataset", () => {
  describe("when the dataset is new", () => {
    let stored: Awaited<ReturnType<typeof storeDataset>>;

    beforeAll(async () => {
      stored = await storeDataset("micro", "multi30k:micro", micro);
    });

    it("reports it created with its counts", () => {
      expect(stored.created).toBe(true);
      expect(stored.counts).toEqual({ clean: 100, noisy: 100, valid: 20, test: 20 });
    });

    it("stores the dataset row with languages, source and hash", async () => {
      const rows = await datasetNamed("micro");
      expect(rows).toEqual([{ id: stored.id, srcLang: "de", tgtLang: "en", source: "multi30k:micro", hash: hashPairs(micro) }]);
    });

    it("stores every pair with its split, index and noisy flag", async () => {
      expect(await samplesOf(stored.id)).toEqual(expectedRows(micro).sort((a, b) => a.split.localeCompare(b.split) || a.idx - b.idx));
    });
  });

  describe("when the same name and pairs are stored again", () => {
    it("returns the same id and adds no rows", async () => {
      const first = await storeDataset("again", "multi30k:micro", micro);
      const samplesBefore = await countRows("Sample");
      const datasetsBefore = await countRows("Dataset");

      const second = await storeDataset("again", "multi30k:micro", micro);

      expect(second.id).toBe(first.id);
      expect(second.created).toBe(false);
      expect(second.counts).toEqual(first.counts);
      expect(await countRows("Sample")).toBe(samplesBefore);
      expect(await countRows("Dataset")).toBe(datasetsBefore);
    });

    it("stores one dataset when two imports run at once", async () => {
      const pairs = syntheticPairs(300);
      const results = await Promise.all([storeDataset("concurrent", "test", pairs), storeDataset("concurrent", "test", pairs)]);

      expect(results[0].id).toBe(results[1].id);
      expect(results.map((result) => result.created).sort()).toEqual([false, true]);
      expect(await samplesOf(results[0].id)).toHaveLength(302);
    });
  });

  describe("when the same name comes with other pairs", () => {
    it("rejects as conflict, keeping old rows", async () => {
      const original = await storeDataset("taken", "test", syntheticPairs(10));
      const rowsBefore = await samplesOf(original.id);
      const changed = syntheticPairs(10);
      changed.train[3] = { ...changed.train[3], tgt: "another sentence" };

      const error = await catchError(storeDataset("taken", "test", changed));

      expect(error.code).toBe("conflict");
      expect(error.message).toContain('"taken"');
      expect(await datasetNamed("taken")).toEqual([expect.objectContaining({ id: original.id, hash: hashPairs(syntheticPairs(10)) })]);
      expect(await samplesOf(original.id)).toEqual(rowsBefore);
    });

    it("rejects a changed noisy flag as other pairs", async () => {
      await storeDataset("flags", "test", syntheticPairs(4));
      const flipped = syntheticPairs(4);
      flipped.train[0] = { ...flipped.train[0], noisy: true };

      const error = await catchError(storeDataset("flags", "test", flipped));

      expect(error.code).toBe("conflict");
    });
  });

  describe("when a pair is invalid", () => {
    it.each<[string, (pairs: DatasetPairs) => void, string]>([
      ["a NUL byte in a train source", (pairs) => (pairs.train[150].src = "Ein\u0000Hund"), "train[150]: src contains a NUL byte"],
      ["a NUL byte in a test target", (pairs) => (pairs.test[7].tgt = "A dog\u0000"), "test[7]: tgt contains a NUL byte"],
      ["an empty valid target", (pairs) => (pairs.valid[3].tgt = ""), "valid[3]: tgt is empty"],
      ["a blank train source", (pairs) => (pairs.train[0].src = " \t "), "train[0]: src is empty"],
    ])("rejects %s by split and index", async (label, damage, problem) => {
      const name = `invalid: ${label}`;
      const pairs = structuredClone(micro);
      damage(pairs);
      const samplesBefore = await countRows("Sample");

      const error = await catchError(storeDataset(name, "test", pairs));

      expect(error.code).toBe("invalid_input");
      expect(error.message).toContain(`"${name}"`);
      expect(error.message).toContain(problem);
      expect(await datasetNamed(name)).toEqual([]);
      expect(await countRows("Sample")).toBe(samplesBefore);
    });

    it("lists the first five problems and counts the rest", async () => {
      const pairs = syntheticPairs(20);
      for (const pair of pairs.train.slice(10)) pair.tgt = "";

      const error = await catchError(storeDataset("many-problems", "test", pairs));

      expect(error.message).toContain("has 10 invalid pair(s)");
      expect(error.message).toContain("train[10]: tgt is empty; train[11]");
      expect(error.message).toContain("train[14]: tgt is empty; and 5 more");
      expect(error.message).not.toContain("train[15]");
    });
  });

  describe("when Postgres fails in the middle of the samples", () => {
    // A trigger on this test's own database rejects one row of the second INSERT chunk, after
    // the Dataset row and 5000 samples are written inside the transaction.
    const poisonedSource = "rejected by the test trigger";

    beforeAll(async () => {
      await database().pool.query(`
        CREATE FUNCTION reject_poisoned_sample() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.src = '${poisonedSource}' THEN RAISE EXCEPTION 'sample rejected by the test trigger'; END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER reject_poisoned_sample BEFORE INSERT ON "Sample"
          FOR EACH ROW EXECUTE FUNCTION reject_poisoned_sample();`);
    });

    afterAll(async () => {
      await database().pool.query(`DROP TRIGGER reject_poisoned_sample ON "Sample"; DROP FUNCTION reject_poisoned_sample();`);
    });

    it("leaves no dataset row and no sample rows", async () => {
      const pairs = syntheticPairs(6000);
      pairs.train[5500].src = poisonedSource;
      const datasetsBefore = await countRows("Dataset");
      const samplesBefore = await countRows("Sample");

      await expect(storeDataset("half-written", "test", pairs)).rejects.toThrow("sample rejected by the test trigger");

      expect(await datasetNamed("half-written")).toEqual([]);
      expect(await countRows("Dataset")).toBe(datasetsBefore);
      expect(await countRows("Sample")).toBe(samplesBefore);
    });

    it("lets a later import of the same name succeed", async () => {
      const stored = await storeDataset("half-written", "test", syntheticPairs(6000));

      expect(stored.created).toBe(true);
      expect(await samplesOf(stored.id)).toHaveLength(6002);
    });
  });
});

describe("hashPairs", () => {
  const pairsWith = (train: DatasetPairs["train"]): DatasetPairs => ({ srcLang: "de", tgtLang: "en", train, valid: [], test: [] });

  it("separates fields that contain tabs", () => {
    const first = pairsWith([{ src: "a\tb", tgt: "c", noisy: false }]);
    const second = pairsWith([{ src: "a", tgt: "b\tc", noisy: false }]);
    expect(hashPairs(first)).not.toBe(hashPairs(second));
  });

  it("covers the noise kind", () => {
    const comparable = pairsWith([{ src: "a", tgt: "b", noisy: true, noiseKind: "comparable" }]);
    const unknown = pairsWith([{ src: "a", tgt: "b", noisy: true }]);
    expect(hashPairs(comparable)).not.toBe(hashPairs(unknown));
  });
});

describe("storeDataset names", () => {
  const pairs: DatasetPairs = { srcLang: "de", tgtLang: "en", train: [{ src: "a", tgt: "b", noisy: false }], valid: [], test: [] };

  it.each([
    ["empty", ""],
    ["blank", "   "],
    ["too long", "x".repeat(201)],
    ["with a newline", "a\nb"],
  ])("rejects a name that is %s", async (_case, name) => {
    const error = await storeDataset(name, "test", pairs).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WinnowError);
    expect((error as WinnowError).code).toBe("invalid_input");
    expect((error as Error).message).toMatch(/^name must be 1 to 200 characters/);
  });
});

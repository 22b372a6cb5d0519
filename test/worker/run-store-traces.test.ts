import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { database, prisma } from "../../lib/db";
import { writeTraces } from "../../worker/run-store";
import { createTestStack, type TestStack } from "../helpers/test-stack";

let stack: TestStack;
let runId: number;
let sampleIds: number[];

beforeAll(async () => {
  stack = await createTestStack("run_store_traces");
  const dataset = await prisma().dataset.create({
    data: { name: "traces", srcLang: "de", tgtLang: "en", source: "test", hash: "0" },
    select: { id: true },
  });
  await prisma().sample.createMany({
    data: [0, 1, 2].map((idx) => ({ datasetId: dataset.id, split: "train" as const, idx, src: `Satz ${idx}`, tgt: `sentence ${idx}`, noisy: idx > 0 })),
  });
  const samples = await prisma().sample.findMany({ where: { datasetId: dataset.id }, orderBy: { idx: "asc" }, select: { id: true } });
  sampleIds = samples.map((sample) => sample.id);
  const run = await prisma().run.create({ data: { datasetId: dataset.id, strategy: "token-weighting", config: {}, seed: 1 } });
  runId = run.id;
});

afterAll(async () => {
  await stack?.teardown();
});

/** Reads the token weights column as Postgres stores it, so NULL and an empty array stay apart. */
async function storedTokenWeights(epoch: number): Promise<Map<number, number[] | null>> {
  const { rows } = await database().pool.query<{ sampleId: number; tokenWeights: number[] | null }>(
    `SELECT "sampleId", "tokenWeights" FROM "SampleTrace" WHERE "runId" = $1 AND epoch = $2`,
    [runId, epoch],
  );
  return new Map(rows.map((row) => [row.sampleId, row.tokenWeights]));
}

describe("writeTraces", () => {
  describe("when rows carry token weights", () => {
    it("stores each row's weights in token order", async () => {
      await writeTraces(runId, 1, [
        { sampleId: sampleIds[0], loss: 1, weight: 1, dropped: false, tokenWeights: [1, 1, 1] },
        { sampleId: sampleIds[1], loss: 2, weight: 0.5, dropped: false, tokenWeights: [0.25, 1e-7, 0.875, 1] },
        { sampleId: sampleIds[2], loss: 3, weight: 0, dropped: true, tokenWeights: [] },
      ]);
      const stored = await storedTokenWeights(1);

      expect(stored.get(sampleIds[0])).toEqual([1, 1, 1]);
      expect(stored.get(sampleIds[1])).toEqual([0.25, 1e-7, 0.875, 1]);
      expect(stored.get(sampleIds[2])).toEqual([]);
    });
  });

  describe("when rows carry no token weights", () => {
    it("stores NULL", async () => {
      await writeTraces(runId, 2, [
        { sampleId: sampleIds[0], loss: 1, weight: 1, dropped: false },
        { sampleId: sampleIds[1], loss: 2, weight: 0.3, dropped: false, tokenWeights: [0.5] },
      ]);
      const stored = await storedTokenWeights(2);

      expect(stored.get(sampleIds[0])).toBeNull();
      expect(stored.get(sampleIds[1])).toEqual([0.5]);
    });
  });

  describe("when an epoch is written again", () => {
    it("replaces the token weights with the new ones", async () => {
      await writeTraces(runId, 3, [{ sampleId: sampleIds[1], loss: 2, weight: 0.5, dropped: false, tokenWeights: [0.1, 0.2] }]);
      await writeTraces(runId, 3, [{ sampleId: sampleIds[1], loss: 1.5, weight: 0.4, dropped: false, tokenWeights: [0.3] }]);
      await writeTraces(runId, 3, [{ sampleId: sampleIds[2], loss: 2, weight: 0.5, dropped: false, tokenWeights: [0.9] }]);
      await writeTraces(runId, 3, [{ sampleId: sampleIds[2], loss: 2, weight: 0.5, dropped: false }]);
      const stored = await storedTokenWeights(3);

      expect(stored.get(sampleIds[1])).toEqual([0.3]);
      expect(stored.get(sampleIds[2])).toBeNull();
    });
  });
});

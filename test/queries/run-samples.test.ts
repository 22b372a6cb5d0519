import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../lib/db";
import { getRunSample } from "../../lib/queries/get-run-sample";
import { listRunSamples } from "../../lib/queries/list-run-samples";
import { runSampleQuerySchema, type RunSampleQueryInput } from "../../lib/queries/run-sample-query";
import { loadWeightHistogram, WEIGHT_HISTOGRAM_BINS } from "../../lib/queries/weight-histogram";
import { writeTraces, writeTranslations } from "../../worker/run-store";
import { createTestStack, type TestStack } from "../helpers/test-stack";

const CLEAN_PAIRS = 4;
/**
 * Weights of the 8 noisy pairs (idx 4 to 11) in epochs 1 to 3. Pair 4 is up-weighted, the others
 * lose weight, and weight 0 means dropped: pair 11 in epochs 2 and 3, pairs 9 and 10 in epoch 3.
 */
const NOISY_WEIGHTS = [
  [0.5, 1, 1, 1, 1, 1, 1, 1],
  [0.75, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0],
  [1, 0.8, 0.6, 0.4, 0.2, 0, 0, 0],
];
const EPOCHS = NOISY_WEIGHTS.length;
const PAIRS = CLEAN_PAIRS + NOISY_WEIGHTS[0].length;

let stack: TestStack;
let datasetId: number;
let runId: number;
/** Sample id of each pair, by idx. */
let sampleIds: number[];

function lossOf(idx: number): number {
  return idx < CLEAN_PAIRS ? 1 + idx / 10 : 3 + (idx - CLEAN_PAIRS) / 4;
}

async function storePairs(): Promise<void> {
  const dataset = await prisma().dataset.create({
    data: { name: "run-samples", srcLang: "de", tgtLang: "en", source: "test", hash: "0" },
    select: { id: true },
  });
  datasetId = dataset.id;
  await prisma().sample.createMany({
    data: [
      ...Array.from({ length: PAIRS }, (_, idx) => ({
        datasetId,
        split: "train" as const,
        idx,
        src: `Satz ${idx}`,
        tgt: `sentence number ${idx}`,
        noisy: idx >= CLEAN_PAIRS,
        noiseKind: idx >= CLEAN_PAIRS ? "comparable" : null,
      })),
      { datasetId, split: "test", idx: 0, src: "Test", tgt: "test", noisy: false },
    ],
  });
  const samples = await prisma().sample.findMany({ where: { datasetId, split: "train" }, orderBy: { idx: "asc" } });
  sampleIds = samples.map((sample) => sample.id);
}

/** Writes three epochs of traces through the worker's store, with token weights for pair 5 only. */
async function storeTraces(): Promise<void> {
  const run = await prisma().run.create({ data: { datasetId, strategy: "curriculum", config: {}, seed: 1 } });
  runId = run.id;
  for (let epoch = 1; epoch <= EPOCHS; epoch += 1) {
    await writeTraces(runId, epoch, sampleIds.map((sampleId, idx) => {
      const weight = idx < CLEAN_PAIRS ? 1 : NOISY_WEIGHTS[epoch - 1][idx - CLEAN_PAIRS];
      const tokenWeights = idx === 5 ? [1, weight, 0.5, 1] : undefined;
      return { sampleId, loss: lossOf(idx), weight, dropped: weight === 0, ...(tokenWeights ? { tokenWeights } : {}) };
    }));
  }
  await writeTranslations(runId, 1, [{ sampleId: sampleIds[4], hypothesis: "output after epoch 1" }]);
  await writeTranslations(runId, 3, [{ sampleId: sampleIds[4], hypothesis: "output after epoch 3" }]);
}

beforeAll(async () => {
  stack = await createTestStack("run_samples");
  await storePairs();
  await storeTraces();
});

afterAll(async () => {
  await stack?.teardown();
});

async function listIdx(input: RunSampleQueryInput): Promise<number[]> {
  const page = await listRunSamples(runId, runSampleQuerySchema.parse(input));
  return page!.samples.map((sample) => sample.idx);
}

async function totalOf(input: RunSampleQueryInput): Promise<number> {
  return (await listRunSamples(runId, runSampleQuerySchema.parse(input)))!.total;
}

describe("listRunSamples", () => {
  describe("when no filter is set", () => {
    it("lists every training pair in dataset order", async () => {
      const page = (await listRunSamples(runId, runSampleQuerySchema.parse({})))!;

      expect(page.total).toBe(PAIRS);
      expect(page.lastEpoch).toBe(EPOCHS);
      expect(page.samples.map((sample) => sample.idx)).toEqual(Array.from({ length: PAIRS }, (_, idx) => idx));
    });

    it("returns the latest trace and the weight change", async () => {
      const page = (await listRunSamples(runId, runSampleQuerySchema.parse({})))!;
      const pair4 = page.samples[4];
      const pair8 = page.samples[8];

      expect(pair4).toMatchObject({ noisy: true, noiseKind: "comparable", epoch: 3, weight: 1, dropped: false, loss: 3 });
      expect(pair4.weightChange).toBeCloseTo(0.5);
      expect(pair8.weightChange).toBeCloseTo(-0.8);
      expect(page.samples[11].dropped).toBe(true);
      expect(page.samples[0]).toMatchObject({ noisy: false, noiseKind: null, weight: 1, weightChange: 0 });
    });

    it("returns every epoch of the trace, oldest first", async () => {
      const page = (await listRunSamples(runId, runSampleQuerySchema.parse({})))!;

      expect(page.samples[11].trace).toEqual([
        { epoch: 1, loss: 4.75, weight: 1, dropped: false },
        { epoch: 2, loss: 4.75, weight: 0, dropped: true },
        { epoch: 3, loss: 4.75, weight: 0, dropped: true },
      ]);
    });

    it("returns the newest stored output", async () => {
      const page = (await listRunSamples(runId, runSampleQuerySchema.parse({})))!;

      expect(page.samples[4].output).toEqual({ epoch: 3, hypothesis: "output after epoch 3" });
      expect(page.samples[5].output).toBeNull();
    });
  });

  describe("when filtering by noise", () => {
    it("lists only noisy pairs", async () => {
      expect(await listIdx({ noise: "noisy" })).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    });

    it("lists only clean pairs", async () => {
      expect(await listIdx({ noise: "clean" })).toEqual([0, 1, 2, 3]);
    });
  });

  describe("when filtering by what the strategy did", () => {
    it("lists down-weighted pairs", async () => {
      expect(await listIdx({ view: "down-weighted" })).toEqual([5, 6, 7, 8, 9, 10, 11]);
    });

    it("lists pairs dropped at epoch 3", async () => {
      expect(await listIdx({ view: "dropped", droppedEpoch: "3" })).toEqual([9, 10, 11]);
    });

    it("lists pairs dropped at epoch 2", async () => {
      expect(await listIdx({ view: "dropped", droppedEpoch: "2" })).toEqual([11]);
    });

    it("lists nothing for an epoch without drops", async () => {
      expect(await totalOf({ view: "dropped", droppedEpoch: "1" })).toBe(0);
    });

    it("combines filters", async () => {
      expect(await totalOf({ noise: "clean", view: "down-weighted" })).toBe(0);
      expect(await listIdx({ view: "down-weighted", maxWeight: "0.5" })).toEqual([7, 8, 9, 10, 11]);
    });
  });

  describe("when filtering by weight range", () => {
    it("includes both bounds", async () => {
      expect(await listIdx({ minWeight: "0.4", maxWeight: "0.8" })).toEqual([5, 6, 7]);
    });

    it("accepts a minimum alone", async () => {
      expect(await listIdx({ minWeight: "0.8" })).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it("accepts a maximum alone", async () => {
      expect(await listIdx({ maxWeight: "0" })).toEqual([9, 10, 11]);
    });
  });

  describe("when sorting", () => {
    it("sorts by loss, highest first", async () => {
      expect(await listIdx({ sort: "loss", order: "desc" })).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    });

    it("sorts by weight and keeps dataset order in ties", async () => {
      expect(await listIdx({ sort: "weight", order: "asc" })).toEqual([9, 10, 11, 8, 7, 6, 5, 0, 1, 2, 3, 4]);
    });

    it("sorts by weight change", async () => {
      expect(await listIdx({ sort: "weight-change", order: "asc" })).toEqual([9, 10, 11, 8, 7, 6, 5, 0, 1, 2, 3, 4]);
      expect(await listIdx({ sort: "weight-change", order: "desc" })).toEqual([4, 0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11]);
    });

    it("sorts by index, last first", async () => {
      expect(await listIdx({ sort: "index", order: "desc", pageSize: "3" })).toEqual([11, 10, 9]);
    });
  });

  describe("when paging", () => {
    it("returns the requested page", async () => {
      expect(await listIdx({ pageSize: "5", page: "2" })).toEqual([5, 6, 7, 8, 9]);
    });

    it("returns a short last page", async () => {
      expect(await listIdx({ pageSize: "5", page: "3" })).toEqual([10, 11]);
    });

    it("returns no rows past the last page but the full total", async () => {
      const page = (await listRunSamples(runId, runSampleQuerySchema.parse({ pageSize: "5", page: "4" })))!;

      expect(page.samples).toEqual([]);
      expect(page.total).toBe(PAIRS);
      expect(page.page).toBe(4);
    });

    it("pages after sorting and filtering", async () => {
      expect(await listIdx({ noise: "noisy", sort: "loss", order: "desc", pageSize: "3", page: "2" })).toEqual([8, 7, 6]);
      expect(await totalOf({ noise: "noisy", sort: "loss", order: "desc", pageSize: "3", page: "2" })).toBe(8);
    });
  });

  describe("when the run has no traces yet", () => {
    let untracedRunId: number;

    beforeAll(async () => {
      const run = await prisma().run.create({ data: { datasetId, strategy: "uniform", config: {}, seed: 2 } });
      untracedRunId = run.id;
    });

    it("lists pairs without weights and sorts them last", async () => {
      const page = (await listRunSamples(untracedRunId, runSampleQuerySchema.parse({ sort: "weight", order: "desc" })))!;

      expect(page.total).toBe(PAIRS);
      expect(page.lastEpoch).toBeNull();
      expect(page.samples[0]).toMatchObject({ idx: 0, weight: null, weightChange: null, trace: [], output: null });
    });

    it("leaves untraced pairs out of a weight range", async () => {
      const page = (await listRunSamples(untracedRunId, runSampleQuerySchema.parse({ minWeight: "0" })))!;

      expect(page.total).toBe(0);
    });
  });

  it("returns null for a missing run", async () => {
    expect(await listRunSamples(999_999, runSampleQuerySchema.parse({}))).toBeNull();
  });
});

describe("runSampleQuerySchema", () => {
  function issuesOf(input: Record<string, string>): { path: string; message: string }[] {
    const result = runSampleQuerySchema.safeParse(input);
    if (result.success) return [];
    return result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
  }

  it("fills in the defaults", () => {
    expect(runSampleQuerySchema.parse({})).toEqual({ noise: "all", view: "all", sort: "index", order: "asc", page: 1, pageSize: 25 });
  });

  it("requires droppedEpoch with view dropped", () => {
    expect(issuesOf({ view: "dropped" })).toEqual([{ path: "droppedEpoch", message: "is required when view is dropped" }]);
  });

  it("rejects a maximum weight below the minimum", () => {
    expect(issuesOf({ minWeight: "0.5", maxWeight: "0.25" })).toEqual([
      { path: "maxWeight", message: "must be at least minWeight (0.5), got 0.25" },
    ]);
  });

  it.each([["-0.5"], ["1e3"], [""], ["abc"], ["0x1"]])("rejects the weight %j", (value) => {
    expect(issuesOf({ minWeight: value }).map((issue) => issue.path)).toEqual(["minWeight"]);
  });

  it("names an unknown sort", () => {
    expect(issuesOf({ sort: "bleu" }).map((issue) => issue.path)).toEqual(["sort"]);
  });

  it("names an unknown parameter", () => {
    expect(issuesOf({ filter: "noisy" }).map((issue) => issue.path)).toEqual([""]);
  });
});

describe("loadWeightHistogram", () => {
  it("counts clean and noisy weights per epoch", async () => {
    const histogram = await loadWeightHistogram(runId);
    const last = histogram.epochs[2];

    expect(histogram.upper).toBe(1);
    expect(histogram.epochs.map((entry) => entry.epoch)).toEqual([1, 2, 3]);
    expect(last.bins).toHaveLength(WEIGHT_HISTOGRAM_BINS);
    expect(last.bins[0]).toEqual({ from: 0, to: 0.05, clean: 0, noisy: 3 });
    expect(last.bins[4].noisy).toBe(1);
    expect(last.bins[WEIGHT_HISTOGRAM_BINS - 1]).toMatchObject({ clean: CLEAN_PAIRS, noisy: 1 });
    expect(histogram.epochs[0].bins[WEIGHT_HISTOGRAM_BINS - 1]).toMatchObject({ clean: CLEAN_PAIRS, noisy: 7 });
    expect(histogram.epochs[0].bins[10].noisy).toBe(1);
  });

  it("stretches the bins over weights above 1", async () => {
    const run = await prisma().run.create({ data: { datasetId, strategy: "gradient-alignment", config: {}, seed: 3 } });
    await writeTraces(run.id, 1, [
      { sampleId: sampleIds[0], loss: 1, weight: 2.5, dropped: false },
      { sampleId: sampleIds[5], loss: 1, weight: 0.5, dropped: false },
    ]);
    const histogram = await loadWeightHistogram(run.id);
    const bins = histogram.epochs[0].bins;

    expect(histogram.upper).toBe(2.5);
    expect(bins[WEIGHT_HISTOGRAM_BINS - 1]).toMatchObject({ to: 2.5, clean: 1, noisy: 0 });
    expect(bins[4]).toMatchObject({ noisy: 1 });
  });

  it("returns no epochs before the first trace", async () => {
    const run = await prisma().run.create({ data: { datasetId, strategy: "uniform", config: {}, seed: 4 } });

    expect(await loadWeightHistogram(run.id)).toEqual({ upper: 1, epochs: [] });
  });
});

describe("getRunSample", () => {
  it("returns each epoch with token weights and outputs", async () => {
    const detail = await getRunSample(runId, sampleIds[5]);

    expect(detail.sample).toMatchObject({ idx: 5, noisy: true, tgt: "sentence number 5" });
    expect(detail.epochs.map((epoch) => epoch.weight)).toEqual([1, 0.9, 0.8]);
    expect(detail.epochs[2].tokenWeights).toEqual([1, 0.8, 0.5, 1]);
    expect(detail.epochs[2].hypothesis).toBeNull();
  });

  it("returns the stored outputs by epoch", async () => {
    const detail = await getRunSample(runId, sampleIds[4]);

    expect(detail.epochs.map((epoch) => epoch.hypothesis)).toEqual(["output after epoch 1", null, "output after epoch 3"]);
    expect(detail.epochs[0].tokenWeights).toBeNull();
  });

  it("names a missing run", async () => {
    await expect(getRunSample(999_999, sampleIds[0])).rejects.toThrow("run 999999 not found");
  });

  it("names a sample of another split", async () => {
    const testPair = await prisma().sample.findFirstOrThrow({ where: { datasetId, split: "test" } });

    await expect(getRunSample(runId, testPair.id)).rejects.toThrow(`sample ${testPair.id} is not a training pair of run ${runId}`);
  });

  it("names a sample id that does not exist", async () => {
    await expect(getRunSample(runId, 999_999)).rejects.toThrow(`sample 999999 is not a training pair of run ${runId}`);
  });
});

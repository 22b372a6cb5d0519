import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRunConfig, type RunConfigInput } from "../../lib/run-config";
import { selectBackend } from "../../worker/engine/backend";
import { checkpointManifestSchema } from "../../lib/checkpoints/checkpoint-manifest";
import { TEST_BEAM_SIZE } from "../../worker/engine/evaluate-epoch";
import { loadModelForDecoding } from "../../worker/engine/load-model-for-decoding";
import { disposeRun, prepareRun } from "../../worker/engine/prepare-run";
import { trainModel } from "../../worker/engine/train-model";
import type { CheckpointWritten, EpochReport, SampleTraceRow, TrainOptions, TrainResult } from "../../worker/engine/types";
import { translateSentences } from "../../worker/translate-run";
import { loadMicroData } from "./micro-data";

let data: TrainOptions["data"];
let scratch: string;
let noisyIds: Set<number>;

interface TrainedRun {
  reports: EpochReport[];
  checkpoints: CheckpointWritten[];
  result: TrainResult;
}

/** Trains the micro preset on the micro data with `config`, writing checkpoints to `dir` when given. */
async function train(config: Partial<RunConfigInput>, checkpoints?: { dir: string; resumeFrom?: string }): Promise<TrainedRun> {
  const trained: Omit<TrainedRun, "result"> = { reports: [], checkpoints: [] };
  const result = await trainModel({
    config: parseRunConfig({ datasetId: 1, strategy: "uniform", preset: "micro", epochs: 2, seed: 5, ...config }),
    data,
    checkpoints,
    onEpoch: async (report) => {
      trained.reports.push(report);
    },
    onCheckpoint: async (checkpoint) => {
      trained.checkpoints.push(checkpoint);
    },
    onProgress: () => {},
    shouldStop: () => false,
  });
  return { ...trained, result };
}

const noisyRows = (report: EpochReport) => report.traces.filter((row) => noisyIds.has(row.sampleId));
const cleanRows = (report: EpochReport) => report.traces.filter((row) => !noisyIds.has(row.sampleId));
const weightsOf = (rows: SampleTraceRow[]) => [...new Set(rows.map((row) => row.weight))];

beforeAll(async () => {
  data = await loadMicroData();
  noisyIds = new Set(data.train.filter((pair) => pair.noisy).map((pair) => pair.sampleId));
  await selectBackend();
  scratch = await mkdtemp(path.join(os.tmpdir(), "winnow-noise-strategies-test-"));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("tagged strategy in training", () => {
  it("tags training sources and starts validation and test sources with <clean>", () => {
    const run = prepareRun({
      config: parseRunConfig({ datasetId: 1, strategy: "tagged", preset: "micro", epochs: 1 }),
      data,
      onEpoch: async () => {},
      onProgress: () => {},
      shouldStop: () => false,
    });
    try {
      const cleanTagIds = run.tokenizer.encode("<clean>");

      expect(run.trainPairs.map((pair) => pair.src.split(" ")[0])).toEqual(data.train.map((pair) => (pair.noisy ? "<noisy>" : "<clean>")));
      expect(cleanTagIds).toHaveLength(3);
      for (const pair of [...run.valid, ...run.test]) expect(pair.srcIds.slice(0, 3)).toEqual(cleanTagIds);
      expect(run.valid[0].srcIds.slice(3, -1)).toEqual(run.tokenizer.encode(data.valid[0].src).slice(0, run.preset.maxLength - 4));
    } finally {
      disposeRun(run);
    }
  });

  describe("when a tagged run is trained and its checkpoint translates", () => {
    let trained: TrainedRun;

    beforeAll(async () => {
      trained = await train({ strategy: "tagged", epochs: 1 }, { dir: path.join(scratch, "tagged") });
    });

    it("weighs every pair 1", () => {
      expect(weightsOf(trained.reports[0].traces)).toEqual([1]);
      expect(trained.reports[0].traces.some((row) => row.dropped)).toBe(false);
    });

    it("puts <clean> before sources decoded with the checkpoint", async () => {
      const decoding = await loadModelForDecoding(trained.checkpoints[0].path);
      try {
        expect(decoding.decodeSource("Ein Hund.")).toBe("<clean> Ein Hund.");
      } finally {
        decoding.dispose();
      }
    });

    it("translates the test sources as the run's test evaluation did", async () => {
      const translated = await translateSentences({
        checkpointDir: trained.checkpoints[0].path,
        sentences: data.test.map((pair) => pair.src),
        beamSize: TEST_BEAM_SIZE,
      });

      expect(translated.translations).toEqual(trained.result.testTranslations.map((row) => row.hypothesis));
    });
  });
});

describe("curriculum strategy in training", () => {
  describe("when mode is anneal over 3 epochs with 1 clean epoch", () => {
    let trained: TrainedRun;

    beforeAll(async () => {
      trained = await train({ strategy: "curriculum", strategyParams: { mode: "anneal", lambda0: 1, cleanEpochs: 1 }, epochs: 3 });
    });

    it("weighs noisy pairs 1, then 0.5, then drops them", () => {
      expect(trained.reports.map((report) => weightsOf(noisyRows(report)))).toEqual([[1], [0.5], [0]]);
      expect(noisyRows(trained.reports[2]).every((row) => row.dropped && Number.isFinite(row.loss))).toBe(true);
      expect(trained.reports.every((report) => cleanRows(report).every((row) => row.weight === 1 && !row.dropped))).toBe(true);
    });

    it("trains the clean-only epoch on clean pairs alone", () => {
      // 200 pairs make 7 steps of 32, the 100 clean pairs 4.
      expect(trained.reports.map((report) => report.step)).toEqual([7, 14, 18]);
    });
  });

  describe("when mode is gradual", () => {
    it("keeps the lower-loss half in epoch 2", async () => {
      const trained = await train({ strategy: "curriculum", strategyParams: { mode: "gradual", alpha: 0.5, eta: 2 }, epochs: 2 });
      const [first, second] = trained.reports;
      const expectedKept = noisyRows(first)
        .sort((a, b) => a.loss - b.loss || a.sampleId - b.sampleId)
        .slice(0, 50)
        .map((row) => row.sampleId)
        .sort((a, b) => a - b);

      expect(noisyRows(first).every((row) => row.weight === 1)).toBe(true);
      expect(noisyRows(second).filter((row) => !row.dropped).map((row) => row.sampleId)).toEqual(expectedKept);
      expect(noisyRows(second).filter((row) => row.dropped).every((row) => row.weight === 0)).toBe(true);
    });
  });
});

describe("loss-truncation strategy in training", () => {
  const params = { c: 0.3, warmupEpochs: 1, window: 64 };

  it("drops only noisy pairs, and only after warm-up", async () => {
    const trained = await train({ strategy: "loss-truncation", strategyParams: params, epochs: 2 });
    const dropped = noisyRows(trained.reports[1]).filter((row) => row.dropped);

    expect(trained.reports[0].traces.every((row) => row.weight === 1 && !row.dropped)).toBe(true);
    expect(cleanRows(trained.reports[1]).every((row) => row.weight === 1 && !row.dropped)).toBe(true);
    expect(dropped.every((row) => row.weight === 0)).toBe(true);
    // About c = 30% of the noisy pairs, give or take the window's drift.
    expect(dropped.length).toBeGreaterThan(10);
    expect(dropped.length).toBeLessThan(60);
  });

  describe("when a run resumes from its epoch 1 checkpoint", () => {
    let straight: TrainedRun;
    let resumed: TrainedRun;

    beforeAll(async () => {
      const config = { strategy: "loss-truncation" as const, strategyParams: params, epochs: 3 };
      straight = await train(config, { dir: path.join(scratch, "truncation-straight") });
      resumed = await train(config, { dir: path.join(scratch, "truncation-resumed"), resumeFrom: straight.checkpoints[0].path });
    });

    it("checkpoints the window of noisy losses", async () => {
      const manifestFile = path.join(straight.checkpoints[0].path, "manifest.json");
      const manifest = checkpointManifestSchema.parse(JSON.parse(await readFile(manifestFile, "utf8")));
      const state = manifest.strategy.state as { window: number[] };

      expect(state.window).toHaveLength(64);
      expect(state.window.every(Number.isFinite)).toBe(true);
    });

    it("repeats the uninterrupted traces, drops included", () => {
      expect(resumed.reports.map((report) => report.epoch)).toEqual([2, 3]);
      expect(resumed.reports.map((report) => report.traces)).toEqual(straight.reports.slice(1).map((report) => report.traces));
      expect(resumed.reports[1].traces.some((row) => row.dropped)).toBe(true);
    });
  });
});

describe("training data without clean pairs", () => {
  /** Trains `config` on the noisy pairs alone and returns the epochs it reported before it ended. */
  async function trainNoisyOnly(config: Partial<RunConfigInput>): Promise<{ epochs: number[]; error: unknown }> {
    const epochs: number[] = [];
    const noisyData = { ...data, train: data.train.filter((pair) => pair.noisy) };
    const error = await trainModel({
      config: parseRunConfig({ datasetId: 1, preset: "micro", seed: 5, strategy: "uniform", ...config }),
      data: noisyData,
      onEpoch: async (report) => {
        epochs.push(report.epoch);
      },
      onProgress: () => {},
      shouldStop: () => false,
    }).then(() => undefined, (reason: unknown) => reason);
    return { epochs, error };
  }

  it.each([
    { strategy: "curriculum" as const, strategyParams: { mode: "anneal", cleanEpochs: 1 }, epochs: 3 },
    { strategy: "trusted-selection" as const, strategyParams: { fineTuneSteps: 2 }, epochs: 2 },
    { strategy: "co-teaching" as const, strategyParams: { tau: 1, rampEpochs: 1 }, epochs: 2 },
    { strategy: "clean-only" as const, strategyParams: {}, epochs: 1 },
    { strategy: "fixed-weight" as const, strategyParams: { lambda: 0 }, epochs: 1 },
    { strategy: "gradient-alignment" as const, strategyParams: {}, epochs: 1 },
  ])("rejects $strategy before epoch 1", async (config) => {
    const { epochs, error } = await trainNoisyOnly(config);

    expect(epochs).toEqual([]);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(`strategy ${config.strategy}`);
    expect((error as Error).message).toMatch("no clean pair");
  });

  it("trains a curriculum without clean epochs", async () => {
    const { epochs, error } = await trainNoisyOnly({ strategy: "curriculum", strategyParams: { mode: "anneal", cleanEpochs: 0 }, epochs: 1 });

    expect(error).toBeUndefined();
    expect(epochs).toEqual([1]);
  });
});

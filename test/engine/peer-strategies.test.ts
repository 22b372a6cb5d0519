import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRunConfig, type RunConfigInput } from "../../lib/run-config";
import { selectBackend } from "../../worker/engine/backend";
import { trainModel } from "../../worker/engine/train-model";
import type { CheckpointWritten, EpochReport, TrainOptions, TrainResult } from "../../worker/engine/types";
import { createStrategy } from "../../worker/strategies";
import type { StrategyBatch } from "../../worker/strategies/strategy";
import { selectTrusted } from "../../worker/strategies/trusted-selection";
import { loadMicroData } from "./micro-data";

let data: TrainOptions["data"];
let scratch: string;

interface RecordedRun {
  reports: EpochReport[];
  checkpoints: CheckpointWritten[];
  result: TrainResult;
}

async function recordRun(config: Partial<RunConfigInput>, checkpoints: TrainOptions["checkpoints"]): Promise<RecordedRun> {
  const reports: EpochReport[] = [];
  const written: CheckpointWritten[] = [];
  const result = await trainModel({
    config: parseRunConfig({ datasetId: 1, strategy: "uniform", preset: "micro", epochs: 3, seed: 8, ...config }),
    data,
    checkpoints,
    onEpoch: async (report) => {
      reports.push(report);
    },
    onCheckpoint: async (checkpoint) => {
      written.push(checkpoint);
    },
    onProgress: () => {},
    shouldStop: () => false,
  });
  return { reports, checkpoints: written, result };
}

function noisyIds(): Set<number> {
  return new Set(data.train.filter((pair) => pair.noisy).map((pair) => pair.sampleId));
}

beforeAll(async () => {
  data = await loadMicroData();
  await selectBackend();
  scratch = await mkdtemp(path.join(tmpdir(), "winnow-peer-strategies-"));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("co-teaching strategy", () => {
  /** Two clean pairs and four noisy ones; the peer ranks noisy pairs 4 < 6 < 3 < 5 by loss. */
  const batch: StrategyBatch = {
    epoch: 1,
    step: 0,
    samples: [1, 2, 3, 4, 5, 6].map((sampleId) => ({ sampleId, noisy: sampleId > 2 })),
    losses: Float32Array.from([9, 9, 1, 2, 3, 4]),
    peerLosses: Float32Array.from([9, 9, 3, 1, 4, 2]),
  };

  it("keeps every pair in the first epoch", () => {
    const result = createStrategy("co-teaching", {}).weights(batch);

    expect(result.weights).toEqual([1, 1, 1, 1, 1, 1]);
    expect(result.peer?.weights).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it("trains each model on its peer's small-loss share", () => {
    // Epoch 2 of tau 0.5 over 2 epochs keeps 1 - 0.25 = 0.75 of 4 noisy pairs: 3.
    const result = createStrategy("co-teaching", {}).weights({ ...batch, epoch: 2 });

    expect(result.weights).toEqual([1, 1, 1, 1, 0, 1]);
    expect(result.dropped).toEqual([false, false, false, false, true, false]);
    expect(result.peer?.weights).toEqual([1, 1, 1, 1, 1, 0]);
  });

  it("keeps 1 - tau once the ramp is over", () => {
    const result = createStrategy("co-teaching", { tau: 0.5, rampEpochs: 2 }).weights({ ...batch, epoch: 7 });

    expect(result.weights).toEqual([1, 1, 0, 1, 0, 1]);
    expect(result.peer?.weights).toEqual([1, 1, 1, 1, 0, 0]);
  });

  it("rejects a batch without peer losses", () => {
    expect(() => createStrategy("co-teaching", {}).weights({ ...batch, peerLosses: undefined })).toThrow(/no peer losses/);
  });
});

describe("selectTrusted", () => {
  it("keeps the pairs whose loss fell most under the fine-tuned model", () => {
    const current = new Map([[1, 5], [2, 4], [3, 6], [4, 3], [5, 2]]);
    const tuned = new Map([[1, 4], [2, 4.5], [3, 3], [4, 1], [5, 2]]);

    expect([...selectTrusted({ noisyIds: [1, 2, 3, 4, 5], current, tuned, keep: 0.4 })].sort()).toEqual([3, 4]);
    expect([...selectTrusted({ noisyIds: [1, 2, 3, 4, 5], current, tuned, keep: 0.5 })].sort()).toEqual([1, 3, 4]);
  });

  it("rejects a pair without a score, naming it", () => {
    expect(() => selectTrusted({ noisyIds: [7], current: new Map(), tuned: new Map(), keep: 1 })).toThrow(/sampleId 7/);
  });
});

describe.each([
  { strategy: "co-teaching" as const, strategyParams: {} },
  { strategy: "trusted-selection" as const, strategyParams: { fineTuneSteps: 4 } },
])("$strategy training", ({ strategy, strategyParams }) => {
  let straight: RecordedRun;
  let resumed: RecordedRun;
  let tensorsBefore: number;

  beforeAll(async () => {
    tensorsBefore = tf.memory().numTensors;
    straight = await recordRun({ strategy, strategyParams }, { dir: path.join(scratch, strategy, "straight") });
    resumed = await recordRun({ strategy, strategyParams }, { dir: path.join(scratch, strategy, "resumed"), resumeFrom: straight.checkpoints[1].path });
  });

  it("trains on every pair in the first epoch", () => {
    expect(straight.reports[0].traces.every((row) => row.weight === 1 && !row.dropped)).toBe(true);
  });

  it("drops noisy pairs only, after the first epoch", () => {
    const noisy = noisyIds();
    const dropped = straight.reports[2].traces.filter((row) => row.dropped);

    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped.every((row) => noisy.has(row.sampleId) && row.weight === 0)).toBe(true);
  });

  it("resumes from a checkpoint like the uninterrupted run", () => {
    expect(resumed.reports.map((report) => report.epoch)).toEqual([3]);
    expect(resumed.reports[0].traces).toEqual(straight.reports[2].traces);
    expect(resumed.reports[0].trainLoss).toBe(straight.reports[2].trainLoss);
    expect(resumed.result.testTranslations).toEqual(straight.result.testTranslations);
  });

  it("frees every tensor", () => {
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});

describe("trusted-selection training", () => {
  it("keeps exactly the keep share of noisy pairs after warm-up", async () => {
    const run = await recordRun({ strategy: "trusted-selection", strategyParams: { keep: 0.3, fineTuneSteps: 2 }, epochs: 2 }, undefined);
    const noisy = noisyIds();
    const noisyRows = run.reports[1].traces.filter((row) => noisy.has(row.sampleId));

    expect(noisyRows.filter((row) => !row.dropped)).toHaveLength(Math.ceil(0.3 * noisy.size));
    expect(run.reports[1].traces.filter((row) => !noisy.has(row.sampleId)).every((row) => !row.dropped)).toBe(true);
  });
});

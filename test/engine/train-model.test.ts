import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { WinnowError } from "../../lib/errors";
import { parseRunConfig, type RunConfigInput } from "../../lib/run-config";
import { selectBackend } from "../../worker/engine/backend";
import { CancelledError, trainModel } from "../../worker/engine/train-model";
import type { EpochReport, TrainOptions, TrainResult } from "../../worker/engine/types";
import { loadMicroData } from "./micro-data";

let data: TrainOptions["data"];

/** Reports of one training run, with the tensor count at each epoch. */
interface RecordedRun {
  reports: EpochReport[];
  tensorsAtEpoch: number[];
  progress: number[];
  result: TrainResult;
}

async function recordRun(config: Partial<RunConfigInput>): Promise<RecordedRun> {
  const recorded: Omit<RecordedRun, "result"> = { reports: [], tensorsAtEpoch: [], progress: [] };
  const result = await trainModel({
    config: parseRunConfig({ datasetId: 1, strategy: "uniform", preset: "micro", epochs: 2, seed: 3, ...config }),
    data,
    onEpoch: async (report) => {
      recorded.reports.push(report);
      recorded.tensorsAtEpoch.push(tf.memory().numTensors);
    },
    onProgress: (fraction) => {
      recorded.progress.push(fraction);
    },
    shouldStop: () => false,
  });
  return { ...recorded, result };
}

function traceLosses(run: RecordedRun): number[][] {
  return run.reports.map((report) => report.traces.map((row) => row.loss));
}

beforeAll(async () => {
  data = await loadMicroData();
  await selectBackend();
});

describe("trainModel", () => {
  describe("when training uniform on 200 pairs for 3 epochs", () => {
    let run: RecordedRun;
    let tensorsBefore: number;

    beforeAll(async () => {
      tensorsBefore = tf.memory().numTensors;
      run = await recordRun({ epochs: 3 });
    });

    it("lowers the training loss", () => {
      expect(run.reports.map((report) => report.epoch)).toEqual([1, 2, 3]);
      expect(run.reports[2].trainLoss).toBeLessThan(run.reports[0].trainLoss - 0.3);
    });

    it("traces every training pair each epoch", () => {
      for (const report of run.reports) {
        expect(report.traces.map((row) => row.sampleId)).toEqual(data.train.map((pair) => pair.sampleId));
        expect(report.traces.every((row) => row.weight === 1 && !row.dropped)).toBe(true);
        expect(report.traces.every((row) => Number.isFinite(row.loss) && row.loss > 0)).toBe(true);
      }
    });

    it("counts optimizer steps over all epochs", () => {
      // 200 pairs in batches of 32 make 7 steps per epoch.
      expect(run.reports.map((report) => report.step)).toEqual([7, 14, 21]);
    });

    it("keeps the tensor count from epoch to epoch", () => {
      expect(run.tensorsAtEpoch[1]).toBe(run.tensorsAtEpoch[0]);
      expect(run.tensorsAtEpoch[2]).toBe(run.tensorsAtEpoch[0]);
    });

    it("frees every tensor when done", () => {
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    });

    it("reports progress that rises to 1", () => {
      const sorted = [...run.progress].sort((a, b) => a - b);

      expect(run.progress).toEqual(sorted);
      expect(run.progress.at(-1)).toBe(1);
    });

    it("translates the validation pairs and up to 50 noisy pairs", () => {
      const noisyIds = data.train.filter((pair) => pair.noisy).slice(0, 50).map((pair) => pair.sampleId);
      const ids = run.reports[2].translations.map((row) => row.sampleId);

      expect(ids).toEqual([...data.valid.map((pair) => pair.sampleId), ...noisyIds]);
    });

    it("scores validation translations", () => {
      const last = run.reports[2];

      expect(last.validChrf).toBeGreaterThan(0);
      expect(last.validLengthRatio).toBeGreaterThan(0);
      expect(last.seconds).toBeGreaterThan(0);
    });

    it("returns test translations and scores", () => {
      expect(run.result.testTranslations.map((row) => row.sampleId)).toEqual(data.test.map((pair) => pair.sampleId));
      expect(run.result.backend).toBe("wasm");
      expect(run.result.bestValidBleu).toBe(Math.max(...run.reports.map((report) => report.validBleu)));
      expect(run.result.testChrf).toBeGreaterThan(0);
    });

    describe("and again with the same seed", () => {
      let again: RecordedRun;

      beforeAll(async () => {
        again = await recordRun({ epochs: 3 });
      });

      it("repeats every loss exactly", () => {
        expect(traceLosses(again)).toEqual(traceLosses(run));
      });

      it("repeats the translations", () => {
        expect(again.result.testTranslations).toEqual(run.result.testTranslations);
      });
    });
  });

  describe("when the seed differs", () => {
    it("gives other losses", async () => {
      const first = await recordRun({ epochs: 1, seed: 3 });
      const second = await recordRun({ epochs: 1, seed: 4 });

      expect(traceLosses(second)).not.toEqual(traceLosses(first));
    });
  });

  describe("when the strategy is clean-only", () => {
    let run: RecordedRun;

    beforeAll(async () => {
      run = await recordRun({ strategy: "clean-only", epochs: 1 });
    });

    it("trains on clean pairs only", () => {
      // 100 clean pairs in batches of 32 make 4 steps.
      expect(run.reports[0].step).toBe(4);
    });

    it("traces noisy pairs as dropped with a loss", () => {
      const noisy = new Set(data.train.filter((pair) => pair.noisy).map((pair) => pair.sampleId));
      const noisyRows = run.reports[0].traces.filter((row) => noisy.has(row.sampleId));
      const cleanRows = run.reports[0].traces.filter((row) => !noisy.has(row.sampleId));

      expect(noisyRows).toHaveLength(100);
      expect(noisyRows.every((row) => row.weight === 0 && row.dropped && Number.isFinite(row.loss))).toBe(true);
      expect(cleanRows.every((row) => row.weight === 1 && !row.dropped)).toBe(true);
    });
  });

  describe("when the strategy is fixed-weight", () => {
    it("traces noisy pairs with lambda", async () => {
      const run = await recordRun({ strategy: "fixed-weight", strategyParams: { lambda: 0.25 }, epochs: 1 });
      const weights = new Map(run.reports[0].traces.map((row) => [row.sampleId, row.weight]));

      for (const pair of data.train) expect(weights.get(pair.sampleId)).toBe(pair.noisy ? 0.25 : 1);
    });
  });

  describe("when shouldStop turns true", () => {
    it("rejects with CancelledError and frees every tensor", async () => {
      const before = tf.memory().numTensors;
      let checks = 0;
      const training = trainModel({
        config: parseRunConfig({ datasetId: 1, strategy: "uniform", preset: "micro", epochs: 2 }),
        data,
        onEpoch: async () => {},
        onProgress: () => {},
        shouldStop: async () => ++checks > 3,
      });

      await expect(training).rejects.toBeInstanceOf(CancelledError);
      expect(checks).toBe(4);
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  describe("when sample ids repeat", () => {
    it("rejects the data", async () => {
      const duplicated = { ...data, train: [...data.train, data.train[0]] };
      const training = trainModel({
        config: parseRunConfig({ datasetId: 1, strategy: "uniform", preset: "micro", epochs: 1 }),
        data: duplicated,
        onEpoch: async () => {},
        onProgress: () => {},
        shouldStop: () => false,
      });

      await expect(training).rejects.toThrow(WinnowError);
      await expect(training).rejects.toThrow(`data.train contains sampleId ${data.train[0].sampleId} twice`);
    });
  });
});

import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnv } from "../../lib/env";
import { parseRunConfig } from "../../lib/run-config";
import { selectBackend } from "../../worker/engine/backend";
import { loadNativeAddon } from "../../worker/engine/kernels/native-addon";
import { trainModel } from "../../worker/engine/train-model";
import type { EpochReport, TrainOptions } from "../../worker/engine/types";
import { loadMicroData } from "./micro-data";

const { addon, error } = loadNativeAddon();
const SUITE = addon === null ? `training with native kernels (skipped: ${error})` : "training with native kernels";

/** Largest difference allowed between a pair's loss with and without the native kernels. */
const LOSS_TOLERANCE = 1e-4;

interface RecordedRun {
  reports: EpochReport[];
  device: string;
  tensorsBefore: number;
  tensorsAfter: number;
}

/**
 * Trains the tiny model preset (dropout and label smoothing on) for 2 epochs on 200 Multi30k
 * pairs, with the native kernels on or off.
 */
async function train(data: TrainOptions["data"], nativeKernels: boolean): Promise<RecordedRun> {
  process.env.WINNOW_NATIVE_KERNELS = nativeKernels ? "1" : "0";
  resetEnv();
  const reports: EpochReport[] = [];
  const tensorsBefore = tf.memory().numTensors;
  const result = await trainModel({
    config: parseRunConfig({ datasetId: 1, strategy: "fixed-weight", preset: "tiny", epochs: 2, seed: 4 }),
    data,
    onEpoch: async (report) => {
      reports.push(report);
    },
    onProgress: () => undefined,
    shouldStop: () => false,
  });
  return { reports, device: result.device, tensorsBefore, tensorsAfter: tf.memory().numTensors };
}

describe.skipIf(addon === null)(SUITE, () => {
  let native: RecordedRun;
  let builtin: RecordedRun;

  beforeAll(async () => {
    process.env.WINNOW_BACKEND = "wasm";
    resetEnv();
    await selectBackend();
    const data = await loadMicroData();
    native = await train(data, true);
    builtin = await train(data, false);
  });

  afterAll(() => {
    delete process.env.WINNOW_BACKEND;
    delete process.env.WINNOW_NATIVE_KERNELS;
    resetEnv();
  });

  it("runs on the OpenBLAS kernels only when they are on", () => {
    expect(native.device).toContain("OpenBLAS kernels");
    expect(builtin.device).not.toContain("OpenBLAS");
  });

  it("gives every pair the same loss in every epoch", () => {
    expect(native.reports.map((report) => report.epoch)).toEqual([1, 2]);
    native.reports.forEach((report, epoch) => {
      const expected = builtin.reports[epoch].traces;
      const differences = report.traces.map((row, i) => Math.abs(row.loss - expected[i].loss));

      expect(report.traces.map((row) => row.sampleId)).toEqual(expected.map((row) => row.sampleId));
      expect(Math.max(...differences), `epoch ${epoch + 1}`).toBeLessThan(LOSS_TOLERANCE);
    });
  });

  it("gives the same training loss", () => {
    const nativeLosses = native.reports.map((report) => report.trainLoss);
    const builtinLosses = builtin.reports.map((report) => report.trainLoss);

    nativeLosses.forEach((loss, epoch) => expect(loss).toBeCloseTo(builtinLosses[epoch], 4));
    expect(nativeLosses[1]).toBeLessThan(nativeLosses[0]);
  });

  it("frees every tensor it created", () => {
    expect(native.tensorsAfter).toBe(native.tensorsBefore);
  });
});

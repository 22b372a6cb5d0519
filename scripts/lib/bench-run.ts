import * as tf from "@tensorflow/tfjs-core";
import { buildMulti30kRecipe, dataPreset } from "../../lib/datasets/multi30k-recipe";
import { env, resetEnv } from "../../lib/env";
import { MODEL_PRESETS, type ModelPresetName, PRESET_NAMES } from "../../lib/presets";
import { parseRunConfig } from "../../lib/run-config";
import { type BackendInfo, selectBackend } from "../../worker/engine/backend";
import { type EncodedPair, makeBatches } from "../../worker/engine/batches";
import { disposeRun, prepareRun, type TrainingRun } from "../../worker/engine/prepare-run";
import { registerGradients } from "../../worker/engine/register-gradients";
import type { TrainOptions } from "../../worker/engine/types";
import { DATA_FOR_MODEL_PRESET } from "./prepare";

/** Seed of every benchmark run, so both frameworks and repeated runs see the same batches. */
export const BENCH_SEED = 1;

/** Loads the training pairs of the Multi30k recipe that a model preset trains on by default. */
export async function loadBenchPairs(preset: ModelPresetName): Promise<TrainOptions["data"]> {
  const pairs = await buildMulti30kRecipe(env().MULTI30K_DIR, dataPreset(DATA_FOR_MODEL_PRESET[preset]));
  return {
    train: pairs.train.map((pair, i) => ({ sampleId: i, src: pair.src, tgt: pair.tgt, noisy: pair.noisy })),
    valid: [],
    test: [],
  };
}

/**
 * Prepares a `uniform` run of `preset` on `data` (tokenizer, model, optimizer) and the first
 * `count` batches of its first epoch. The caller disposes the run with `disposeRun`.
 */
export function prepareBenchRun(options: {
  preset: ModelPresetName;
  data: TrainOptions["data"];
  count: number;
}): { run: TrainingRun; batches: EncodedPair[][] } {
  const config = parseRunConfig({ datasetId: 1, strategy: "uniform", preset: options.preset, epochs: 1, seed: BENCH_SEED });
  const run = prepareRun({
    config,
    data: options.data,
    onEpoch: async () => undefined,
    onProgress: () => undefined,
    shouldStop: () => false,
  });
  const batches = makeBatches({ pairs: run.train, batchSize: run.preset.batchSize, random: run.shuffleRandom });
  if (batches.length < options.count) {
    disposeRun(run);
    throw new Error(`preset ${options.preset} gives ${batches.length} batches per epoch, fewer than the ${options.count} requested`);
  }
  return { run, batches: batches.slice(0, options.count) };
}

/** Counts the real (non-padding) source and target tokens of a batch, eos included. */
export function batchTokens(batch: EncodedPair[]): number {
  return batch.reduce((sum, pair) => sum + pair.srcIds.length + pair.tgtIds.length + 1, 0);
}

/**
 * Activates the wasm backend with the native kernels on or off (WINNOW_NATIVE_KERNELS), and
 * registers the gradients. Throws when native kernels were requested but did not load.
 */
export async function activateBackend(nativeKernels: boolean): Promise<BackendInfo> {
  process.env.WINNOW_BACKEND = "wasm";
  process.env.WINNOW_NATIVE_KERNELS = nativeKernels ? "1" : "0";
  resetEnv();
  registerGradients();
  const info = await selectBackend();
  if (nativeKernels && !info.device.includes("OpenBLAS")) {
    const reason = info.skipped.map((entry) => `${entry.candidate}: ${entry.reason}`).join("; ");
    throw new Error(`native kernels did not load: ${reason}`);
  }
  return info;
}

/** Parses a comma-separated list of model preset names. */
export function parsePresetList(value: string): ModelPresetName[] {
  const names = value.split(",").map((name) => name.trim()).filter((name) => name.length > 0);
  for (const name of names) {
    if (!Object.hasOwn(MODEL_PRESETS, name)) {
      throw new Error(`unknown model preset "${name}"; valid presets: ${PRESET_NAMES.join(", ")}`);
    }
  }
  return names as ModelPresetName[];
}

/** Parses a command-line count, naming the option in the error. */
export function parseCount(option: string, value: string, minimum: number): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < minimum) {
    throw new Error(`--${option} must be an integer of at least ${minimum}, got ${value}`);
  }
  return count;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Tensors alive now; a benchmark checks that training steps leak none. */
export function liveTensors(): number {
  return tf.memory().numTensors;
}

import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs-core";
import { buildMulti30kRecipe } from "../lib/datasets/multi30k-recipe";
import { env } from "../lib/env";
import { parseRunConfig } from "../lib/run-config";
import { selectBackend } from "../worker/engine/backend";
import { listCheckpoints, removeCheckpoint } from "../worker/engine/checkpoint";
import { trainModel } from "../worker/engine/train-model";
import type { TrainOptions } from "../worker/engine/types";
import { checkpointsToRemove, KEPT_CHECKPOINTS } from "../worker/run-checkpoints";

const USAGE = `usage: npm run bench:memory -- [--epochs 100] [--pairs 300] [--preset tiny] [--window 50] [--seed 1]
Trains one run without a database, writing and pruning checkpoints as the worker does, and
prints the process's resident set size (RSS), V8 heap used and tf.memory().numTensors after
every epoch, then the least-squares slope of RSS and heap over the last --window epochs.
  --epochs  training epochs (default 100)
  --pairs   training pairs, half clean and half noisy (default 300); 20 valid and 20 test pairs
  --preset  model preset (default tiny)
  --window  epochs at the end that the slopes cover (default 50)
  --seed    random seed (default 1)
Run through npm, the script has --expose-gc, so it collects garbage before each measurement.`;

const MEBIBYTE = 1024 * 1024;
const EVAL_PAIRS = 20;
const VALID_ID_OFFSET = 1_000_000;
const TEST_ID_OFFSET = 2_000_000;

interface EpochSample {
  epoch: number;
  rssMiB: number;
  heapUsedMiB: number;
  numTensors: number;
  seconds: number;
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      epochs: { type: "string", default: "100" },
      pairs: { type: "string", default: "300" },
      preset: { type: "string", default: "tiny" },
      window: { type: "string", default: "50" },
      seed: { type: "string", default: "1" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const epochs = Number(values.epochs);
  const pairs = Number(values.pairs);
  const window = Number(values.window);
  if (!Number.isInteger(pairs) || pairs < 2) throw new Error(`--pairs must be an integer of at least 2, got ${values.pairs}`);
  if (!Number.isInteger(window) || window < 2) throw new Error(`--window must be an integer of at least 2, got ${values.window}`);
  const config = parseRunConfig({ datasetId: 1, strategy: "uniform", preset: values.preset, epochs, seed: Number(values.seed) });
  return { config, pairs, window: Math.min(window, config.epochs) };
}

async function loadData(pairs: number): Promise<TrainOptions["data"]> {
  const clean = Math.ceil(pairs / 2);
  const recipe = await buildMulti30kRecipe(env().MULTI30K_DIR, { clean, noisy: pairs - clean, valid: EVAL_PAIRS, test: EVAL_PAIRS });
  return {
    train: recipe.train.map((pair, i) => ({ sampleId: i, src: pair.src, tgt: pair.tgt, noisy: pair.noisy })),
    valid: recipe.valid.map((pair, i) => ({ sampleId: VALID_ID_OFFSET + i, src: pair.src, tgt: pair.tgt })),
    test: recipe.test.map((pair, i) => ({ sampleId: TEST_ID_OFFSET + i, src: pair.src, tgt: pair.tgt })),
  };
}

/** Measures memory after a garbage collection, when the process runs with --expose-gc. */
function measure(epoch: number, seconds: number): EpochSample {
  globalThis.gc?.();
  const usage = process.memoryUsage();
  return { epoch, rssMiB: usage.rss / MEBIBYTE, heapUsedMiB: usage.heapUsed / MEBIBYTE, numTensors: tf.memory().numTensors, seconds };
}

/** Least-squares slope of `values` against their index: the average change per epoch. */
function slope(values: readonly number[]): number {
  const n = values.length;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((sum, value) => sum + value, 0) / n;
  let covariance = 0;
  let variance = 0;
  values.forEach((value, x) => {
    covariance += (x - meanX) * (value - meanY);
    variance += (x - meanX) ** 2;
  });
  return covariance / variance;
}

function formatRow(sample: EpochSample): string {
  return [
    String(sample.epoch).padStart(5),
    sample.rssMiB.toFixed(1).padStart(9),
    sample.heapUsedMiB.toFixed(1).padStart(10),
    String(sample.numTensors).padStart(11),
    sample.seconds.toFixed(2).padStart(9),
  ].join(" ");
}

async function main(): Promise<void> {
  const { config, pairs, window } = parseOptions();
  const data = await loadData(pairs);
  await selectBackend();
  const checkpointDir = await mkdtemp(path.join(os.tmpdir(), "winnow-bench-memory-"));
  const samples: EpochSample[] = [];
  console.log(`preset ${config.preset}, ${data.train.length} training pairs, ${config.epochs} epochs, seed ${config.seed}, gc ${globalThis.gc ? "on" : "off (run with --expose-gc)"}`);
  console.log(`${measure(0, 0).rssMiB.toFixed(1)} MiB RSS before training`);
  console.log("epoch  RSS (MiB)  heap (MiB)  numTensors  epoch (s)");

  try {
    const result = await trainModel({
      config,
      data,
      checkpoints: { dir: checkpointDir },
      onEpoch: async (report) => {
        samples.push(measure(report.epoch, report.seconds));
        console.log(formatRow(samples[samples.length - 1]));
      },
      onCheckpoint: async () => {
        const stale = checkpointsToRemove(await listCheckpoints(checkpointDir), { keep: KEPT_CHECKPOINTS, finalEpoch: config.epochs });
        for (const checkpoint of stale) await removeCheckpoint(checkpoint.path);
      },
      onProgress: () => {},
      shouldStop: () => false,
    });

    const last = samples.slice(-window);
    console.log(`backend ${result.backend} (${result.device})`);
    console.log(`RSS slope over the last ${last.length} epochs: ${(slope(last.map((s) => s.rssMiB)) * 1024).toFixed(1)} KiB/epoch`);
    console.log(`heap slope over the last ${last.length} epochs: ${(slope(last.map((s) => s.heapUsedMiB)) * 1024).toFixed(1)} KiB/epoch`);
    console.log(`numTensors: ${Math.min(...samples.map((s) => s.numTensors))} to ${Math.max(...samples.map((s) => s.numTensors))} over all epochs; ${tf.memory().numTensors} after the run`);
  } finally {
    await rm(checkpointDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench-memory failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});

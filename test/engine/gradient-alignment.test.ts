import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { Random } from "../../lib/random";
import { selectBackend } from "../../worker/engine/backend";
import { cleanGradientAlignment } from "../../worker/engine/gradient-alignment";
import { registerGradients } from "../../worker/engine/register-gradients";
import { createStrategy } from "../../worker/strategies";
import type { StrategyBatch } from "../../worker/strategies/strategy";
import { loadMicroData, trainEpochReports } from "./micro-data";

const PAIRS = 4;
const LENGTH = 5;
const D_MODEL = 6;
const VOCAB = 7;
/** Real target tokens per pair; the rest of each row is padding. */
const TOKEN_COUNTS = [5, 3, 4, 2];
const CLEAN = [true, false, true, false];

function randomValues(random: Random, size: number): Float32Array {
  return Float32Array.from({ length: size }, () => random.next() * 2 - 1);
}

/** Per-pair output-layer gradients from tf.grad, one backward pass per pair. */
function bruteForceAlignment(hidden: tf.Tensor3D, weights: tf.Tensor2D, targets: tf.Tensor2D, mask: tf.Tensor2D): number[] {
  const gradients = Array.from({ length: PAIRS }, (_, pair) =>
    tf.grad((projection: tf.Tensor) => {
      const rowHidden = tf.reshape(tf.slice(hidden, [pair, 0, 0], [1, LENGTH, D_MODEL]), [LENGTH, D_MODEL]);
      const logProbabilities = tf.logSoftmax(tf.matMul(rowHidden, projection, false, true));
      const oneHot = tf.cast(tf.oneHot(tf.reshape(tf.slice(targets, [pair, 0], [1, LENGTH]), [LENGTH]), VOCAB), "float32");
      const rowMask = tf.reshape(tf.slice(mask, [pair, 0], [1, LENGTH]), [LENGTH]);
      const tokenNll = tf.neg(tf.sum(tf.mul(logProbabilities, oneHot), 1));
      return tf.div(tf.sum(tf.mul(tokenNll, rowMask)), TOKEN_COUNTS[pair]);
    })(weights),
  );
  const cleanIndices = CLEAN.flatMap((isClean, index) => (isClean ? [index] : []));
  const cleanMean = tf.div(tf.addN(cleanIndices.map((index) => gradients[index])), cleanIndices.length);
  return gradients.map((gradient) => tf.sum(tf.mul(gradient, cleanMean)).dataSync()[0]);
}

beforeAll(async () => {
  registerGradients();
  await selectBackend();
});

describe("cleanGradientAlignment", () => {
  it("matches per-pair output-layer gradients from autodiff", () => {
    const random = new Random(5, "alignment-test");
    const hidden = tf.tensor3d(randomValues(random, PAIRS * LENGTH * D_MODEL), [PAIRS, LENGTH, D_MODEL]);
    const weights = tf.tensor2d(randomValues(random, VOCAB * D_MODEL), [VOCAB, D_MODEL]);
    const targets = tf.tensor2d(Int32Array.from({ length: PAIRS * LENGTH }, (_, i) => (i * 3) % VOCAB), [PAIRS, LENGTH], "int32");
    const mask = tf.tensor2d(Float32Array.from({ length: PAIRS * LENGTH }, (_, i) => (i % LENGTH < TOKEN_COUNTS[Math.floor(i / LENGTH)] ? 1 : 0)), [PAIRS, LENGTH]);
    const logits = tf.reshape(tf.matMul(tf.reshape(hidden, [-1, D_MODEL]), weights, false, true), [PAIRS, LENGTH, VOCAB]);

    const alignment = cleanGradientAlignment({ hidden, logits, targets, mask, clean: CLEAN });
    const expected = bruteForceAlignment(hidden, weights, targets, mask);

    expect(alignment).not.toBeNull();
    Array.from(alignment ?? []).forEach((value, index) => expect(value).toBeCloseTo(expected[index], 5));
    tf.dispose([hidden, weights, targets, mask, logits]);
  });

  it("ignores huge logits on padding rows", () => {
    // One clean pair of 1 real token and one noisy pair of 2; row 1 of pair 0 is padding whose
    // logits would overflow exp() if the kernel's log-sum-exp of 0 were used there.
    const hidden = tf.ones([2, 2, 3]);
    const logits = tf.tensor3d([[[0, 1, 2], [200, 300, 400]], [[1, 0, 0], [0, 1, 0]]]);
    const logSumExp = tf.tensor2d([[Math.log(1 + Math.E + Math.E ** 2), 0], [Math.log(Math.E + 2), Math.log(Math.E + 2)]]);
    const targets = tf.tensor2d([[2, 0], [0, 1]], [2, 2], "int32");
    const mask = tf.tensor2d([[1, 0], [1, 1]]);

    const alignment = cleanGradientAlignment({ hidden, logits, targets, mask, clean: [true, false], logSumExp });

    expect(Array.from(alignment ?? []).every(Number.isFinite)).toBe(true);
    tf.dispose([hidden, logits, logSumExp, targets, mask]);
  });

  it("returns null for a batch without clean pairs", () => {
    const tensors = [tf.zeros([1, 2, 3]), tf.zeros([1, 2, 4]), tf.zeros([1, 2], "int32"), tf.ones([1, 2])] as const;
    const [hidden, logits, targets, mask] = tensors;

    expect(cleanGradientAlignment({ hidden, logits, targets: targets as tf.Tensor2D, mask: mask as tf.Tensor2D, clean: [false] })).toBeNull();
    tf.dispose([...tensors]);
  });
});

describe("gradient-alignment strategy", () => {
  /** Clean pairs 1 and 3 align 2 and 4 with the clean mean, so the clean scale is 3. */
  const batch: StrategyBatch = {
    epoch: 1,
    step: 0,
    samples: [
      { sampleId: 1, noisy: false },
      { sampleId: 2, noisy: true },
      { sampleId: 3, noisy: false },
      { sampleId: 4, noisy: true },
      { sampleId: 5, noisy: true },
    ],
    losses: Float32Array.from([1, 2, 3, 4, 5]),
    cleanAlignment: Float32Array.from([2, 1.5, 4, -0.5, 9]),
  };

  it("gives 0 to a noisy pair whose gradient opposes the clean one", () => {
    const result = createStrategy("gradient-alignment", {}).weights(batch);

    expect(result.weights[3]).toBe(0);
    expect(result.dropped[3]).toBe(true);
  });

  it("scales noisy pairs by the mean clean alignment and caps them", () => {
    const result = createStrategy("gradient-alignment", {}).weights(batch);

    expect(result.weights).toEqual([1, 0.5, 1, 0, 1]);
    expect(result.dropped).toEqual([false, false, false, true, false]);
  });

  it("lets maxWeight raise the cap", () => {
    const result = createStrategy("gradient-alignment", { maxWeight: 2 }).weights(batch);

    expect(result.weights).toEqual([1, 0.5, 1, 0, 2]);
  });

  it("gives noisy pairs 0 in a batch without clean pairs", () => {
    const result = createStrategy("gradient-alignment", {}).weights({ ...batch, cleanAlignment: undefined });

    expect(result.weights).toEqual([1, 0, 1, 0, 0]);
    expect(result.dropped).toEqual([false, true, false, true, true]);
  });

  it("rejects a maxWeight of 0, naming the field", () => {
    expect(() => createStrategy("gradient-alignment", { maxWeight: 0 })).toThrow(/maxWeight/);
  });
});

describe("gradient-alignment training", () => {
  it("weighs clean pairs 1 and noisy pairs from 0 to 1", async () => {
    const data = await loadMicroData();
    const reports = await trainEpochReports({ datasetId: 1, strategy: "gradient-alignment", preset: "micro", epochs: 2, seed: 6 }, data);
    const noisy = new Set(data.train.filter((pair) => pair.noisy).map((pair) => pair.sampleId));
    const noisyWeights = reports[1].traces.filter((row) => noisy.has(row.sampleId)).map((row) => row.weight);

    expect(reports[1].traces.filter((row) => !noisy.has(row.sampleId)).every((row) => row.weight === 1)).toBe(true);
    expect(noisyWeights.every((weight) => weight >= 0 && weight <= 1)).toBe(true);
    expect(noisyWeights.some((weight) => weight < 1)).toBe(true);
    expect(noisyWeights.some((weight) => weight > 0)).toBe(true);
  });
});

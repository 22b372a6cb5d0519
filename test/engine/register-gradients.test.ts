import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../worker/engine/backend";
import { loadNativeAddon } from "../../worker/engine/kernels/native-addon";
import { disableNativeKernels, enableNativeKernels, nativeKernelsActive } from "../../worker/engine/kernels/native-kernels";
import { type AttentionParams, multiHeadAttention } from "../../worker/engine/layers/attention";
import { embedTokens } from "../../worker/engine/layers/embedding";
import { layerNorm, type LayerNormParams } from "../../worker/engine/layers/layer-norm";
import { linear, type LinearParams } from "../../worker/engine/layers/linear";
import { matMul } from "../../worker/engine/layers/mat-mul";
import { Random } from "../../lib/random";
import { registerGradients } from "../../worker/engine/register-gradients";
import { sequenceLosses } from "../../worker/engine/sequence-loss";

/** Step of the central differences; float32 rounding limits how small it can be. */
const STEP = 1e-2;
const TOLERANCE = 2e-2;

beforeAll(async () => {
  await selectBackend();
  registerGradients();
});

const random = new Random(5, "gradient-test");
const ADDON = loadNativeAddon();

function randomTensor(shape: number[], offset = 0, scale = 1): tf.Tensor {
  const size = shape.reduce((product, dim) => product * dim, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => offset + scale * random.normal()), shape);
}

/** Reduces an op's output to a scalar with fixed random weights, so every output element counts. */
function weightedSum(op: (...inputs: tf.Tensor[]) => tf.Tensor): (...inputs: tf.Tensor[]) => tf.Scalar {
  let weights: tf.Tensor | undefined;
  return (...inputs) => {
    const output = op(...inputs);
    weights ??= tf.keep(randomTensor(output.shape));
    return tf.sum(tf.mul(output, weights));
  };
}

/** Maximum difference between the analytic gradient and central differences, over all inputs. */
function maxGradientError(op: (...inputs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): number {
  const f = weightedSum(op);
  const analytic = tf.grads(f)(inputs).map((gradient) => gradient.dataSync());
  let worst = 0;
  inputs.forEach((input, which) => {
    const values = input.dataSync().slice();
    for (let i = 0; i < values.length; i++) {
      const evaluate = (delta: number) => {
        const shifted = values.slice();
        shifted[i] += delta;
        const moved = inputs.map((other, k) => (k === which ? tf.tensor(shifted, input.shape) : other));
        return f(...moved).dataSync()[0];
      };
      const numeric = (evaluate(STEP) - evaluate(-STEP)) / (2 * STEP);
      worst = Math.max(worst, Math.abs(numeric - analytic[which][i]));
    }
  });
  return worst;
}

const CASES: [string, (...inputs: tf.Tensor[]) => tf.Tensor, () => tf.Tensor[]][] = [
  ["add with broadcasting", (a, b) => tf.add(a, b), () => [randomTensor([2, 3]), randomTensor([3])]],
  ["sub with broadcasting", (a, b) => tf.sub(a, b), () => [randomTensor([2, 3]), randomTensor([2, 1])]],
  ["mul with broadcasting", (a, b) => tf.mul(a, b), () => [randomTensor([2, 3]), randomTensor([1, 3])]],
  ["div", (a, b) => tf.div(a, b), () => [randomTensor([2, 3]), randomTensor([2, 3], 2, 0.3)]],
  ["neg", (x) => tf.neg(x), () => [randomTensor([4])]],
  ["square", (x) => tf.square(x), () => [randomTensor([4])]],
  ["rsqrt", (x) => tf.rsqrt(x), () => [randomTensor([4], 2, 0.3)]],
  ["relu", (x) => tf.relu(x), () => [tf.tensor([-1.5, -0.5, 0.5, 1.5])]],
  ["reshape", (x) => tf.mul(tf.reshape(x, [3, 2]), tf.tensor([[1, 2], [3, 4], [5, 6]])), () => [randomTensor([2, 3])]],
  ["transpose", (x) => tf.transpose(x, [1, 2, 0]), () => [randomTensor([2, 3, 4])]],
  ["softmax", (x) => tf.softmax(x), () => [randomTensor([2, 5])]],
  ["logSoftmax", (x) => tf.logSoftmax(x), () => [randomTensor([2, 5])]],
  ["sum over one axis", (x) => tf.sum(x, 1), () => [randomTensor([2, 3, 4])]],
  ["sum keeping dims", (x) => tf.sum(x, -1, true), () => [randomTensor([2, 3, 4])]],
  ["mean over two axes", (x) => tf.mean(x, [0, 2]), () => [randomTensor([2, 3, 4])]],
  ["mean keeping dims", (x) => tf.mean(x, -1, true), () => [randomTensor([2, 3, 4])]],
  ["matMul", (a, b) => matMul(a, b), () => [randomTensor([2, 3]), randomTensor([3, 4])]],
  ["matMul with transposeA", (a, b) => matMul(a, b, true, false), () => [randomTensor([3, 2]), randomTensor([3, 4])]],
  ["matMul with transposeB", (a, b) => matMul(a, b, false, true), () => [randomTensor([2, 3]), randomTensor([4, 3])]],
  ["matMul with both transposes", (a, b) => matMul(a, b, true, true), () => [randomTensor([3, 2]), randomTensor([4, 3])]],
  ["batched matMul", (a, b) => matMul(a, b), () => [randomTensor([2, 2, 3, 4]), randomTensor([2, 2, 4, 3])]],
  ["batched matMul with transposeB", (a, b) => matMul(a, b, false, true), () => [randomTensor([2, 2, 3, 4]), randomTensor([2, 2, 5, 4])]],
  ["batched matMul with transposeA", (a, b) => matMul(a, b, true, false), () => [randomTensor([2, 2, 4, 3]), randomTensor([2, 2, 4, 5])]],
  ["batched matMul with both transposes", (a, b) => matMul(a, b, true, true), () => [randomTensor([2, 2, 4, 3]), randomTensor([2, 2, 5, 4])]],
  [
    "layerNorm",
    (x, gamma, beta) => layerNorm(x, { gamma, beta } as unknown as LayerNormParams),
    () => [randomTensor([2, 3, 4]), randomTensor([4], 1, 0.3), randomTensor([4])],
  ],
  [
    "linear",
    (x, weight, bias) => linear(x, { weight, bias } as unknown as LinearParams),
    () => [randomTensor([2, 3, 4]), randomTensor([4, 5]), randomTensor([5])],
  ],
  ["sequenceLosses with padding", sequenceLossesOf, () => [randomTensor([2, 3, 5])]],
  ["multiHeadAttention with a padding bias", attentionOf, () => [randomTensor([2, 3, 4]), randomTensor([2, 2, 4]), ...projections()]],
];

/**
 * Label-smoothed plus 3 times plain pair losses of `logits` [2, 3, 5] against fixed targets, one
 * padded, so that the gradients of both outputs are checked.
 */
function sequenceLossesOf(logits: tf.Tensor): tf.Tensor {
  const targets = tf.tensor2d([[1, 4, 0], [3, 3, 2]], [2, 3], "int32");
  const mask = tf.tensor2d([[1, 1, 0], [1, 1, 1]]);
  const { smoothed, nll } = sequenceLosses({ logits, targets, mask, labelSmoothing: 0.1 });
  return tf.add(smoothed, tf.mul(nll, 3));
}

/** Two-head cross-attention of `input` [2, 3, 4] to `memory` [2, 2, 4], the second key of pair 0 hidden. */
function attentionOf(input: tf.Tensor, memory: tf.Tensor, ...weights: tf.Tensor[]): tf.Tensor {
  const [query, key, value, output] = [0, 2, 4, 6].map((i) => ({ weight: weights[i], bias: weights[i + 1] }) as unknown as LinearParams);
  const params: AttentionParams = { query, key, value, output };
  const bias = tf.tensor4d([0, -1e9, 0, 0], [2, 1, 1, 2]);
  return multiHeadAttention({ params, heads: 2, input, memory, bias });
}

/** Weights and biases of the four attention projections, dModel 4. */
function projections(): tf.Tensor[] {
  return [0, 1, 2, 3].flatMap(() => [randomTensor([4, 4], 0, 0.5), randomTensor([4], 0, 0.1)]);
}

const MODES = [
  { mode: "the built-in wasm kernels", native: false },
  { mode: ADDON.addon === null ? `the native kernels (skipped: ${ADDON.error})` : "the native kernels", native: true },
];

describe.each(MODES)("registerGradients with $mode", ({ native }) => {
  beforeAll(() => {
    if (native && ADDON.addon !== null) enableNativeKernels(ADDON.addon);
    else disableNativeKernels();
  });

  afterAll(() => {
    if (ADDON.addon !== null) enableNativeKernels(ADDON.addon);
  });

  it.skipIf(native && ADDON.addon === null).each(CASES)("matches central differences for %s", (_name, op, makeInputs) => {
    expect(nativeKernelsActive()).toBe(native);
    const error = tf.tidy(() => maxGradientError(op, makeInputs()));

    expect(error).toBeLessThan(TOLERANCE);
  });
});

describe("registerGradients", () => {

  it("keeps a gradient that is already registered", () => {
    const before = tf.getGradient(tf.Add);
    registerGradients();

    expect(tf.getGradient(tf.Add)).toBe(before);
  });
});

describe("embedTokens", () => {
  it("has the gradient of a one-hot product", () => {
    const table = randomTensor([6, 4]) as tf.Tensor2D;
    const ids = tf.tensor2d([[1, 3, 3], [0, 5, 1]], [2, 3], "int32");
    const weights = randomTensor([2, 3, 4]);
    const lookup = (t: tf.Tensor) => tf.sum(tf.mul(embedTokens(t as tf.Tensor2D, ids), weights));
    const reference = (t: tf.Tensor) => {
      const oneHot = tf.cast(tf.oneHot(tf.reshape(ids, [-1]) as tf.Tensor1D, 6), "float32");
      return tf.sum(tf.mul(tf.reshape(tf.matMul(oneHot, t), [2, 3, 4]), weights));
    };

    const gradient = tf.grad(lookup)(table).arraySync() as number[][];
    const expected = tf.grad(reference)(table).arraySync() as number[][];

    expect(tf.tidy(() => lookup(table).dataSync()[0])).toBeCloseTo(tf.tidy(() => reference(table).dataSync()[0]), 5);
    gradient.forEach((row, i) => row.forEach((value, j) => expect(value).toBeCloseTo(expected[i][j], 5)));
  });
});

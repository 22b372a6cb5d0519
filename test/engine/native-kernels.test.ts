import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnv } from "../../lib/env";
import { AdamOptimizer } from "../../worker/engine/adam-optimizer";
import { selectBackend } from "../../worker/engine/backend";
import { loadNativeAddon } from "../../worker/engine/kernels/native-addon";
import { disableNativeKernels, enableNativeKernels, nativeKernelsActive } from "../../worker/engine/kernels/native-kernels";
import { type AttentionParams, multiHeadAttention } from "../../worker/engine/layers/attention";
import { dropout } from "../../worker/engine/layers/dropout";
import { embedTokens } from "../../worker/engine/layers/embedding";
import { layerNorm, type LayerNormParams } from "../../worker/engine/layers/layer-norm";
import { linear, type LinearParams } from "../../worker/engine/layers/linear";
import { Random } from "../../lib/random";
import { registerGradients } from "../../worker/engine/register-gradients";
import { sequenceLosses } from "../../worker/engine/sequence-loss";

const { addon, error } = loadNativeAddon();
const SUITE = addon === null ? `native kernels (skipped: ${error})` : "native kernels";
const itNative = it.skipIf(addon === null);

/** Largest difference over the largest expected magnitude. */
const RELATIVE_TOLERANCE = 1e-5;

const random = new Random(11, "native-kernel-test");

beforeAll(async () => {
  process.env.WINNOW_BACKEND = "wasm";
  process.env.WINNOW_NATIVE_KERNELS = "1";
  resetEnv();
  registerGradients();
  await selectBackend();
});

afterAll(() => {
  delete process.env.WINNOW_BACKEND;
  delete process.env.WINNOW_NATIVE_KERNELS;
  resetEnv();
});

function randomValues(size: number, scale = 1): Float32Array {
  return Float32Array.from({ length: size }, () => scale * random.normal());
}

function randomTensor(shape: number[], scale = 1): tf.Tensor {
  return tf.tensor(randomValues(tf.util.sizeFromShape(shape), scale), shape);
}

/**
 * max |actual - expected| / max(max |expected|, scale), so values near 0 do not inflate the
 * error; `scale` sets the magnitude below which differences count as absolute.
 */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, scale = 0): number {
  expect(actual.length).toBe(expected.length);
  let difference = 0;
  let magnitude = scale;
  for (let i = 0; i < expected.length; i++) {
    difference = Math.max(difference, Math.abs(actual[i] - expected[i]));
    magnitude = Math.max(magnitude, Math.abs(expected[i]));
  }
  return magnitude === 0 ? difference : difference / magnitude;
}

/**
 * Runs `compute` with the native kernels and again with the built-in ones, and returns each
 * run's outputs as arrays. Tensors `compute` creates are disposed.
 */
function nativeAndBuiltin(compute: () => tf.Tensor[]): { native: Float32Array[]; builtin: Float32Array[] } {
  const run = () => tf.tidy(() => compute().map((tensor) => Float32Array.from(tensor.dataSync())));
  expect(nativeKernelsActive()).toBe(true);
  const native = run();
  disableNativeKernels();
  try {
    expect(nativeKernelsActive()).toBe(false);
    return { native, builtin: run() };
  } finally {
    enableNativeKernels(addon!);
  }
}

/** Asserts that each native output matches its built-in counterpart; `scale` as for `relativeError`. */
function expectSameOutputs(compute: () => tf.Tensor[], scale = 0): void {
  const { native, builtin } = nativeAndBuiltin(compute);
  expect(native.length).toBe(builtin.length);
  native.forEach((values, i) => expect(relativeError(values, builtin[i], scale), `output ${i}`).toBeLessThan(RELATIVE_TOLERANCE));
}

/** Reduces `output` to a scalar, each element weighted by a fixed random weight, for gradients. */
function weightedSum(output: tf.Tensor, weights: Float32Array): tf.Scalar {
  return tf.sum(tf.mul(output, tf.tensor(weights.subarray(0, output.size), output.shape)));
}

describe(SUITE, () => {
  describe("BatchMatMul", () => {
    const CASES: [string, number[], number[], boolean, boolean][] = [
      ["2-D", [7, 5], [5, 3], false, false],
      ["2-D with transposeA", [5, 7], [5, 3], true, false],
      ["2-D with transposeB", [7, 5], [3, 5], false, true],
      ["2-D with both transposes", [5, 7], [3, 5], true, true],
      ["1 x 1", [1, 1], [1, 1], false, false],
      ["odd sizes", [33, 129], [129, 65], false, false],
      ["a size large enough for two threads", [300, 400], [200, 400], false, true],
      ["rank 3", [4, 9, 17], [4, 17, 6], false, false],
      ["rank 3 with both transposes", [4, 17, 9], [4, 6, 17], true, true],
      ["rank 4 with transposeB", [2, 3, 10, 8], [2, 3, 12, 8], false, true],
      ["rank 4 with transposeA", [2, 3, 8, 10], [2, 3, 8, 12], true, false],
      ["rank 3 by rank 2", [3, 5, 4], [4, 6], false, false],
      ["a batch of 1 against a batch of 3", [1, 5, 4], [3, 4, 6], false, false],
    ];

    itNative.each(CASES)("matches the built-in kernel for %s", (_name, aShape, bShape, transposeA, transposeB) => {
      const a = randomTensor(aShape);
      const b = randomTensor(bShape);

      expectSameOutputs(() => [tf.matMul(a, b, transposeA, transposeB)]);
    });

    itNative("rejects inner sizes that differ", () => {
      expect(() => tf.matMul(tf.zeros([2, 3]), tf.zeros([4, 2]))).toThrow(/inner sizes differ: 3 in a \[2,3\] and 4 in b/);
    });
  });

  describe("linear", () => {
    itNative("matches matMul plus bias with gradients", () => {
      const x = randomTensor([2, 3, 4]);
      const weight = randomTensor([4, 5]);
      const bias = randomTensor([5]);
      const weights = randomValues(30);
      const project = (input: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
        linear(input, { weight: w, bias: b } as unknown as LinearParams);

      expectSameOutputs(() => [
        project(x, weight, bias),
        ...tf.grads((input, w, b) => weightedSum(project(input, w, b), weights))([x, weight, bias]),
      ]);
    });
  });

  describe("empty batches", () => {
    // The built-in kernels are no reference here: tfjs-backend-wasm 4.22's BatchMatMul returns
    // uninitialised memory for an inner size of 0.
    itNative("give empty outputs and zero parameter gradients", () => {
      const x = tf.zeros([0, 4]);
      const project = (input: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
        linear(input, { weight: w, bias: b } as unknown as LinearParams);
      const normalise = (input: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        layerNorm(input, { gamma: g, beta: b } as unknown as LayerNormParams);
      const [weight, bias, gamma, beta] = [randomTensor([4, 5]), randomTensor([5]), randomTensor([4]), randomTensor([4])];

      const [dx, dWeight, dBias] = tf.grads((input, w, b) => tf.sum(project(input, w, b)))([x, weight, bias]);
      const [dxNorm, dGamma, dBeta] = tf.grads((input, g, b) => tf.sum(normalise(input, g, b)))([x, gamma, beta]);

      expect(project(x, weight, bias).shape).toEqual([0, 5]);
      expect(dx.shape).toEqual([0, 4]);
      expect(Array.from(dWeight.dataSync())).toEqual(new Array(20).fill(0));
      expect(Array.from(dBias.dataSync())).toEqual(new Array(5).fill(0));
      expect(normalise(x, gamma, beta).shape).toEqual([0, 4]);
      expect(dxNorm.shape).toEqual([0, 4]);
      expect(Array.from(dGamma.dataSync())).toEqual(new Array(4).fill(0));
      expect(Array.from(dBeta.dataSync())).toEqual(new Array(4).fill(0));
    });

    itNative("give zeros for a product over an inner size of 0", () => {
      expect(Array.from(tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 2])).dataSync())).toEqual(new Array(6).fill(0));
    });
  });

  describe("layer norm", () => {
    const SHAPES = [[2, 3, 8], [5, 17], [4, 1, 1]];

    itNative.each(SHAPES)("matches the tfjs ops with gradients for shape %j", (...shape) => {
      const cols = shape[shape.length - 1];
      const x = randomTensor(shape, 3);
      const gamma = randomTensor([cols]);
      const beta = randomTensor([cols]);
      const weights = randomValues(tf.util.sizeFromShape(shape));
      const normalise = (input: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        layerNorm(input, { gamma: g, beta: b } as unknown as LayerNormParams);

      expectSameOutputs(() => [
        normalise(x, gamma, beta),
        ...tf.grads((input, g, b) => weightedSum(normalise(input, g, b), weights))([x, gamma, beta]),
      ]);
    });
  });

  describe("cross-entropy", () => {
    const PAIRS = 3;
    const LENGTH = 5;
    const VOCAB = 11;
    const TARGETS = [[1, 4, 10, 0, 0], [7, 7, 2, 3, 9], [5, 0, 0, 0, 0]];
    // Padding, fractional token weights, and a pair whose mask is all zero.
    const MASKS = {
      padding: [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]],
      weighted: [[0.5, 1, 0.25, 0, 0], [0, 0, 0, 0, 0], [2, 0, 0, 0, 0]],
    };

    for (const labelSmoothing of [0, 0.1]) {
      for (const [maskName, maskRows] of Object.entries(MASKS)) {
        itNative(`matches the tfjs ops with label smoothing ${labelSmoothing} and ${maskName} masks`, () => {
          const targets = tf.tensor2d(TARGETS, [PAIRS, LENGTH], "int32");
          const mask = tf.tensor2d(maskRows);
          const logits = randomTensor([PAIRS, LENGTH, VOCAB], 2);
          const [smoothedWeights, nllWeights] = [randomValues(PAIRS), randomValues(PAIRS)];
          const losses = (input: tf.Tensor) => sequenceLosses({ logits: input, targets, mask, labelSmoothing });
          const both = (input: tf.Tensor) => {
            const { smoothed, nll } = losses(input);
            return tf.add(weightedSum(smoothed, smoothedWeights), weightedSum(nll, nllWeights)) as tf.Scalar;
          };

          expectSameOutputs(() => [
            losses(logits).smoothed,
            losses(logits).nll,
            tf.grad(both)(logits),
            tf.grad((input) => weightedSum(losses(input).smoothed, smoothedWeights))(logits),
          ]);
        });
      }
    }

    itNative("rejects a target outside the vocabulary", () => {
      const logits = tf.zeros([1, 2, VOCAB]);
      const outside = tf.tensor2d([[3, VOCAB]], [1, 2], "int32");

      expect(() => sequenceLosses({ logits, targets: outside, mask: tf.ones([1, 2]), labelSmoothing: 0.1 })).toThrow(
        /target id 11 at position 1 is outside the vocabulary of 11/,
      );
    });
  });

  describe("embedding", () => {
    itNative("matches the JavaScript lookup and scatter-add gradient", () => {
      const table = randomTensor([7, 5]) as tf.Tensor2D;
      const ids = tf.tensor2d([[1, 3, 3], [0, 6, 1]], [2, 3], "int32");
      const weights = randomValues(30);

      expectSameOutputs(() => [
        embedTokens(table, ids),
        tf.grad((t) => weightedSum(embedTokens(t as tf.Tensor2D, ids), weights))(table),
      ]);
    });

    itNative("rejects an id outside the table", () => {
      const table = tf.zeros([7, 5]) as tf.Tensor2D;

      expect(() => embedTokens(table, tf.tensor1d([2, 7], "int32"))).toThrow(/token id 7 at position 1 is outside the table of 7 rows/);
    });
  });

  describe("attention", () => {
    const D_MODEL = 8;
    const HEADS = 2;
    const projection = (): LinearParams => ({
      weight: tf.variable(randomTensor([D_MODEL, D_MODEL], 0.5)),
      bias: tf.variable(randomTensor([D_MODEL], 0.1)),
    });
    let params: AttentionParams;

    beforeAll(() => {
      params = { query: projection(), key: projection(), value: projection(), output: projection() };
    });

    const causal = (length: number) =>
      tf.tensor4d(Array.from({ length: length * length }, (_, i) => (i % length > Math.floor(i / length) ? -1e9 : 0)), [1, 1, length, length]);
    const CASES: [string, number, number, () => tf.Tensor | null][] = [
      ["self-attention without a bias", 4, 4, () => null],
      ["self-attention with a causal bias", 5, 5, () => causal(5)],
      ["cross-attention with a padding bias", 3, 6, () => tf.tensor4d([0, 0, 0, 0, -1e9, -1e9, 0, 0, 0, 0, 0, 0], [2, 1, 1, 6])],
    ];

    itNative.each(CASES)("matches the tfjs ops with gradients for %s", (_name, queryLength, keyLength, makeBias) => {
      const input = tf.variable(randomTensor([2, queryLength, D_MODEL]));
      const memory = tf.variable(randomTensor([2, keyLength, D_MODEL]));
      const bias = makeBias();
      const weights = randomValues(2 * queryLength * D_MODEL);
      const variables = [input, memory, ...Object.values(params).flatMap((p: LinearParams) => [p.weight, p.bias])];
      const attend = () =>
        multiHeadAttention({ params, heads: HEADS, input, memory: keyLength === queryLength ? input : memory, bias });

      // The key bias has an exact gradient of 0 (softmax ignores a shift shared by a whole row), so
      // differences count against a scale of 1 rather than against rounding noise.
      expectSameOutputs(() => {
        const { value, grads } = tf.variableGrads(() => weightedSum(attend(), weights), variables);
        return [attend(), value, ...variables.map((variable) => grads[variable.name] ?? tf.zeros([1]))];
      }, 1);
    });
  });

  describe("softmax gradient", () => {
    itNative("matches the tfjs ops", () => {
      const x = randomTensor([3, 4, 9], 2);
      const weights = randomValues(108);

      expectSameOutputs(() => [tf.grad((input) => weightedSum(tf.softmax(input), weights))(x)]);
    });
  });

  describe("Adam step", () => {
    itNative("updates variables and moments as the tfjs ops do, with clipping", () => {
      const shapes = [[6, 4], [4], [3, 2, 5]];
      const initial = shapes.map((shape) => randomValues(tf.util.sizeFromShape(shape)));
      const gradientSets = [0, 1, 2].map(() => shapes.map((shape) => randomValues(tf.util.sizeFromShape(shape), 3)));
      const train = () => {
        const variables = shapes.map((shape, i) => tf.variable(tf.tensor(initial[i], shape)));
        const optimizer = new AdamOptimizer(variables);
        const norms = gradientSets.map((gradients, step) =>
          tf.tidy(() => {
            const named = Object.fromEntries(variables.map((variable, i) => [variable.name, tf.tensor(gradients[i], shapes[i])]));
            return optimizer.step(named, 1e-2 * (step + 1));
          }),
        );
        const { firstMoments, secondMoments } = optimizer.snapshot();
        const outputs = [tf.tensor1d(norms), ...variables, ...firstMoments, ...secondMoments].map((tensor) => tf.clone(tensor));
        optimizer.dispose();
        variables.forEach((variable) => variable.dispose());
        return outputs;
      };

      expectSameOutputs(train);
    });
  });

  describe("dropout", () => {
    itNative("drops the same elements and advances the stream as far", () => {
      const x = randomTensor([3, 7, 5]);
      const weights = randomValues(105);
      const streams: Random[] = [];
      const apply = (input: tf.Tensor) => {
        const stream = new Random(5, "dropout");
        streams.push(stream);
        return dropout(input, 0.3, stream);
      };

      expectSameOutputs(() => [
        apply(x),
        apply(tf.ones([10_000])),
        tf.grad((input) => weightedSum(apply(input), weights))(x),
      ]);
      expect(streams.length).toBe(6);
      for (let i = 0; i < 3; i++) expect(streams[i].state(), `stream ${i}`).toEqual(streams[i + 3].state());
    });
  });

  describe("ReLU gradient", () => {
    itNative("matches step and multiply", () => {
      const x = tf.tensor1d([-2, -0.5, 0, 0.5, 2, 3]);
      const weights = randomValues(6);

      expectSameOutputs(() => [tf.grad((input) => weightedSum(tf.relu(input), weights))(x)]);
    });
  });

  describe("Identity", () => {
    itNative("shares data, so a clone outlives its disposed original", () => {
      const original = tf.tensor1d([1, 2, 3]);
      const buffersBefore = tf.memory().numDataBuffers;
      const copy = tf.clone(original);
      const buffersAfterClone = tf.memory().numDataBuffers;
      original.dispose();

      expect(buffersAfterClone).toBe(buffersBefore);
      expect(Array.from(copy.dataSync())).toEqual([1, 2, 3]);
      copy.dispose();
    });
  });

  describe("addon", () => {
    itNative("rejects a tensor outside the heap", () => {
      const heap = new Uint8Array(64);

      expect(() => addon!.gemmBatched(heap, 1, 4, 4, 4, false, false, 0, 0, 0, 0, 48)).toThrow(
        /gemmBatched: argument 11: 16 elements at byte offset 48 do not fit the 64-byte heap/,
      );
    });
  });
});

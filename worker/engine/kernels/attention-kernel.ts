import * as tf from "@tensorflow/tfjs-core";
import type { NativeAddon } from "./native-addon";
import { WasmHeap } from "./wasm-heap";

/** Outputs [context [batch, queryLength, dModel], probabilities [batch, heads, queryLength, keyLength]]. */
export const ATTENTION = "WinnowAttention";
/** Outputs [dQueries, dKeys, dValues]. */
export const ATTENTION_GRAD = "WinnowAttentionGrad";

interface AttentionAttrs {
  heads: number;
}

export interface FusedAttentionOptions {
  /** Projected queries [batch, queryLength, dModel], heads side by side on the last axis. */
  queries: tf.Tensor;
  /** Projected keys and values [batch, keyLength, dModel]. */
  keys: tf.Tensor;
  values: tf.Tensor;
  /** Additive mask of a shape `fusedAttentionSupports` accepts, or null. */
  bias: tf.Tensor | null;
  heads: number;
}

/**
 * Reports whether `fusedAttention` accepts this bias: none, or one that is the same for every
 * head, that is [batch or 1, 1, queryLength or 1, keyLength] once padded on the left to rank 4.
 */
export function fusedAttentionSupports(bias: tf.Tensor | null): boolean {
  return bias === null || (bias.rank <= 4 && (bias.rank < 3 || bias.shape[bias.rank - 3] === 1));
}

/**
 * Computes scaled dot-product attention over `heads` heads (Vaswani et al., NeurIPS 2017),
 * softmax(Q K^T / sqrt(headDim) + bias) V per head, and returns it with the heads merged back,
 * [batch, queryLength, dModel]. One native kernel reads each head in place, so no tensor is split
 * into heads or transposed. The gradient is one native kernel too, and the bias gets none.
 * Needs the native kernels.
 */
export function fusedAttention(options: FusedAttentionOptions): tf.Tensor {
  const { queries, keys, values, bias, heads } = options;
  const inputs: tf.NamedTensorMap = { queries, keys, values };
  if (bias !== null) inputs.bias = bias;
  const attrs: AttentionAttrs = { heads };
  const [context] = tf.engine().runKernel(ATTENTION, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return context;
}

export function attentionKernels(addon: NativeAddon): tf.KernelConfig[] {
  const forward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { queries, keys, values, bias } = inputs as Record<string, tf.TensorInfo | undefined>;
    const { heads } = attrs as unknown as AttentionAttrs;
    const shape = checkShapes(queries, keys, values, heads);
    const biasShape = bias === undefined ? { batch: 1, rows: 1 } : checkBias(bias, shape);
    const heap = new WasmHeap(backend);
    const context = heap.output([shape.batch, shape.queryLength, shape.dModel]);
    const probabilities = heap.output([shape.batch, heads, shape.queryLength, shape.keyLength]);
    if (shape.batch * shape.queryLength === 0) return [context, probabilities];
    addon.attentionForward(
      heap.bytes(), shape.batch, heads, shape.queryLength, shape.keyLength, shape.dModel,
      heap.offset(queries as tf.TensorInfo), heap.offset(keys as tf.TensorInfo), heap.offset(values as tf.TensorInfo),
      bias === undefined ? -1 : heap.offset(bias), biasShape.batch, biasShape.rows,
      heap.offset(context), heap.offset(probabilities),
    );
    return [context, probabilities];
  };

  const backward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { dContext, queries, keys, values, probabilities } = inputs as Record<string, tf.TensorInfo>;
    const { heads } = attrs as unknown as AttentionAttrs;
    const shape = checkShapes(queries, keys, values, heads);
    const heap = new WasmHeap(backend);
    if (shape.batch * shape.queryLength === 0) return [heap.output(queries.shape), heap.zeros(keys.shape), heap.zeros(values.shape)];
    const dQueries = heap.output(queries.shape);
    const dKeys = heap.output(keys.shape);
    const dValues = heap.output(values.shape);
    addon.attentionBackward(
      heap.bytes(), shape.batch, heads, shape.queryLength, shape.keyLength, shape.dModel,
      heap.offset(dContext), heap.offset(queries), heap.offset(keys), heap.offset(values), heap.offset(probabilities),
      heap.offset(dQueries), heap.offset(dKeys), heap.offset(dValues),
    );
    return [dQueries, dKeys, dValues];
  };

  return [
    { kernelName: ATTENTION, backendName: "wasm", kernelFunc: forward },
    { kernelName: ATTENTION_GRAD, backendName: "wasm", kernelFunc: backward },
  ];
}

/** Computes the three input gradients with one backward kernel; the closures hand out its outputs. */
export const attentionGradient: tf.GradConfig = {
  kernelName: ATTENTION,
  inputsToSave: ["queries", "keys", "values"],
  outputsToSave: [false, true],
  gradFunc: (dys, saved, attrs) => {
    const [dContext] = dys as tf.Tensor[];
    const [queries, keys, values, probabilities] = saved;
    const [dQueries, dKeys, dValues] = tf.engine().runKernel(
      ATTENTION_GRAD, { dContext, queries, keys, values, probabilities }, attrs,
    ) as tf.Tensor[];
    return {
      queries: () => dQueries,
      keys: () => dKeys,
      values: () => dValues,
      bias: () => {
        throw new Error(`${ATTENTION} has no gradient for its bias, which must be a mask`);
      },
    };
  },
};

interface AttentionShape {
  batch: number;
  queryLength: number;
  keyLength: number;
  dModel: number;
}

function checkShapes(
  queries: tf.TensorInfo | undefined, keys: tf.TensorInfo | undefined, values: tf.TensorInfo | undefined, heads: number,
): AttentionShape {
  if (queries === undefined || keys === undefined || values === undefined) throw new Error(`${ATTENTION} needs queries, keys and values`);
  const [batch, queryLength, dModel] = queries.shape;
  const keyLength = keys.shape[1];
  const expectedKeys = [batch, keyLength, dModel];
  if (queries.shape.length !== 3 || !tf.util.arraysEqual(keys.shape, expectedKeys) || !tf.util.arraysEqual(values.shape, expectedKeys)) {
    throw new Error(
      `attention needs queries [batch, queryLength, dModel] and keys and values [batch, keyLength, dModel], got [${queries.shape}], [${keys.shape}] and [${values.shape}]`,
    );
  }
  if (!Number.isInteger(heads) || heads < 1 || dModel < 1 || dModel % heads !== 0) {
    throw new Error(`attention heads must be a positive divisor of dModel ${dModel}, got ${heads}`);
  }
  if (keyLength < 1) throw new Error(`attention needs at least one key, got keys [${keys.shape}]`);
  return { batch, queryLength, keyLength, dModel };
}

/** The bias's batch and query-row counts, after checking that it fits `fusedAttentionSupports`. */
function checkBias(bias: tf.TensorInfo, shape: AttentionShape): { batch: number; rows: number } {
  const padded = [...new Array<number>(Math.max(0, 4 - bias.shape.length)).fill(1), ...bias.shape];
  const [batch, heads, rows, keys] = padded;
  const fits = padded.length === 4 && heads === 1 && keys === shape.keyLength &&
    (batch === 1 || batch === shape.batch) && (rows === 1 || rows === shape.queryLength);
  if (!fits || bias.dtype !== "float32") {
    throw new Error(
      `attention bias must be float32 [${shape.batch} or 1, 1, ${shape.queryLength} or 1, ${shape.keyLength}], got ${bias.dtype} [${bias.shape}]`,
    );
  }
  return { batch, rows };
}

import * as tf from "@tensorflow/tfjs-core";
import { fusedAttention, fusedAttentionSupports } from "../kernels/attention-kernel";
import { nativeKernelsActive } from "../kernels/native-kernels";
import { linear, type LinearParams } from "./linear";
import { matMul } from "./mat-mul";

/** Projections of one multi-head attention block, each [dModel, dModel]. */
export interface AttentionParams {
  query: LinearParams;
  key: LinearParams;
  value: LinearParams;
  output: LinearParams;
}

export interface AttentionOptions {
  params: AttentionParams;
  heads: number;
  /** Normalised input of the attending positions, [batch, queryLength, dModel]. */
  input: tf.Tensor;
  /** Positions attended to, [batch, keyLength, dModel]: `input` itself for self-attention. */
  memory: tf.Tensor;
  /** Additive mask broadcastable to [batch, heads, queryLength, keyLength]: 0 to keep, a large negative to hide. */
  bias: tf.Tensor | null;
}

/** Scaled dot-product attention over `heads` heads (Vaswani et al., NeurIPS 2017); returns [batch, queryLength, dModel]. */
export function multiHeadAttention(options: AttentionOptions): tf.Tensor {
  const { params, heads } = options;
  if (nativeKernelsActive() && fusedAttentionSupports(options.bias)) {
    // One native kernel for all heads, which reads each head in place: no split, no transposes.
    const context = fusedAttention({
      queries: linear(options.input, params.query),
      keys: linear(options.memory, params.key),
      values: linear(options.memory, params.value),
      bias: options.bias,
      heads,
    });
    return linear(context, params.output);
  }
  const queries = projectHeads(options.input, params.query, heads);
  const keys = projectHeads(options.memory, params.key, heads);
  const values = projectHeads(options.memory, params.value, heads);
  const context = attendHeads({ queries, keys, values, bias: options.bias });
  return linear(context, params.output);
}

/** Projects [batch, length, dModel] and splits it into heads: [batch, heads, length, dModel / heads]. */
export function projectHeads(x: tf.Tensor, params: LinearParams, heads: number): tf.Tensor {
  const [batch, length, dModel] = x.shape;
  const projected = linear(x, params);
  const split = tf.reshape(projected, [batch, length, heads, dModel / heads]);
  return tf.transpose(split, [0, 2, 1, 3]);
}

/** Attends with head-split tensors and merges the heads: returns [batch, queryLength, dModel]. */
export function attendHeads(options: {
  queries: tf.Tensor;
  keys: tf.Tensor;
  values: tf.Tensor;
  bias: tf.Tensor | null;
}): tf.Tensor {
  const [batch, heads, queryLength, headDim] = options.queries.shape;
  const scaled = tf.mul(matMul(options.queries, options.keys, false, true), 1 / Math.sqrt(headDim));
  const masked = options.bias === null ? scaled : tf.add(scaled, options.bias);
  const probabilities = tf.softmax(masked);
  const context = matMul(probabilities, options.values);
  const merged = tf.transpose(context, [0, 2, 1, 3]);
  return tf.reshape(merged, [batch, queryLength, heads * headDim]);
}

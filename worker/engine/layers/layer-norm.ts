import * as tf from "@tensorflow/tfjs-core";
import { fusedLayerNorm } from "../kernels/layer-norm-kernel";
import { nativeKernelsActive } from "../kernels/native-kernels";

/** Scale and shift [dModel] of a layer normalisation. */
export interface LayerNormParams {
  gamma: tf.Variable;
  beta: tf.Variable;
}

/** Added to the variance before the square root, as in most Transformer implementations. */
const LAYER_NORM_EPSILON = 1e-5;

/**
 * Normalises the last axis to zero mean and unit variance, then scales and shifts (Ba et al. 2016).
 * With the native kernels this is one fused kernel; otherwise nine tfjs ops.
 */
export function layerNorm(x: tf.Tensor, params: LayerNormParams): tf.Tensor {
  if (nativeKernelsActive()) return fusedLayerNorm(x, params.gamma, params.beta, LAYER_NORM_EPSILON);
  const axis = x.rank - 1;
  const mean = tf.mean(x, axis, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), axis, true);
  const normalised = tf.mul(centred, tf.rsqrt(tf.add(variance, LAYER_NORM_EPSILON)));
  return tf.add(tf.mul(normalised, params.gamma), params.beta);
}

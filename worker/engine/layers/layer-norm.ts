import * as tf from "@tensorflow/tfjs-core";

/** Scale and shift [dModel] of a layer normalisation. */
export interface LayerNormParams {
  gamma: tf.Variable;
  beta: tf.Variable;
}

/** Added to the variance before the square root, as in most Transformer implementations. */
const LAYER_NORM_EPSILON = 1e-5;

/** Normalises the last axis to zero mean and unit variance, then scales and shifts (Ba et al. 2016). */
export function layerNorm(x: tf.Tensor, params: LayerNormParams): tf.Tensor {
  const axis = x.rank - 1;
  const mean = tf.mean(x, axis, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), axis, true);
  const normalised = tf.mul(centred, tf.rsqrt(tf.add(variance, LAYER_NORM_EPSILON)));
  return tf.add(tf.mul(normalised, params.gamma), params.beta);
}

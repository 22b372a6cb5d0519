import * as tf from "@tensorflow/tfjs-core";
import { fusedDropout } from "../kernels/dropout-kernel";
import { nativeKernelsActive } from "../kernels/native-kernels";
import type { Random } from "../../../lib/random";

/**
 * Inverted dropout: zeroes each element with probability `rate` and scales the rest by
 * 1 / (1 - rate). The mask comes from `random`, so a seed fixes it on every backend, with or
 * without the native kernels, which draw the same numbers in one fused kernel.
 * Returns `x` unchanged when `random` is null (inference) or `rate` is 0.
 */
export function dropout(x: tf.Tensor, rate: number, random: Random | null): tf.Tensor {
  if (random === null || rate === 0) return x;
  if (nativeKernelsActive()) return fusedDropout(x, rate, random);
  const keep = 1 - rate;
  const scale = 1 / keep;
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = random.next() < keep ? scale : 0;
  return tf.mul(x, tf.tensor(mask, x.shape));
}

import * as tf from "@tensorflow/tfjs-core";
import { fusedLinear } from "../kernels/linear-kernel";
import { nativeKernelsActive } from "../kernels/native-kernels";
import { matMul } from "./mat-mul";

/** Weight [inputDim, outputDim] and bias [outputDim] of a dense projection. */
export interface LinearParams {
  weight: tf.Variable;
  bias: tf.Variable;
}

/**
 * Projects the last axis of `x` with one 2-D matrix product, keeping the leading axes. With the
 * native kernels, product and bias are one kernel.
 */
export function linear(x: tf.Tensor, params: LinearParams): tf.Tensor {
  if (nativeKernelsActive()) return fusedLinear(x, params.weight, params.bias);
  const [inputDim, outputDim] = params.weight.shape;
  const leading = x.shape.slice(0, -1);
  const flat = tf.reshape(x, [-1, inputDim]);
  const projected = tf.add(matMul(flat, params.weight), params.bias);
  return tf.reshape(projected, [...leading, outputDim]);
}

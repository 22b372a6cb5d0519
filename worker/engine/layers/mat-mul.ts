import * as tf from "@tensorflow/tfjs-core";
import { nativeKernelsActive } from "../kernels/native-kernels";

/**
 * Computes a matrix product with tfjs's BatchMatMul kernel. Every matrix product of the model,
 * forward and backward, goes through here, so a faster kernel can replace BatchMatMul in one place.
 *
 * With the native kernels, BatchMatMul is OpenBLAS sgemm, which takes transpose flags at no cost.
 * Without them, rank-2 operands that need a transpose are transposed explicitly first, because
 * tfjs-backend-wasm 4.22 takes a slow path for transpose flags. On a 2-core AMD EPYC,
 * [672, 64] x [1000, 64]^T took 42 ms with transposeB and 5 ms with an explicit transpose.
 * Batched (rank 3 and up) attention products were faster with the flags, so they keep them.
 */
export function matMul(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  if (a.rank === 2 && b.rank === 2 && !nativeKernelsActive()) {
    const left = transposeA ? tf.transpose(a) : a;
    const right = transposeB ? tf.transpose(b) : b;
    return tf.matMul(left, right);
  }
  return tf.matMul(a, b, transposeA, transposeB);
}

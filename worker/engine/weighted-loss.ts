import * as tf from "@tensorflow/tfjs-core";
import type { BatchTensors } from "./batches";
import { type SequenceLosses, sequenceLosses } from "./sequence-loss";

/**
 * Builds the batch loss from the label-smoothed per-pair losses. Returns a zero loss (which still
 * back-propagates, to zeros) when the weights sum to 0, and the weight sum so the caller can skip
 * the update.
 */
export function weightedLoss(options: {
  /** The forward pass: per-pair smoothed losses and the logits they came from. */
  forward: Pick<SequenceLosses, "smoothed"> & { logits: tf.Tensor };
  tensors: BatchTensors;
  weights: number[];
  tokenWeights?: number[][];
  labelSmoothing: number;
}): { loss: tf.Scalar; weightSum: number } {
  const { forward, tensors, weights, tokenWeights, labelSmoothing } = options;
  if (!tokenWeights) {
    const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
    const weighted = tf.sum(tf.mul(forward.smoothed, tf.tensor1d(weights)));
    return { loss: (weightSum > 0 ? tf.div(weighted, weightSum) : tf.mul(weighted, 0)) as tf.Scalar, weightSum };
  }

  // The loss kernel divides each pair's weighted token sum by max(sum of its token weights, 1), so
  // multiplying by that divisor again gives sum_t tw_it * l_it.
  const [pairs, width] = tensors.tgtOutput.shape;
  const mask = new Float32Array(pairs * width);
  tokenWeights.forEach((row, index) => mask.set(row, index * width));
  const { smoothed } = sequenceLosses({ logits: forward.logits, targets: tensors.tgtOutput, mask: tf.tensor2d(mask, [pairs, width]), labelSmoothing });
  const tokenSums = tokenWeights.map((row) => row.reduce((sum, weight) => sum + weight, 0));
  const scale = tokenSums.map((sum, index) => weights[index] * Math.max(sum, 1));
  const weightSum = tokenSums.reduce((total, sum, index) => total + weights[index] * sum, 0);
  const weighted = tf.sum(tf.mul(smoothed, tf.tensor1d(scale)));
  return { loss: (weightSum > 0 ? tf.div(weighted, weightSum) : tf.mul(weighted, 0)) as tf.Scalar, weightSum };
}


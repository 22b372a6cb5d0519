import * as tf from "@tensorflow/tfjs-core";
import { fusedCrossEntropy } from "./kernels/cross-entropy-kernel";
import { nativeKernelsActive } from "./kernels/native-kernels";

export interface SequenceLossOptions {
  /** Unnormalised scores [batch, length, vocabSize]. */
  logits: tf.Tensor;
  /** Int32 reference ids [batch, length]. */
  targets: tf.Tensor2D;
  /** 1 for real target tokens, 0 for padding, [batch, length]. */
  mask: tf.Tensor2D;
  /** Share of probability mass spread uniformly over the vocabulary, 0 to 1. */
  labelSmoothing: number;
}

/** Per-pair losses, each [batch]: token means over the pair's real target tokens. */
export interface SequenceLosses {
  /** Cross-entropy against the label-smoothed targets: the training objective. */
  smoothed: tf.Tensor1D;
  /** Cross-entropy against the reference tokens (negative log-likelihood): what traces report. */
  nll: tf.Tensor1D;
  /** Log-sum-exp of each row of logits, [batch, length], where the fused kernel computed it. */
  logSumExp?: tf.Tensor2D;
}

/**
 * Computes token-level cross-entropy and averages it over each pair's target tokens.
 * Label smoothing (Szegedy et al., CVPR 2016) mixes the one-hot target with a uniform
 * distribution: q = (1 - eps) * onehot + eps / V, so the loss per token is
 * (1 - eps) * nll - eps * mean_v log p_v.
 *
 * With the native kernels, forward and backward are one fused kernel each, which skips padding
 * rows; otherwise the loss is built from about a dozen tfjs ops over [batch, length, vocabSize].
 */
export function sequenceLosses(options: SequenceLossOptions): SequenceLosses {
  const { logits, targets, mask, labelSmoothing } = options;
  if (nativeKernelsActive()) return fusedCrossEntropy({ logits, targets, mask, labelSmoothing });
  const vocabSize = logits.shape[logits.rank - 1];
  const logProbabilities = tf.logSoftmax(logits);
  // tfjs-backend-wasm 4.22 ignores the dtype argument of oneHot and writes int32 bits into a
  // float32 tensor (1 reads as 1.4e-45), so the cast happens separately.
  const oneHot = tf.cast(tf.oneHot(targets, vocabSize), "float32");
  const tokenNll = tf.neg(tf.sum(tf.mul(logProbabilities, oneHot), -1));
  const tokenUniform = tf.neg(tf.mean(logProbabilities, -1));
  const tokenSmoothed = tf.add(tf.mul(tokenNll, 1 - labelSmoothing), tf.mul(tokenUniform, labelSmoothing));

  const tokenCounts = tf.maximum(tf.sum(mask, 1), 1);
  const perPair = (tokens: tf.Tensor): tf.Tensor1D => tf.div(tf.sum(tf.mul(tokens, mask), 1), tokenCounts);
  return { smoothed: perPair(tokenSmoothed), nll: perPair(tokenNll) };
}

/**
 * Returns the negative log-likelihood of each reference token, [batch, length]:
 * log sum_v exp(z_v) - z_target, padding included. `logSumExp` reuses the fused kernel's rows.
 */
export function tokenNegLogLikelihoods(options: { logits: tf.Tensor; targets: tf.Tensor2D; logSumExp?: tf.Tensor2D }): tf.Tensor2D {
  const { logits, targets } = options;
  const [pairs, length] = targets.shape;
  const vocabSize = logits.shape[logits.rank - 1];
  const rowStarts = tf.mul(tf.range(0, pairs * length, 1, "int32"), tf.scalar(vocabSize, "int32"));
  const flatIndices = tf.add(rowStarts, tf.reshape(targets, [-1]));
  const targetLogits = tf.reshape(tf.gather(tf.reshape(logits, [-1]), flatIndices), [pairs, length]);
  const logSumExp = options.logSumExp ?? tf.logSumExp(tf.reshape(logits, [pairs, length, vocabSize]), -1);
  return tf.sub(logSumExp, targetLogits) as tf.Tensor2D;
}

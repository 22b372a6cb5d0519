import * as tf from "@tensorflow/tfjs-core";

/**
 * Computes, for each pair i of a batch, g_i . G: the dot product of the gradient of its loss l_i
 * (token-mean negative log-likelihood) with respect to the output projection, and the mean G of
 * those gradients over the batch's clean pairs. This is the first-order form of Learning to
 * Reweight (Ren, Zeng, Yang and Urtasun, ICML 2018) restricted to the output layer, where the
 * per-pair gradients have a closed form and need no per-pair backward pass.
 *
 * With logits z_t = W h_t, the gradient of l_i is g_i = sum_t e_t h_t^T with
 * e_t = (softmax(z_t) - onehot(y_t)) / n_i over the pair's n_i real tokens, so
 * G = sum_{t in clean} e_t h_t^T / |clean| and g_i . G = sum_{t in i} e_t . (G h_t).
 * Two matrix products of tokens x dModel x vocabulary do it for the whole batch. The output
 * projection is the tied embedding here, and only its role as the output layer counts.
 *
 * `clean` flags each pair; returns null when no pair is clean.
 */
export function cleanGradientAlignment(options: {
  /** Decoder hidden states that produced `logits`, [pairs, length, dModel]. */
  hidden: tf.Tensor;
  /** [pairs, length, vocabSize]. */
  logits: tf.Tensor;
  /** Int32 reference ids [pairs, length]. */
  targets: tf.Tensor2D;
  /** 1 for real target tokens, 0 for padding, [pairs, length]. */
  mask: tf.Tensor2D;
  clean: readonly boolean[];
}): Float32Array | null {
  const { hidden, logits, targets, mask, clean } = options;
  const cleanCount = clean.filter(Boolean).length;
  if (cleanCount === 0) return null;
  const [pairs, length] = targets.shape;
  const vocabSize = logits.shape[logits.rank - 1];
  const dModel = hidden.shape[hidden.rank - 1];

  return tf.tidy(() => {
    const tokenCounts = tf.maximum(tf.sum(mask, 1, true), 1);
    const tokenScale = tf.reshape(tf.div(mask, tokenCounts), [-1, 1]);
    const oneHot = tf.cast(tf.oneHot(tf.reshape(targets, [-1]), vocabSize), "float32");
    const errors = tf.mul(tf.sub(tf.softmax(tf.reshape(logits, [-1, vocabSize])), oneHot), tokenScale);
    const hiddenRows = tf.reshape(hidden, [-1, dModel]);

    const cleanRows = tf.tensor2d(clean.map((isClean) => (isClean ? 1 / cleanCount : 0)), [pairs, 1]);
    const cleanTokenScale = tf.reshape(tf.tile(cleanRows, [1, length]), [-1, 1]);
    const cleanGradient = tf.matMul(tf.mul(errors, cleanTokenScale), hiddenRows, true, false);

    const projected = tf.matMul(hiddenRows, cleanGradient, false, true);
    const tokenDots = tf.sum(tf.mul(errors, projected), 1);
    return tf.sum(tf.reshape(tokenDots, [pairs, length]), 1).dataSync() as Float32Array;
  });
}

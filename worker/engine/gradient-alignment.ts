import * as tf from "@tensorflow/tfjs-core";

/** Added to the log-sum-exp of padding rows so that their probabilities underflow to 0. */
const PADDING_LOG_OFFSET = 1e4;

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
  /** Log-sum-exp of each row of logits, [pairs, length], when the loss kernel already computed it. */
  logSumExp?: tf.Tensor2D;
}): Float32Array | null {
  const { hidden, logits, targets, mask, clean } = options;
  const cleanCount = clean.filter(Boolean).length;
  if (cleanCount === 0) return null;
  const [pairs, length] = targets.shape;
  const vocabSize = logits.shape[logits.rank - 1];
  const dModel = hidden.shape[hidden.rank - 1];

  return tf.tidy(() => {
    // s_t = mask_t / n_i, and c_t = s_t / |clean| on tokens of clean pairs, 0 elsewhere.
    const tokenScale = tf.reshape(tf.div(mask, tf.maximum(tf.sum(mask, 1, true), 1)), [-1, 1]);
    const cleanRows = tf.tensor2d(clean.map((isClean) => (isClean ? 1 / cleanCount : 0)), [pairs, 1]);
    const cleanScale = tf.mul(tokenScale, tf.reshape(tf.tile(cleanRows, [1, length]), [-1, 1]));
    const hiddenRows = tf.reshape(hidden, [-1, dModel]);
    const flatTargets = tf.reshape(targets, [-1]);
    // The loss kernel leaves log-sum-exp at 0 on padding rows, where exp(logit) could overflow to
    // Infinity and turn every sum into NaN; a large offset there makes those probabilities 0.
    const logSumExp = options.logSumExp ?? tf.logSumExp(tf.reshape(logits, [-1, vocabSize]), -1);
    const paddingOffset = tf.mul(tf.sub(1, tf.reshape(mask, [-1])), PADDING_LOG_OFFSET);
    const rowShift = tf.reshape(tf.add(tf.reshape(logSumExp, [-1]), paddingOffset), [-1, 1]);
    const probabilities = tf.exp(tf.sub(tf.reshape(logits, [-1, vocabSize]), rowShift));

    // G = sum_t c_t (p_t - y_t) h_t^T: the p part is one product, the y part a scatter-add of
    // c_t h_t into row y_t, done in JavaScript to avoid a [tokens, vocabulary] one-hot matrix.
    const scaledHidden = tf.mul(hiddenRows, cleanScale);
    const targetRows = scatterRows(scaledHidden.dataSync() as Float32Array, flatTargets.dataSync() as Int32Array, vocabSize, dModel);
    const cleanGradient = tf.sub(tf.matMul(probabilities, scaledHidden, true, false), tf.tensor2d(targetRows, [vocabSize, dModel]));

    // g_i . G = sum_t s_t (sum_v p_tv P_tv - P_t,y_t) with P = H G^T.
    const projected = tf.matMul(hiddenRows, cleanGradient, false, true);
    const expected = tf.sum(tf.mul(probabilities, projected), 1);
    const rowStarts = tf.mul(tf.range(0, pairs * length, 1, "int32"), tf.scalar(vocabSize, "int32"));
    const atTargets = tf.gather(tf.reshape(projected, [-1]), tf.add(rowStarts, flatTargets));
    const tokenDots = tf.mul(tf.sub(expected, atTargets), tf.reshape(tokenScale, [-1]));
    return tf.sum(tf.reshape(tokenDots, [pairs, length]), 1).dataSync() as Float32Array;
  });
}

/** Sums row r of `rows` [count, width] into row ids[r] of a [size, width] matrix. */
function scatterRows(rows: Float32Array, ids: Int32Array, size: number, width: number): Float32Array {
  const result = new Float32Array(size * width);
  ids.forEach((id, row) => {
    const source = row * width;
    const target = id * width;
    for (let column = 0; column < width; column++) result[target + column] += rows[source + column];
  });
  return result;
}

import * as tf from "@tensorflow/tfjs-core";
import { type EncodedPair, makeOrderedBatches, toBatchTensors } from "./batches";
import { pairLosses } from "./pair-losses";
import type { Transformer } from "./transformer";

/**
 * Computes each pair's token-mean negative log-likelihood in a forward-only pass without dropout.
 * Returns the losses by `EncodedPair.index`.
 */
export function scorePairs(options: { model: Transformer; pairs: EncodedPair[]; batchSize: number }): Map<number, number> {
  const losses = new Map<number, number>();
  for (const batch of makeOrderedBatches(options.pairs, options.batchSize)) {
    const values = tf.tidy(() => {
      const tensors = toBatchTensors(batch);
      return pairLosses({ model: options.model, tensors, random: null, labelSmoothing: 0 }).nll.dataSync();
    });
    batch.forEach((pair, row) => losses.set(pair.index, values[row]));
  }
  return losses;
}

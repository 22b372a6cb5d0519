import type { SampleWeights, Strategy, StrategyBatch } from "./strategy";

/**
 * Trusts noisy pairs like clean ones: w_i = 1 for every pair, so the batch loss is the plain
 * mean of l_i (maximum-likelihood training on the union of clean and noisy data).
 */
export function createUniform(): Strategy {
  return {
    name: "uniform",
    weights(batch: StrategyBatch): SampleWeights {
      return {
        weights: batch.samples.map(() => 1),
        dropped: batch.samples.map(() => false),
      };
    },
  };
}

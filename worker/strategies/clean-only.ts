import type { SampleWeights, Strategy, StrategyBatch, StrategySample } from "./strategy";

/**
 * Trains on clean pairs alone: w_i = 1 - n_i, where n_i = 1 for a noisy pair. The baseline that
 * every noise-aware strategy should beat.
 *
 * Noisy pairs are left out of the batches (`includes`), so they cost no backward pass. The engine
 * still traces them each epoch with weight 0 and dropped true, and scores their loss in a
 * forward-only pass after the epoch.
 */
export function createCleanOnly(): Strategy {
  return {
    name: "clean-only",
    includes: (sample: StrategySample) => !sample.noisy,
    needsCleanPairs: () => true,
    weights(batch: StrategyBatch): SampleWeights {
      return {
        weights: batch.samples.map((sample) => (sample.noisy ? 0 : 1)),
        dropped: batch.samples.map((sample) => sample.noisy),
      };
    },
  };
}

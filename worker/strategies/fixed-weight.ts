import { parseStrategyParams } from "../../lib/strategies";
import type { SampleWeights, Strategy, StrategyBatch, StrategySample } from "./strategy";

/**
 * Sentence-level instance weighting with one constant weight for the noisy corpus:
 * w_i = lambda if the pair is noisy, else 1. Wang, Utiyama, Liu, Chen and Sumita, "Instance
 * Weighting for Neural Machine Translation Domain Adaptation", EMNLP 2017, weight sentences of
 * the out-of-domain corpus this way; here the noisy pairs play that part.
 *
 * `params` is validated with the `fixed-weight` schema of lib/strategies.ts: lambda from 0 to 1,
 * default 0.3. With lambda 0 the noisy pairs are dropped and left out of the batches, as in
 * clean-only.
 */
export function createFixedWeight(params: unknown): Strategy {
  const { lambda } = parseStrategyParams("fixed-weight", params);
  return {
    name: "fixed-weight",
    includes: (sample: StrategySample) => lambda > 0 || !sample.noisy,
    needsCleanPairs: () => lambda === 0,
    weights(batch: StrategyBatch): SampleWeights {
      return {
        weights: batch.samples.map((sample) => (sample.noisy ? lambda : 1)),
        dropped: batch.samples.map((sample) => sample.noisy && lambda === 0),
      };
    },
  };
}

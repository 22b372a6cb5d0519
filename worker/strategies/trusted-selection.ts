import { parseStrategyParams } from "../../lib/strategies";
import type { EpochContext, SampleWeights, Strategy, StrategyBatch, StrategySample } from "./strategy";

/**
 * Online data selection with trusted data (Wang, Watanabe et al., "Denoising Neural Machine
 * Translation Training with Trusted Data and Online Data Selection", WMT 2018). Each epoch after `warmupEpochs`, a copy of the current model is fine-tuned on the
 * clean (trusted) pairs for `fineTuneSteps` steps, and every noisy pair gets
 * score_i = (log p(y|x; fine-tuned) - log p(y|x; current)) / |y|, both token means without
 * dropout. The epoch then trains on every clean pair and the `keep` share of noisy pairs with the
 * highest score (ties by lower sampleId), at weight 1; the other noisy pairs are left out and
 * traced as dropped. Warm-up epochs train on every pair.
 *
 * The selection is made again at the start of every epoch from the model of that moment, with
 * random streams seeded by the run and the epoch, so a run resumed from a checkpoint selects the
 * same pairs and needs no saved state.
 */
export function createTrustedSelection(params: unknown): Strategy {
  const { keep, warmupEpochs, fineTuneSteps } = parseStrategyParams("trusted-selection", params);
  let kept: Set<number> | null = null;

  return {
    name: "trusted-selection",
    onEpochStart({ epoch, tools }: EpochContext) {
      kept = null;
      if (epoch <= warmupEpochs) return;
      const noisyIds = tools.samples.filter((sample) => sample.noisy).map((sample) => sample.sampleId);
      if (noisyIds.length === 0) return;
      const current = tools.scoreCurrent(noisyIds);
      const tuned = tools.scoreCleanTuned({ steps: fineTuneSteps, sampleIds: noisyIds });
      kept = selectTrusted({ noisyIds, current, tuned, keep });
    },
    includes: (sample: StrategySample) => !sample.noisy || kept === null || kept.has(sample.sampleId),
    needsCleanPairs: (epochs: number) => epochs > warmupEpochs,
    weights(batch: StrategyBatch): SampleWeights {
      return { weights: batch.samples.map(() => 1), dropped: batch.samples.map(() => false) };
    },
  };
}

/**
 * Returns the ids of the ceil(keep * n) noisy pairs whose loss fell most from the current model
 * to the fine-tuned one: loss_current - loss_tuned equals the log-probability gain per token.
 */
export function selectTrusted(options: {
  noisyIds: readonly number[];
  current: ReadonlyMap<number, number>;
  tuned: ReadonlyMap<number, number>;
  keep: number;
}): Set<number> {
  const { noisyIds, current, tuned, keep } = options;
  const scored = noisyIds.map((sampleId) => {
    const score = (current.get(sampleId) ?? Number.NaN) - (tuned.get(sampleId) ?? Number.NaN);
    if (!Number.isFinite(score)) throw new Error(`trusted-selection: no finite score for sampleId ${sampleId}`);
    return { sampleId, score };
  });
  scored.sort((a, b) => b.score - a.score || a.sampleId - b.sampleId);
  const count = Math.ceil(keep * scored.length);
  return new Set(scored.slice(0, count).map(({ sampleId }) => sampleId));
}

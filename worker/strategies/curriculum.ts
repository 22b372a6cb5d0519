import { z } from "zod";
import { parseStrategyParams, type strategyParamSchemas } from "../../lib/strategies";
import type { EpochContext, EpochEndContext, SampleWeights, Strategy, StrategyBatch, StrategySample } from "./strategy";

type CurriculumParams = z.output<(typeof strategyParamSchemas)["curriculum"]>;

/** Checkpointed state of gradual mode: noisy sample ids ordered by last epoch's loss, lowest first. */
const gradualStateSchema = z.object({ ranking: z.array(z.number().int()) }).strict();

/**
 * Makes noisy pairs matter less epoch by epoch, in one of two modes of a curriculum.
 *
 * "anneal": the noisy weight falls linearly from lambda0, then the run ends with `cleanEpochs`
 * epochs on clean pairs only. With A = epochs - cleanEpochs,
 *
 *   w_i = lambda0 * (1 - (e - 1) / A) for a noisy pair in epoch e = 1..A, and 0 after epoch A,
 *
 * so epoch 1 weighs lambda0 and epoch A weighs lambda0 / A. With A = 1 only epoch 1 anneals, at
 * lambda0. With A <= 0 (cleanEpochs >= epochs) every epoch is clean-only. A noisy weight of 0
 * leaves the noisy pairs out of the batches (`includes`), and the engine traces them as dropped.
 *
 * "gradual": gradual fine-tuning by dynamic data selection, after van der Wees, Bisazza and Monz,
 * "Dynamic Data Selection for Neural Machine Translation", EMNLP 2017. Epoch e trains on every
 * clean pair and on the share alpha * beta^floor((e - 1) / eta) of the noisy pairs that rank
 * best, at weight 1, and leaves the rest out. The score that ranks them is each noisy pair's
 * loss in the previous epoch's traces, lowest first, ties by sample id. Epoch 1 has no such loss yet, so it keeps every noisy pair. The kept count is
 * round(share * noisy pairs), with halves rounded up.
 *
 * NOTE: a pair that trained in the epoch is ranked by its loss in its batch (dropout on,
 * parameters of that step), and a left-out pair by a forward-only loss after the epoch, so the
 * two kinds are not measured alike. Scoring every noisy pair with `tools.scoreCurrent` at the
 * start of each epoch would make them comparable, at the cost of one forward pass over them.
 *
 * `params` is validated with the `curriculum` schema of lib/strategies.ts. Mode "anneal" reads
 * lambda0 and cleanEpochs, and mode "gradual" reads alpha, beta and eta. In gradual mode `state`
 * returns the ranking, so a resumed run selects the same pairs as an uninterrupted one.
 */
export function createCurriculum(params: unknown): Strategy {
  const parsed = parseStrategyParams("curriculum", params) as CurriculumParams;
  return parsed.mode === "anneal" ? createAnneal(parsed) : createGradual(parsed);
}

/** Returns the noisy weight of `epoch` (from 1) of `epochs` in anneal mode. */
export function annealNoisyWeight(params: Pick<CurriculumParams, "lambda0" | "cleanEpochs">, epoch: number, epochs: number): number {
  const annealEpochs = epochs - params.cleanEpochs;
  if (epoch > annealEpochs) return 0;
  return params.lambda0 * (1 - (epoch - 1) / annealEpochs);
}

/** Returns the share of the noisy pairs that gradual mode keeps in `epoch` (from 1), once losses rank them. */
export function gradualKeptShare(params: Pick<CurriculumParams, "alpha" | "beta" | "eta">, epoch: number): number {
  return params.alpha * params.beta ** Math.floor((epoch - 1) / params.eta);
}

function createAnneal(params: CurriculumParams): Strategy {
  let epochs: number | undefined;
  const noisyWeight = (epoch: number): number => {
    if (epochs === undefined) throw new Error("curriculum: onEpochStart must run before weights or includes, to give the run's epoch count");
    return annealNoisyWeight(params, epoch, epochs);
  };

  return {
    name: "curriculum",
    onEpochStart(context: EpochContext) {
      epochs = context.epochs;
    },
    includes: (sample: StrategySample, epoch: number) => !sample.noisy || noisyWeight(epoch) > 0,
    needsCleanPairs: (runEpochs: number) =>
      Array.from({ length: runEpochs }, (_, index) => annealNoisyWeight(params, index + 1, runEpochs)).some((weight) => weight === 0),
    weights(batch: StrategyBatch): SampleWeights {
      const weight = noisyWeight(batch.epoch);
      return {
        weights: batch.samples.map((sample) => (sample.noisy ? weight : 1)),
        dropped: batch.samples.map((sample) => sample.noisy && weight === 0),
      };
    },
  };
}

function createGradual(params: CurriculumParams): Strategy {
  /** Noisy sample ids from the lowest previous-epoch loss up, empty before the first epoch ends. */
  let ranking: number[] = [];
  /** Noisy sample ids kept this epoch, or null to keep every noisy pair. */
  let kept: Set<number> | null = null;
  const isKept = (sample: StrategySample) => !sample.noisy || kept === null || kept.has(sample.sampleId);

  return {
    name: "curriculum",
    onEpochStart(context: EpochContext) {
      if (ranking.length === 0) {
        kept = null;
        return;
      }
      const noisyCount = context.tools.samples.filter((sample) => sample.noisy).length;
      const keptCount = Math.round(gradualKeptShare(params, context.epoch) * noisyCount);
      kept = new Set(ranking.slice(0, keptCount));
    },
    onEpochEnd(context: EpochEndContext) {
      ranking = rankNoisyByLoss(context);
    },
    includes: isKept,
    weights(batch: StrategyBatch): SampleWeights {
      const dropped = batch.samples.map((sample) => !isKept(sample));
      return { weights: dropped.map((isDropped) => (isDropped ? 0 : 1)), dropped };
    },
    state: () => ({ ranking: [...ranking] }),
    restore(state: unknown) {
      const parsed = gradualStateSchema.safeParse(state);
      if (!parsed.success) throw new Error(`invalid curriculum state: expected { ranking: integer[] }, got ${JSON.stringify(state)?.slice(0, 200)}`);
      ranking = parsed.data.ranking;
    },
  };
}

/** Orders the epoch's noisy pairs by traced loss, lowest first, then by sample id. A NaN loss ranks last. */
function rankNoisyByLoss(context: EpochEndContext): number[] {
  const noisyIds = new Set(context.tools.samples.filter((sample) => sample.noisy).map((sample) => sample.sampleId));
  const score = (loss: number) => (Number.isNaN(loss) ? Number.POSITIVE_INFINITY : loss);
  return context.traces
    .filter((row) => noisyIds.has(row.sampleId))
    .sort((a, b) => score(a.loss) - score(b.loss) || a.sampleId - b.sampleId)
    .map((row) => row.sampleId);
}

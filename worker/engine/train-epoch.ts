import type { StrategySample } from "../strategies/strategy";
import { makeBatches } from "./batches";
import { CancelledError } from "./cancelled-error";
import type { TrainingRun } from "./prepare-run";
import { scorePairs } from "./score-pairs";
import { trainStep } from "./train-step";
import type { SampleTraceRow } from "./types";

/** `onProgress` is called after every this many steps. */
const PROGRESS_EVERY_STEPS = 10;

/** Pairs per forward-only batch when scoring pairs the strategy left out. */
const SCORING_BATCH_SIZE = 128;

export interface EpochTraining {
  /** One row per training pair, in the order of `TrainOptions.data.train`. */
  traces: SampleTraceRow[];
  /** sum(w_i * l_i) / sum(w_i) over the epoch's batches, with l_i the unsmoothed token-mean loss. */
  trainLoss: number;
}

/**
 * Trains one epoch over the pairs the strategy includes, checking `shouldStop` before each step.
 * Pairs it leaves out are scored afterwards in a forward-only pass and traced with weight 0.
 */
export async function trainEpoch(run: TrainingRun, epoch: number): Promise<EpochTraining> {
  const { options, strategy } = run;
  const sampleOf = (index: number): StrategySample => {
    const { sampleId, noisy } = run.trainPairs[index];
    return { sampleId, noisy };
  };
  const included = run.train.filter((pair) => strategy.includes?.(sampleOf(pair.index), epoch) ?? true);
  const batches = makeBatches({
    pairs: included, batchSize: run.preset.batchSize, maxTokens: run.preset.batchTokens, random: run.shuffleRandom,
  });
  const traces = new Array<SampleTraceRow>(run.train.length);
  let weightedLoss = 0;
  let weightSum = 0;

  for (const [batchIndex, batch] of batches.entries()) {
    if (await options.shouldStop()) {
      throw new CancelledError(`training cancelled at epoch ${epoch}, step ${run.step}`);
    }
    const outcome = trainStep(run, batch, epoch);
    batch.forEach((pair, row) => {
      const weight = outcome.traceWeights[row];
      const tokenWeights = outcome.weights.tokenWeights?.[row];
      traces[pair.index] = {
        sampleId: outcome.samples[row].sampleId, loss: outcome.losses[row], weight, dropped: outcome.weights.dropped[row],
        ...(tokenWeights ? { tokenWeights } : {}),
      };
      weightedLoss += weight * outcome.losses[row];
      weightSum += weight;
    });
    if ((batchIndex + 1) % PROGRESS_EVERY_STEPS === 0) {
      await options.onProgress(progressFraction(epoch - 1 + (batchIndex + 1) / batches.length, options.config.epochs));
    }
  }

  traceLeftOutPairs(run, traces);
  if (weightSum === 0) {
    throw new Error(`no training pair had a positive weight in epoch ${epoch}, so strategy ${strategy.name} left nothing to learn from; check its parameters and the share of clean pairs`);
  }
  return { traces, trainLoss: weightedLoss / weightSum };
}

/** Scores the pairs that were in no batch this epoch and traces them as dropped. */
function traceLeftOutPairs(run: TrainingRun, traces: SampleTraceRow[]): void {
  const leftOut = run.train.filter((pair) => traces[pair.index] === undefined);
  if (leftOut.length === 0) return;
  const losses = scorePairs({ model: run.model, pairs: leftOut, batchSize: SCORING_BATCH_SIZE });
  for (const pair of leftOut) {
    const { sampleId } = run.trainPairs[pair.index];
    traces[pair.index] = { sampleId, loss: losses.get(pair.index) ?? Number.NaN, weight: 0, dropped: true };
  }
}

/** Training progress from 0 to 1, given the fractional number of epochs done. */
export function progressFraction(epochsDone: number, epochs: number): number {
  return Math.min(1, Math.max(0, epochsDone / epochs));
}

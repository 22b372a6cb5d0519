import * as tf from "@tensorflow/tfjs-core";
import { Random } from "../../lib/random";
import type { StrategySample, StrategyTools } from "../strategies/strategy";
import { AdamOptimizer } from "./adam-optimizer";
import { type EncodedPair, makeBatches, toBatchTensors } from "./batches";
import { inverseSqrtLearningRate } from "./learning-rate";
import { pairLosses } from "./pair-losses";
import type { TrainingRun } from "./prepare-run";
import { scorePairs } from "./score-pairs";
import { Transformer } from "./transformer";

/** Pairs per forward-only batch when a strategy scores training pairs. */
const SCORING_BATCH_SIZE = 128;

/**
 * Builds the tools a strategy may call in its epoch hooks. Every random draw comes from streams
 * seeded by the run's seed and `epoch`, so a resumed run repeats the same fine-tuning.
 */
export function createStrategyTools(run: TrainingRun, epoch: number): StrategyTools {
  const samples: StrategySample[] = run.trainPairs.map(({ sampleId, noisy }) => ({ sampleId, noisy }));
  const pairsOf = (sampleIds: readonly number[]) => encodedPairsById(run, sampleIds);
  return {
    samples,
    scoreCurrent: (sampleIds) => scoreById(run, run.model, pairsOf(sampleIds)),
    scoreCleanTuned: ({ steps, sampleIds }) => {
      const copy = fineTuneOnClean(run, { steps, epoch });
      try {
        return scoreById(run, copy, pairsOf(sampleIds));
      } finally {
        copy.dispose();
      }
    },
  };
}

function encodedPairsById(run: TrainingRun, sampleIds: readonly number[]): EncodedPair[] {
  const bySampleId = new Map(run.train.map((pair) => [run.trainPairs[pair.index].sampleId, pair]));
  return sampleIds.map((sampleId) => {
    const pair = bySampleId.get(sampleId);
    if (!pair) throw new Error(`strategy ${run.strategy.name} asked to score sampleId ${sampleId}, which is not a training pair of this run`);
    return pair;
  });
}

function scoreById(run: TrainingRun, model: Transformer, pairs: EncodedPair[]): Map<number, number> {
  const byIndex = scorePairs({ model, pairs, batchSize: SCORING_BATCH_SIZE });
  return new Map(pairs.map((pair) => [run.trainPairs[pair.index].sampleId, byIndex.get(pair.index) ?? Number.NaN]));
}

/**
 * Returns a copy of the run's model after `steps` Adam steps on the clean training pairs, with the
 * learning rate of the run's current step, dropout on and label smoothing as in training. The
 * run's own model, optimizer and random streams are untouched.
 */
function fineTuneOnClean(run: TrainingRun, options: { steps: number; epoch: number }): Transformer {
  const { preset, options: trainOptions } = run;
  const seed = trainOptions.config.seed;
  const copy = new Transformer(run.model.config, new Random(seed, "clean-tune-init"));
  copy.variables.forEach((variable, index) => variable.assign(run.model.variables[index]));

  const clean = run.train.filter((pair) => !run.trainPairs[pair.index].noisy);
  if (clean.length === 0) {
    copy.dispose();
    throw new Error(`strategy ${run.strategy.name} needs clean training pairs to fine-tune on, but the run has none`);
  }
  const optimizer = new AdamOptimizer(copy.variables);
  const shuffle = new Random(seed, `clean-tune-shuffle-${options.epoch}`);
  const dropoutRandom = new Random(seed, `clean-tune-dropout-${options.epoch}`);
  const learningRate = inverseSqrtLearningRate({ step: Math.max(run.step, 1), peak: preset.learningRate, warmupSteps: preset.warmupSteps });
  try {
    let batches: EncodedPair[][] = [];
    for (let step = 0; step < options.steps; step++) {
      if (batches.length === 0) batches = makeBatches({ pairs: clean, batchSize: preset.batchSize, maxTokens: preset.batchTokens, random: shuffle });
      const batch = batches.pop() as EncodedPair[];
      tf.tidy(() => {
        const tensors = toBatchTensors(batch);
        const { grads } = tf.variableGrads(
          () => tf.mean(pairLosses({ model: copy, tensors, random: dropoutRandom, labelSmoothing: preset.labelSmoothing }).smoothed) as tf.Scalar,
          copy.variables,
        );
        optimizer.step(grads, learningRate);
      });
    }
    return copy;
  } catch (error) {
    copy.dispose();
    throw error;
  } finally {
    optimizer.dispose();
  }
}

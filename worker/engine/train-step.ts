import * as tf from "@tensorflow/tfjs-core";
import type { SampleWeights, StrategySample } from "../strategies/strategy";
import { type EncodedPair, toBatchTensors } from "./batches";
import { inverseSqrtLearningRate } from "./learning-rate";
import { pairLosses } from "./pair-losses";
import type { TrainingRun } from "./prepare-run";

/** Per-pair result of one optimizer step, in batch order. */
export interface StepOutcome {
  samples: StrategySample[];
  /** Token-mean negative log-likelihood of each pair in this step's forward pass. */
  losses: Float32Array;
  weights: SampleWeights;
  /** False when every weight was 0, so the parameters were left unchanged. */
  updated: boolean;
}

/**
 * Runs one optimizer step: forward pass with dropout, per-pair losses l_i, weights w_i from the
 * strategy, batch loss sum(w_i * l_i) / sum(w_i) on the label-smoothed losses, backward pass,
 * update. The strategy receives the unsmoothed l_i of this same forward pass. When sum(w_i) is 0 the
 * backward pass still runs, on a zero loss, but no update is applied.
 */
export function trainStep(run: TrainingRun, batch: EncodedPair[], epoch: number): StepOutcome {
  const { model, preset, strategy } = run;
  const samples = batch.map((pair) => {
    const { sampleId, noisy } = run.trainPairs[pair.index];
    return { sampleId, noisy };
  });
  let losses = new Float32Array(0);
  let weights: SampleWeights = { weights: [], dropped: [] };
  let weightSum = 0;

  const updated = tf.tidy(() => {
    const tensors = toBatchTensors(batch);
    const { grads } = tf.variableGrads(() => {
      const { smoothed, nll } = pairLosses({
        model, tensors, random: run.dropoutRandom, labelSmoothing: preset.labelSmoothing,
      });
      losses = Float32Array.from(nll.dataSync());
      weights = checkWeights(strategy.weights({ epoch, step: run.step, samples, losses }), samples.length, strategy.name);
      weightSum = weights.weights.reduce((sum, weight) => sum + weight, 0);
      const weighted = tf.sum(tf.mul(smoothed, tf.tensor1d(weights.weights)));
      return (weightSum > 0 ? tf.div(weighted, weightSum) : tf.mul(weighted, 0)) as tf.Scalar;
    }, model.variables);
    if (weightSum === 0) return false;

    const learningRate = inverseSqrtLearningRate({
      step: run.step + 1, peak: preset.learningRate, warmupSteps: preset.warmupSteps,
    });
    run.optimizer.step(grads, learningRate);
    return true;
  });

  if (updated) run.step += 1;
  return { samples, losses, weights, updated };
}

/** Rejects weights of the wrong length or negative or non-finite values, naming the strategy. */
function checkWeights(result: SampleWeights, expected: number, strategy: string): SampleWeights {
  if (result.weights.length !== expected || result.dropped.length !== expected) {
    throw new Error(
      `strategy ${strategy} returned ${result.weights.length} weights and ${result.dropped.length} dropped flags for a batch of ${expected}`,
    );
  }
  const invalid = result.weights.find((weight) => !Number.isFinite(weight) || weight < 0);
  if (invalid !== undefined) throw new Error(`strategy ${strategy} returned invalid weight ${invalid}: weights must be finite and at least 0`);
  return result;
}

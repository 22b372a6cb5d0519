import * as tf from "@tensorflow/tfjs-core";
import type { SampleWeights, StrategyBatch, StrategySample } from "../strategies/strategy";
import { type BatchTensors, type EncodedPair, toBatchTensors } from "./batches";
import { cleanGradientAlignment } from "./gradient-alignment";
import { inverseSqrtLearningRate } from "./learning-rate";
import { type PairLosses, pairLosses } from "./pair-losses";
import type { TrainingRun } from "./prepare-run";
import { tokenNegLogLikelihoods } from "./sequence-loss";
import { weightedLoss } from "./weighted-loss";

/** Per-pair result of one optimizer step, in batch order. */
export interface StepOutcome {
  samples: StrategySample[];
  /** Token-mean negative log-likelihood of each pair in this step's forward pass. */
  losses: Float32Array;
  weights: SampleWeights;
  /** Weight each pair is traced with: w_i, times the mean of its token weights when the strategy weights tokens. */
  traceWeights: number[];
  /** False when every weight was 0, so the parameters were left unchanged. */
  updated: boolean;
}

/**
 * Runs one optimizer step: forward pass with dropout, per-pair losses l_i, weights w_i from the
 * strategy, batch loss sum(w_i * l_i) / sum(w_i) on the label-smoothed losses (or, with token
 * weights, sum_i w_i sum_t tw_it l_it / sum_i w_i sum_t tw_it), backward pass, update. The
 * strategy receives the unsmoothed l_i of this same forward pass, and the extra inputs it lists
 * in `needs`. With a peer model (co-teaching) both models run on the batch, each with its own
 * weights, and each is updated. When the weights sum to 0 no update is applied.
 */
export function trainStep(run: TrainingRun, batch: EncodedPair[], epoch: number): StepOutcome {
  const samples = batch.map((pair) => {
    const { sampleId, noisy } = run.trainPairs[pair.index];
    return { sampleId, noisy };
  });
  const tokenCounts = batch.map((pair) => pair.tgtIds.length + 1);
  let losses = new Float32Array(0);
  let weights: SampleWeights = { weights: [], dropped: [] };
  let sums = { main: 0, peer: 0 };

  const updated = tf.tidy(() => {
    const tensors = toBatchTensors(batch);
    const peer = run.peer;
    const variables = peer ? [...run.model.variables, ...peer.model.variables] : run.model.variables;
    const { grads } = tf.variableGrads(() => {
      const main = pairLosses({ model: run.model, tensors, random: run.dropoutRandom, labelSmoothing: run.preset.labelSmoothing });
      const peerForward = peer
        ? pairLosses({ model: peer.model, tensors, random: peer.dropoutRandom, labelSmoothing: run.preset.labelSmoothing })
        : undefined;
      losses = Float32Array.from(main.nll.dataSync());
      const strategyBatch = buildStrategyBatch({ run, epoch, samples, losses, tokenCounts, tensors, main, peerForward });
      weights = checkWeights(run.strategy.weights(strategyBatch), { samples, tokenCounts, peer: peer !== undefined, strategy: run.strategy.name });

      const mainLoss = weightedLoss({ forward: main, tensors, weights: weights.weights, tokenWeights: weights.tokenWeights, labelSmoothing: run.preset.labelSmoothing });
      sums = { main: mainLoss.weightSum, peer: 0 };
      if (!peerForward || !weights.peer) return mainLoss.loss;
      const peerLoss = weightedLoss({ forward: peerForward, tensors, weights: weights.peer.weights, labelSmoothing: run.preset.labelSmoothing });
      sums.peer = peerLoss.weightSum;
      return tf.add(mainLoss.loss, peerLoss.loss) as tf.Scalar;
    }, variables);

    const learningRate = inverseSqrtLearningRate({ step: run.step + 1, peak: run.preset.learningRate, warmupSteps: run.preset.warmupSteps });
    if (peer && sums.peer > 0) peer.optimizer.step(grads, learningRate);
    if (sums.main === 0) return false;
    run.optimizer.step(grads, learningRate);
    return true;
  });

  if (updated) run.step += 1;
  return { samples, losses, weights, traceWeights: traceWeights(weights), updated };
}

function buildStrategyBatch(options: {
  run: TrainingRun;
  epoch: number;
  samples: StrategySample[];
  losses: Float32Array;
  tokenCounts: number[];
  tensors: BatchTensors;
  main: PairLosses;
  peerForward: PairLosses | undefined;
}): StrategyBatch {
  const { run, epoch, samples, losses, tokenCounts, tensors, main, peerForward } = options;
  const needs = new Set(run.strategy.needs ?? []);
  const batch: StrategyBatch = { epoch, step: run.step, samples, losses };
  if (needs.has("token-losses")) {
    const tokenNll = tokenNegLogLikelihoods({ logits: main.logits, targets: tensors.tgtOutput, logSumExp: main.logSumExp });
    const values = tokenNll.dataSync();
    const width = tensors.tgtOutput.shape[1];
    batch.tokenLosses = tokenCounts.map((count, row) => Float32Array.from(values.subarray(row * width, row * width + count)));
  }
  if (needs.has("clean-gradient-alignment")) {
    const alignment = cleanGradientAlignment({
      hidden: main.hidden, logits: main.logits, targets: tensors.tgtOutput, mask: tensors.tgtMask,
      clean: samples.map((sample) => !sample.noisy), logSumExp: main.logSumExp,
    });
    if (alignment) batch.cleanAlignment = alignment;
  }
  if (peerForward) batch.peerLosses = Float32Array.from(peerForward.nll.dataSync());
  return batch;
}

function traceWeights(weights: SampleWeights): number[] {
  const { tokenWeights } = weights;
  if (!tokenWeights) return weights.weights;
  return weights.weights.map((weight, index) => {
    const row = tokenWeights[index];
    return row.length === 0 ? 0 : (weight * row.reduce((sum, value) => sum + value, 0)) / row.length;
  });
}

/** Rejects weights of the wrong length or negative or non-finite values, naming the strategy. */
function checkWeights(
  result: SampleWeights,
  expected: { samples: StrategySample[]; tokenCounts: number[]; peer: boolean; strategy: string },
): SampleWeights {
  const { strategy, tokenCounts } = expected;
  const size = expected.samples.length;
  checkWeightList(result, size, strategy, "");
  if (result.tokenWeights) {
    if (result.tokenWeights.length !== size) {
      throw new Error(`strategy ${strategy} returned token weights for ${result.tokenWeights.length} pairs in a batch of ${size}`);
    }
    result.tokenWeights.forEach((row, index) => {
      if (row.length !== tokenCounts[index]) {
        throw new Error(`strategy ${strategy} returned ${row.length} token weights for sampleId ${expected.samples[index].sampleId}, which has ${tokenCounts[index]} target tokens`);
      }
      checkValues(row, strategy, "token ");
    });
  }
  if (expected.peer) {
    if (!result.peer) throw new Error(`strategy ${strategy} trains a peer model but returned no peer weights`);
    checkWeightList(result.peer, size, strategy, "peer ");
  }
  return result;
}

function checkWeightList(list: { weights: number[]; dropped: boolean[] }, size: number, strategy: string, kind: string): void {
  if (list.weights.length !== size || list.dropped.length !== size) {
    throw new Error(`strategy ${strategy} returned ${list.weights.length} ${kind}weights and ${list.dropped.length} dropped flags for a batch of ${size}`);
  }
  checkValues(list.weights, strategy, kind);
}

function checkValues(values: number[], strategy: string, kind: string): void {
  const invalid = values.find((weight) => !Number.isFinite(weight) || weight < 0);
  if (invalid !== undefined) throw new Error(`strategy ${strategy} returned invalid ${kind}weight ${invalid}: weights must be finite and at least 0`);
}

import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../worker/engine/backend";
import type { BatchTensors } from "../../worker/engine/batches";
import type { EpochReport, TrainOptions } from "../../worker/engine/types";
import { weightedLoss } from "../../worker/engine/weighted-loss";
import { createStrategy } from "../../worker/strategies";
import type { StrategyBatch } from "../../worker/strategies/strategy";
import { loadMicroData, trainEpochReports } from "./micro-data";

beforeAll(async () => {
  await selectBackend();
});

describe("token-weighting strategy", () => {
  const losses = [-Math.log(0.81), -Math.log(0.04), -Math.log(1)];
  const batch: StrategyBatch = {
    epoch: 1,
    step: 0,
    samples: [
      { sampleId: 1, noisy: false },
      { sampleId: 2, noisy: true },
    ],
    losses: Float32Array.from([0.5, 1.5]),
    tokenLosses: [Float32Array.from(losses), Float32Array.from(losses.slice(0, 2))],
  };

  it("weighs noisy tokens p^beta and clean tokens 1", () => {
    const result = createStrategy("token-weighting", {}).weights(batch);

    expect(result.weights).toEqual([1, 1]);
    expect(result.dropped).toEqual([false, false]);
    expect(result.tokenWeights?.[0]).toEqual([1, 1, 1]);
    expect(result.tokenWeights?.[1][0]).toBeCloseTo(0.9, 6);
    expect(result.tokenWeights?.[1][1]).toBeCloseTo(0.2, 6);
  });

  it("gives 0 to noisy tokens under the floor", () => {
    const result = createStrategy("token-weighting", { beta: 1, floor: 0.05 }).weights(batch);

    expect(result.tokenWeights?.[1][0]).toBeCloseTo(0.81, 6);
    expect(result.tokenWeights?.[1][1]).toBe(0);
    expect(result.tokenWeights?.[0]).toEqual([1, 1, 1]);
  });

  it("drops a pair wholly under the floor", () => {
    const result = createStrategy("token-weighting", { floor: 0.9 }).weights(batch);

    expect(result.tokenWeights?.[1]).toEqual([0, 0]);
    expect(result.dropped).toEqual([false, true]);
  });

  it("rejects a batch without token losses", () => {
    expect(() => createStrategy("token-weighting", {}).weights({ ...batch, tokenLosses: undefined })).toThrow(/no per-token losses/);
  });

  it("rejects a negative beta, naming the field", () => {
    expect(() => createStrategy("token-weighting", { beta: -1 })).toThrow(/beta/);
  });
});

describe("weightedLoss", () => {
  /** Two pairs of 3 and 2 real tokens over a vocabulary of 4. */
  function batchTensors() {
    const logits = tf.tensor3d(Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i * 1.7)), [2, 3, 4]);
    const targets = tf.tensor2d([1, 2, 3, 0, 2, 0], [2, 3], "int32");
    const mask = tf.tensor2d([1, 1, 1, 1, 1, 0], [2, 3]);
    const tensors = { tgtOutput: targets, tgtMask: mask } as unknown as BatchTensors;
    return { logits, targets, mask, tensors };
  }

  /** Label-smoothed loss of each token, computed directly from the definition. */
  function tokenLosses(logits: tf.Tensor, targets: number[], smoothing: number): number[] {
    const logProbabilities = tf.logSoftmax(tf.reshape(logits, [-1, 4])).arraySync() as number[][];
    return targets.map((target, row) => {
      const uniform = -logProbabilities[row].reduce((sum, value) => sum + value, 0) / 4;
      return (1 - smoothing) * -logProbabilities[row][target] + smoothing * uniform;
    });
  }

  it("divides by the sum of token weights", () => {
    const { logits, tensors } = batchTensors();
    const perToken = tokenLosses(logits, [1, 2, 3, 0, 2, 0], 0.1);
    const tokenWeights = [[0.5, 1, 0.25], [2, 0.5]];
    const weights = [1, 0.5];
    const smoothed = tf.tensor1d([0, 0]);

    const { loss, weightSum } = weightedLoss({ forward: { smoothed, logits }, tensors, weights, tokenWeights, labelSmoothing: 0.1 });

    const numerator = 1 * (0.5 * perToken[0] + 1 * perToken[1] + 0.25 * perToken[2]) + 0.5 * (2 * perToken[3] + 0.5 * perToken[4]);
    const denominator = 1 * 1.75 + 0.5 * 2.5;
    expect(weightSum).toBeCloseTo(denominator, 6);
    expect(loss.dataSync()[0]).toBeCloseTo(numerator / denominator, 5);
    tf.dispose([logits, tensors.tgtOutput, tensors.tgtMask, smoothed, loss]);
  });

  it("divides sentence losses by the sum of weights", () => {
    const { logits, tensors } = batchTensors();
    const smoothed = tf.tensor1d([2, 4]);

    const { loss, weightSum } = weightedLoss({ forward: { smoothed, logits }, tensors, weights: [1, 0.25], labelSmoothing: 0.1 });

    expect(weightSum).toBe(1.25);
    expect(loss.dataSync()[0]).toBeCloseTo((2 + 0.25 * 4) / 1.25, 6);
    tf.dispose([logits, tensors.tgtOutput, tensors.tgtMask, smoothed, loss]);
  });
});

describe("token-weighting training", () => {
  let data: TrainOptions["data"];
  let reports: EpochReport[];

  beforeAll(async () => {
    data = await loadMicroData();
    reports = await trainEpochReports({ datasetId: 1, strategy: "token-weighting", preset: "micro", epochs: 2, seed: 4 }, data);
  });

  it("traces one token weight per target token of every pair", () => {
    for (const row of reports[1].traces) {
      expect(row.tokenWeights?.length).toBeGreaterThan(0);
      const mean = (row.tokenWeights ?? []).reduce((sum, weight) => sum + weight, 0) / (row.tokenWeights?.length ?? 1);
      expect(row.weight).toBeCloseTo(mean, 6);
    }
  });

  it("gives clean tokens 1 and noisy tokens less", () => {
    const noisy = new Set(data.train.filter((pair) => pair.noisy).map((pair) => pair.sampleId));
    const rows = reports[1].traces;
    const clean = rows.filter((row) => !noisy.has(row.sampleId));
    const noisyRows = rows.filter((row) => noisy.has(row.sampleId));

    expect(clean.every((row) => row.tokenWeights?.every((weight) => weight === 1))).toBe(true);
    expect(noisyRows.every((row) => row.weight > 0 && row.weight < 1)).toBe(true);
  });
});

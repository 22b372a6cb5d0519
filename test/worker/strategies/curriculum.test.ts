import { describe, expect, it } from "vitest";
import { createStrategy } from "../../../worker/strategies";
import type { Strategy, StrategySample } from "../../../worker/strategies/strategy";
import { makeBatch, makeTools, makeTraces, type PairRow, throughJson } from "./strategy-fixtures";

/** One clean and one noisy pair, with any loss. */
const MIXED_ROWS: PairRow[] = [
  { sampleId: 1, noisy: false, loss: 2 },
  { sampleId: 2, noisy: true, loss: 3 },
];

/** Noisy weight of each epoch from 1 to `epochs`, starting each epoch as the engine does. */
function annealWeights(params: Record<string, unknown>, epochs: number): number[] {
  const strategy = createStrategy("curriculum", { mode: "anneal", ...params });
  const tools = makeTools(MIXED_ROWS);
  return Array.from({ length: epochs }, (_, i) => {
    strategy.onEpochStart?.({ epoch: i + 1, epochs, tools });
    return strategy.weights(makeBatch(i + 1, MIXED_ROWS)).weights[1];
  });
}

describe("curriculum", () => {
  describe("when mode is anneal", () => {
    it("anneals the noisy weight linearly, then trains on clean pairs", () => {
      // A = 5 - 1 = 4 annealing epochs: 1 * (1 - (e - 1) / 4).
      expect(annealWeights({ lambda0: 1, cleanEpochs: 1 }, 5)).toEqual([1, 0.75, 0.5, 0.25, 0]);
    });

    it("scales the schedule by lambda0", () => {
      expect(annealWeights({ lambda0: 0.8, cleanEpochs: 2 }, 4)).toEqual([0.8, 0.8 * (1 - 1 / 2), 0, 0]);
    });

    it("is the default mode, with lambda0 1 and one clean epoch", () => {
      const strategy = createStrategy("curriculum", {});
      strategy.onEpochStart?.({ epoch: 1, epochs: 3, tools: makeTools(MIXED_ROWS) });

      expect(strategy.weights(makeBatch(1, MIXED_ROWS)).weights).toEqual([1, 1]);
      expect(strategy.weights(makeBatch(2, MIXED_ROWS)).weights).toEqual([1, 0.5]);
      expect(strategy.weights(makeBatch(3, MIXED_ROWS)).weights).toEqual([1, 0]);
    });

    it("keeps clean pairs at weight 1 in every epoch", () => {
      const strategy = createStrategy("curriculum", { mode: "anneal", lambda0: 0.5, cleanEpochs: 1 });
      strategy.onEpochStart?.({ epoch: 1, epochs: 3, tools: makeTools(MIXED_ROWS) });

      for (const epoch of [1, 2, 3]) expect(strategy.weights(makeBatch(epoch, MIXED_ROWS)).weights[0]).toBe(1);
    });

    describe("when cleanEpochs is 0", () => {
      it("ends at lambda0 / epochs without a clean-only epoch", () => {
        expect(annealWeights({ lambda0: 1, cleanEpochs: 0 }, 4)).toEqual([1, 0.75, 0.5, 0.25]);
      });
    });

    describe("when one epoch anneals", () => {
      it("weighs it lambda0", () => {
        expect(annealWeights({ lambda0: 0.6, cleanEpochs: 2 }, 3)).toEqual([0.6, 0, 0]);
      });
    });

    describe("when cleanEpochs is at least the run's epochs", () => {
      it("trains on clean pairs in every epoch", () => {
        expect(annealWeights({ lambda0: 1, cleanEpochs: 2 }, 2)).toEqual([0, 0]);
        expect(annealWeights({ lambda0: 1, cleanEpochs: 5 }, 2)).toEqual([0, 0]);
      });
    });

    describe("in a clean-only epoch", () => {
      const strategy = createStrategy("curriculum", { mode: "anneal", cleanEpochs: 1 });
      strategy.onEpochStart?.({ epoch: 3, epochs: 3, tools: makeTools(MIXED_ROWS) });

      it("drops noisy pairs", () => {
        expect(strategy.weights(makeBatch(3, MIXED_ROWS)).dropped).toEqual([false, true]);
      });

      it("leaves noisy pairs out of the batches", () => {
        expect(MIXED_ROWS.map((row) => strategy.includes?.(row, 3))).toEqual([true, false]);
        expect(MIXED_ROWS.map((row) => strategy.includes?.(row, 2))).toEqual([true, true]);
      });
    });

    describe("when lambda0 is 0", () => {
      it("leaves noisy pairs out from the first epoch", () => {
        const strategy = createStrategy("curriculum", { mode: "anneal", lambda0: 0 });
        strategy.onEpochStart?.({ epoch: 1, epochs: 3, tools: makeTools(MIXED_ROWS) });

        expect(strategy.includes?.(MIXED_ROWS[1], 1)).toBe(false);
        expect(strategy.weights(makeBatch(1, MIXED_ROWS)).dropped).toEqual([false, true]);
      });
    });

    describe("before onEpochStart", () => {
      it("rejects weights, since the epoch count is unknown", () => {
        const strategy = createStrategy("curriculum", { mode: "anneal" });

        expect(() => strategy.weights(makeBatch(1, MIXED_ROWS))).toThrow("onEpochStart must run before weights");
      });
    });

    it("keeps no state", () => {
      expect(createStrategy("curriculum", { mode: "anneal" }).state).toBeUndefined();
    });
  });

  describe("when mode is gradual", () => {
    /** Ten noisy pairs (ids 1 to 10) and two clean ones (101, 102). */
    const samples: StrategySample[] = [
      ...Array.from({ length: 10 }, (_, i) => ({ sampleId: i + 1, noisy: true })),
      { sampleId: 101, noisy: false },
      { sampleId: 102, noisy: false },
    ];
    const tools = makeTools(samples);
    /**
     * Epoch losses: pair k has loss 11 - k, but pairs 3 and 4 tie at 5.5, so the ranking is
     * 10, 9, 8, 7, 6, 3, 4, 5, 2, 1. Clean pairs have the lowest losses and must not count.
     */
    const EPOCH_ROWS: PairRow[] = samples.map(({ sampleId, noisy }) => ({ sampleId, noisy, loss: epochLoss(sampleId, noisy) }));

    function epochLoss(sampleId: number, noisy: boolean): number {
      if (!noisy) return 0.1;
      if (sampleId === 3 || sampleId === 4) return 5.5;
      return 11 - sampleId;
    }

    /** Noisy ids the strategy includes in `epoch`, after onEpochStart. */
    function includedNoisy(strategy: Strategy, epoch: number): number[] {
      return samples.filter((sample) => sample.noisy && strategy.includes?.(sample, epoch)).map((sample) => sample.sampleId);
    }

    /** Runs epoch hooks 1..`epochs`, each epoch ending with EPOCH_ROWS, and returns the noisy ids included per epoch. */
    function includedPerEpoch(strategy: Strategy, epochs: number, fromEpoch = 1): number[][] {
      const included: number[][] = [];
      for (let epoch = fromEpoch; epoch <= epochs; epoch++) {
        strategy.onEpochStart?.({ epoch, epochs, tools });
        included.push(includedNoisy(strategy, epoch));
        strategy.onEpochEnd?.({ epoch, epochs, tools, traces: makeTraces(EPOCH_ROWS) });
      }
      return included;
    }

    it("keeps every noisy pair in epoch 1, when no loss ranks them", () => {
      const strategy = createStrategy("curriculum", { mode: "gradual" });

      expect(includedPerEpoch(strategy, 1)).toEqual([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]);
    });

    it("keeps the scheduled share of pairs", () => {
      // Epoch e keeps round(alpha * beta^floor((e - 1) / eta) * 10) of the lowest-loss noisy pairs.
      const strategy = createStrategy("curriculum", { mode: "gradual", alpha: 0.5, beta: 0.5, eta: 2 });
      const included = includedPerEpoch(strategy, 5);

      // Shares by epoch: all, 0.5, 0.25, 0.25, 0.125; 2.5 rounds to 3 and 1.25 to 1.
      expect(included.map((ids) => ids.length)).toEqual([10, 5, 3, 3, 1]);
      expect(included[1].sort((a, b) => a - b)).toEqual([6, 7, 8, 9, 10]);
      expect(included[2].sort((a, b) => a - b)).toEqual([8, 9, 10]);
      expect(included[4]).toEqual([10]);
    });

    it("breaks loss ties by sample id", () => {
      const strategy = createStrategy("curriculum", { mode: "gradual", alpha: 0.6, beta: 1, eta: 1 });

      // 6 kept: 10, 9, 8, 7, 6 and then 3, which ties with 4 at loss 5.5.
      expect(includedPerEpoch(strategy, 2)[1].sort((a, b) => a - b)).toEqual([3, 6, 7, 8, 9, 10]);
    });

    it("weighs kept pairs 1 and drops the others, clean pairs always kept", () => {
      const strategy = createStrategy("curriculum", { mode: "gradual", alpha: 0.2, beta: 1, eta: 1 });
      includedPerEpoch(strategy, 2);
      const result = strategy.weights(makeBatch(2, EPOCH_ROWS));

      // Kept: the two lowest-loss noisy pairs, 9 and 10, and both clean pairs.
      expect(result.weights).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
      expect(result.dropped).toEqual([true, true, true, true, true, true, true, true, false, false, false, false]);
      expect(samples.filter((sample) => !sample.noisy).every((sample) => strategy.includes?.(sample, 2))).toBe(true);
    });

    it("ranks by the latest epoch's losses", () => {
      const strategy = createStrategy("curriculum", { mode: "gradual", alpha: 0.2, beta: 1, eta: 1 });
      strategy.onEpochStart?.({ epoch: 1, epochs: 3, tools });
      strategy.onEpochEnd?.({ epoch: 1, epochs: 3, tools, traces: makeTraces(EPOCH_ROWS) });
      const reversed = EPOCH_ROWS.map((row) => ({ ...row, loss: row.noisy ? row.sampleId : row.loss }));
      strategy.onEpochStart?.({ epoch: 2, epochs: 3, tools });
      strategy.onEpochEnd?.({ epoch: 2, epochs: 3, tools, traces: makeTraces(reversed) });
      strategy.onEpochStart?.({ epoch: 3, epochs: 3, tools });

      expect(includedNoisy(strategy, 3)).toEqual([1, 2]);
    });

    it("ranks a NaN loss last", () => {
      const strategy = createStrategy("curriculum", { mode: "gradual", alpha: 0.9, beta: 1, eta: 1 });
      strategy.onEpochStart?.({ epoch: 1, epochs: 2, tools });
      const rows = EPOCH_ROWS.map((row) => (row.sampleId === 10 ? { ...row, loss: Number.NaN } : row));
      strategy.onEpochEnd?.({ epoch: 1, epochs: 2, tools, traces: makeTraces(rows) });
      strategy.onEpochStart?.({ epoch: 2, epochs: 2, tools });

      expect(includedNoisy(strategy, 2)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    describe("when its state is restored", () => {
      const params = { mode: "gradual", alpha: 0.5, beta: 0.5, eta: 1 };

      it("selects the same pairs as an uninterrupted run", () => {
        const straight = includedPerEpoch(createStrategy("curriculum", params), 4);

        const first = createStrategy("curriculum", params);
        const before = includedPerEpoch(first, 2);
        const resumed = createStrategy("curriculum", params);
        resumed.restore?.(throughJson(first.state?.()));
        const after = includedPerEpoch(resumed, 4, 3);

        expect([...before, ...after]).toEqual(straight);
        // Shares by epoch: all, 0.25, 0.125, 0.0625 of 10 pairs.
        expect(straight.map((ids) => ids.length)).toEqual([10, 3, 1, 1]);
      });

      it("rejects a state without a ranking", () => {
        expect(() => createStrategy("curriculum", params).restore?.({ window: [] })).toThrow("invalid curriculum state");
      });
    });
  });

  describe("when a parameter is invalid", () => {
    it.each([
      [{ mode: "both" }, "mode: Invalid option"],
      [{ alpha: 0 }, "alpha: Too small"],
      [{ beta: 1.5 }, "beta: Too big"],
      [{ eta: 0.5 }, "eta: Invalid input"],
      [{ cleanEpochs: 51 }, "cleanEpochs: Too big"],
      [{ lambda: 0.3 }, 'params: Unrecognized key: "lambda"'],
    ])("names the field of %j", (params, message) => {
      expect(() => createStrategy("curriculum", params)).toThrow(`invalid parameters for strategy curriculum: ${message}`);
    });
  });
});

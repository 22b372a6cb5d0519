import { describe, expect, it } from "vitest";
import { STRATEGY_NAMES } from "../../lib/strategies";
import { createStrategy } from "../../worker/strategies";
import type { StrategyBatch } from "../../worker/strategies/strategy";

/** Two clean and two noisy pairs, interleaved. */
const BATCH: StrategyBatch = {
  epoch: 1,
  step: 0,
  samples: [
    { sampleId: 11, noisy: false },
    { sampleId: 12, noisy: true },
    { sampleId: 13, noisy: false },
    { sampleId: 14, noisy: true },
  ],
  losses: Float32Array.from([2.5, 4, 3, 6]),
};

describe("createStrategy", () => {
  it("creates every strategy of the shared schema", () => {
    for (const name of STRATEGY_NAMES) expect(createStrategy(name, {}).name).toBe(name);
  });
});

describe("uniform", () => {
  it("weighs every pair 1", () => {
    const result = createStrategy("uniform", {}).weights(BATCH);

    expect(result.weights).toEqual([1, 1, 1, 1]);
    expect(result.dropped).toEqual([false, false, false, false]);
  });

  it("includes every pair", () => {
    expect(createStrategy("uniform", {}).includes).toBeUndefined();
  });
});

describe("clean-only", () => {
  const strategy = createStrategy("clean-only", {});

  it("weighs noisy pairs 0 and drops them", () => {
    const result = strategy.weights(BATCH);

    expect(result.weights).toEqual([1, 0, 1, 0]);
    expect(result.dropped).toEqual([false, true, false, true]);
  });

  it("leaves noisy pairs out of the batches", () => {
    const included = BATCH.samples.map((sample) => strategy.includes?.(sample, 1));

    expect(included).toEqual([true, false, true, false]);
  });
});

describe("fixed-weight", () => {
  describe("when lambda is unset", () => {
    it("weighs noisy pairs 0.3", () => {
      const result = createStrategy("fixed-weight", {}).weights(BATCH);

      expect(result.weights).toEqual([1, 0.3, 1, 0.3]);
      expect(result.dropped).toEqual([false, false, false, false]);
    });
  });

  describe("when lambda is 0.25", () => {
    const strategy = createStrategy("fixed-weight", { lambda: 0.25 });

    it("weighs noisy pairs 0.25", () => {
      expect(strategy.weights(BATCH).weights).toEqual([1, 0.25, 1, 0.25]);
    });

    it("gives a batch loss of sum(w * l) / sum(w)", () => {
      const { weights } = strategy.weights(BATCH);
      const loss = weights.reduce((sum, w, i) => sum + w * BATCH.losses[i], 0) / weights.reduce((sum, w) => sum + w, 0);

      // (2.5 + 0.25 * 4 + 3 + 0.25 * 6) / 2.5
      expect(loss).toBeCloseTo(8 / 2.5, 12);
    });

    it("includes noisy pairs", () => {
      expect(strategy.includes?.({ sampleId: 12, noisy: true }, 1)).toBe(true);
    });
  });

  describe("when lambda is 0", () => {
    const strategy = createStrategy("fixed-weight", { lambda: 0 });

    it("drops noisy pairs", () => {
      const result = strategy.weights(BATCH);

      expect(result.weights).toEqual([1, 0, 1, 0]);
      expect(result.dropped).toEqual([false, true, false, true]);
    });

    it("leaves noisy pairs out of the batches", () => {
      expect(strategy.includes?.({ sampleId: 12, noisy: true }, 1)).toBe(false);
    });
  });

  describe("when lambda is out of range", () => {
    it("rejects it", () => {
      expect(() => createStrategy("fixed-weight", { lambda: 1.5 })).toThrow();
    });
  });
});

import { describe, expect, it } from "vitest";
import { createStrategy } from "../../../worker/strategies";
import { linearQuantile } from "../../../worker/strategies/linear-quantile";
import type { Strategy } from "../../../worker/strategies/strategy";
import { makeBatch, type PairRow, throughJson } from "./strategy-fixtures";

const noisy = (sampleId: number, loss: number): PairRow => ({ sampleId, noisy: true, loss });
const clean = (sampleId: number, loss: number): PairRow => ({ sampleId, noisy: false, loss });

/** Warm-up batch: noisy losses 1 to 8 and two clean pairs. */
const WARMUP_ROWS = [clean(101, 0.5), ...[1, 2, 3, 4, 5, 6, 7, 8].map((loss) => noisy(loss, loss)), clean(102, 20)];

/**
 * After WARMUP_ROWS the window contains 1..8 and then 9, 10, 7, 7.5. Sorted, that is
 * [1, 2, 3, 4, 5, 6, 7, 7, 7.5, 8, 9, 10], whose 0.7 quantile (numpy 2.4.6) is 7.35.
 */
const TRUNCATED_ROWS = [noisy(9, 9), clean(103, 50), noisy(10, 10), noisy(11, 7), noisy(12, 7.5)];

describe("linearQuantile", () => {
  // Expected values are numpy.quantile(values, p) from numpy 2.4.6, method "linear".
  const cases: [number[], number, number][] = [
    [[1, 2, 3, 4], 0.7, 3.0999999999999996],
    [[0.5, 1.25, 2, 4.75, 8], 0.7, 4.199999999999999],
    [[0.5, 1.25, 2, 4.75, 8], 0.35, 1.5499999999999998],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.7, 7.3],
    [[0.1, 0.2, 0.3], 0.9, 0.28],
    [[3], 0.7, 3],
  ];

  it.each(cases)("matches numpy for %j at p = %d", (values, p, expected) => {
    expect(linearQuantile(values, p)).toBe(expected);
  });

  it("gives the minimum at 0 and the maximum at 1", () => {
    expect(linearQuantile([1, 4, 9], 0)).toBe(1);
    expect(linearQuantile([1, 4, 9], 1)).toBe(9);
  });

  it("rejects an empty array", () => {
    expect(() => linearQuantile([], 0.5)).toThrow("at least one value");
  });

  it("rejects p outside 0 to 1", () => {
    expect(() => linearQuantile([1], 1.5)).toThrow("quantile p must be from 0 to 1, got 1.5");
  });
});

describe("loss-truncation", () => {
  describe("during warm-up", () => {
    it("weighs every pair 1", () => {
      const strategy = createStrategy("loss-truncation", { c: 0.3, warmupEpochs: 1, window: 16 });
      const result = strategy.weights(makeBatch(1, WARMUP_ROWS));

      expect(result.weights).toEqual(WARMUP_ROWS.map(() => 1));
      expect(result.dropped).toEqual(WARMUP_ROWS.map(() => false));
    });

    it("puts noisy losses in the window, not clean ones", () => {
      const strategy = createStrategy("loss-truncation", { window: 16 });
      strategy.weights(makeBatch(1, WARMUP_ROWS));

      expect(strategy.state?.()).toEqual({ window: [1, 2, 3, 4, 5, 6, 7, 8] });
    });
  });

  describe("after warm-up", () => {
    let strategy: Strategy;
    let result: ReturnType<Strategy["weights"]>;

    it("drops the noisy pairs above the 0.7 quantile", () => {
      strategy = createStrategy("loss-truncation", { c: 0.3, warmupEpochs: 1, window: 16 });
      strategy.weights(makeBatch(1, WARMUP_ROWS));
      result = strategy.weights(makeBatch(2, TRUNCATED_ROWS));

      // Threshold 7.35: losses 9, 10 and 7.5 are above it, 7 is not.
      expect(result.dropped).toEqual([true, false, true, false, true]);
      expect(result.weights).toEqual([0, 1, 0, 1, 0]);
    });

    it("never drops a clean pair, however high its loss", () => {
      expect(result.dropped[1]).toBe(false);
      expect(result.weights[1]).toBe(1);
    });

    it("counts the current batch's noisy losses in the window", () => {
      expect(strategy.state?.()).toEqual({ window: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 7, 7.5] });
    });
  });

  describe("when warmupEpochs is 0", () => {
    it("drops from the first batch on", () => {
      const strategy = createStrategy("loss-truncation", { c: 0.3, warmupEpochs: 0, window: 16 });
      const rows = [noisy(1, 1), noisy(2, 2), noisy(3, 3), noisy(4, 4)];

      // The window is the batch itself: its 0.7 quantile is 3.1, so only loss 4 is above it.
      expect(strategy.weights(makeBatch(1, rows)).dropped).toEqual([false, false, false, true]);
    });
  });

  describe("when c is 0", () => {
    it("drops nothing, since the threshold is the window's maximum", () => {
      const strategy = createStrategy("loss-truncation", { c: 0, warmupEpochs: 0, window: 16 });
      const result = strategy.weights(makeBatch(1, [noisy(1, 1), noisy(2, 50), clean(3, 80)]));

      expect(result.dropped).toEqual([false, false, false]);
      expect(result.weights).toEqual([1, 1, 1]);
    });
  });

  describe("when the window is full", () => {
    it("keeps only the latest noisy losses", () => {
      const strategy = createStrategy("loss-truncation", { warmupEpochs: 0, window: 16 });
      const rows = Array.from({ length: 20 }, (_, i) => noisy(i + 1, i < 4 ? 100 : i - 3));
      strategy.weights(makeBatch(1, rows));

      expect(strategy.state?.()).toEqual({ window: Array.from({ length: 16 }, (_, i) => i + 1) });
    });

    it("takes the quantile over the window alone", () => {
      const strategy = createStrategy("loss-truncation", { c: 0.3, warmupEpochs: 1, window: 16 });
      // Losses 100 leave the window before epoch 2, so they do not raise the threshold.
      strategy.weights(makeBatch(1, Array.from({ length: 6 }, (_, i) => noisy(i + 1, 100))));
      strategy.weights(makeBatch(1, Array.from({ length: 6 }, (_, i) => noisy(i + 7, i + 1))));
      const rows = Array.from({ length: 10 }, (_, i) => noisy(i + 13, i + 7));
      const result = strategy.weights(makeBatch(2, rows));

      // The window is 1..16, whose 0.7 quantile is 11.5: losses 12 to 16 are dropped.
      expect(result.dropped).toEqual([false, false, false, false, false, true, true, true, true, true]);
    });
  });

  describe("when a noisy loss is not finite", () => {
    it("drops it after warm-up and keeps it out of the window", () => {
      const strategy = createStrategy("loss-truncation", { warmupEpochs: 0, window: 16 });
      const result = strategy.weights(makeBatch(1, [noisy(1, 1), noisy(2, Number.NaN), noisy(3, 1)]));

      expect(result.dropped).toEqual([false, true, false]);
      expect(strategy.state?.()).toEqual({ window: [1, 1] });
    });
  });

  describe("when its state is restored", () => {
    /** Four epochs of two batches each, with losses that vary by epoch and pair. */
    const schedule = [1, 2, 3, 4].flatMap((epoch) =>
      [0, 1].map((half) =>
        makeBatch(
          epoch,
          Array.from({ length: 12 }, (_, i) => ({ sampleId: half * 12 + i + 1, noisy: i % 3 !== 0, loss: ((i * 7 + epoch * 5 + half * 3) % 11) + 0.25 })),
        ),
      ),
    );
    const params = { c: 0.4, warmupEpochs: 1, window: 16 };

    it("gives the same weights as an uninterrupted run", () => {
      const straight = createStrategy("loss-truncation", params);
      const expected = schedule.map((batch) => straight.weights(batch));

      const first = createStrategy("loss-truncation", params);
      const before = schedule.slice(0, 4).map((batch) => first.weights(batch));
      const resumed = createStrategy("loss-truncation", params);
      resumed.restore?.(throughJson(first.state?.()));
      const after = schedule.slice(4).map((batch) => resumed.weights(batch));

      expect([...before, ...after]).toEqual(expected);
      expect(expected.some((result) => result.dropped.includes(true))).toBe(true);
    });

    it("rejects a state that is not a window of losses", () => {
      const strategy = createStrategy("loss-truncation", params);

      expect(() => strategy.restore?.({ ranking: [1] })).toThrow("invalid loss-truncation state");
    });

    it("rejects a window longer than the window parameter", () => {
      const strategy = createStrategy("loss-truncation", params);

      expect(() => strategy.restore?.({ window: Array.from({ length: 17 }, () => 1) })).toThrow("contains 17 losses, more than window 16");
    });
  });

  describe("when a parameter is invalid", () => {
    it.each([
      [{ c: 1 }, "c: Too big"],
      [{ window: 8 }, "window: Too small"],
      [{ warmupEpochs: -1 }, "warmupEpochs: Too small"],
      [{ quantile: 0.5 }, 'params: Unrecognized key: "quantile"'],
    ])("names the field of %j", (params, message) => {
      expect(() => createStrategy("loss-truncation", params)).toThrow(`invalid parameters for strategy loss-truncation: ${message}`);
    });
  });
});

import { describe, expect, it } from "vitest";
import { type EncodedPair, makeBatches } from "../../worker/engine/batches";
import { Random } from "../../lib/random";

/** A pair whose source has `srcLength` tokens and target `tgtLength` tokens. */
function pair(index: number, srcLength: number, tgtLength: number): EncodedPair {
  return { index, srcIds: Array(srcLength).fill(5), tgtIds: Array(tgtLength).fill(6) } as EncodedPair;
}

/** Padded size of a batch: pairs times the longest of source and target plus its end token. */
function paddedTokens(batch: EncodedPair[]): number {
  return batch.length * Math.max(...batch.map((p) => Math.max(p.srcIds.length, p.tgtIds.length + 1)));
}

const lengths = [3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40];
const pairs = Array.from({ length: 600 }, (_, i) => pair(i, lengths[i % lengths.length], lengths[(i * 7) % lengths.length]));

describe("makeBatches", () => {
  describe("when a token budget is set", () => {
    const batches = makeBatches({ pairs, batchSize: 64, maxTokens: 256, random: new Random(1, "test") });

    it("keeps every pair exactly once", () => {
      const indexes = batches.flat().map((p) => p.index).sort((a, b) => a - b);
      expect(indexes).toEqual(pairs.map((p) => p.index));
    });

    it("stays within the token budget", () => {
      for (const batch of batches) expect(paddedTokens(batch)).toBeLessThanOrEqual(256);
    });

    it("puts more short pairs in a batch than long ones", () => {
      const sizeOf = (length: number) => Math.max(...batches.filter((b) => Math.max(...b.map((p) => Math.max(p.srcIds.length, p.tgtIds.length + 1))) === length).map((b) => b.length));
      expect(sizeOf(41)).toBeLessThan(sizeOf(9));
    });

    it("stays within the pair limit", () => {
      const capped = makeBatches({ pairs, batchSize: 8, maxTokens: 100_000, random: new Random(1, "test") });
      for (const batch of capped) expect(batch.length).toBeLessThanOrEqual(8);
      expect(capped.some((batch) => batch.length === 8)).toBe(true);
    });
  });

  describe("when a pair is longer than the budget", () => {
    it("gives it a batch of its own", () => {
      const long = pair(0, 50, 50);
      const batches = makeBatches({ pairs: [long, pair(1, 3, 3), pair(2, 3, 3)], batchSize: 64, maxTokens: 20, random: new Random(2, "test") });
      expect(batches.find((batch) => batch.includes(long))).toEqual([long]);
    });
  });

  describe("when the same random state is given", () => {
    it("returns the same batches", () => {
      const first = makeBatches({ pairs, batchSize: 64, maxTokens: 256, random: new Random(3, "test") });
      const second = makeBatches({ pairs, batchSize: 64, maxTokens: 256, random: new Random(3, "test") });
      expect(second.map((batch) => batch.map((p) => p.index))).toEqual(first.map((batch) => batch.map((p) => p.index)));
    });
  });
});

import { describe, expect, it } from "vitest";
import { SignificanceCache } from "../../lib/comparison/significance-cache";
import type { PairedSignificance } from "../../lib/comparison/types";

function result(runId: number): PairedSignificance {
  const metric = { score: 1, baselineScore: 0, delta: 1, pValue: 0.5, mean: 1, ci: 0.1 };
  return { runIds: [runId], baselineRunIds: [1], segments: 10, identicalOutputs: false, bleu: metric, chrf: metric };
}

describe("SignificanceCache", () => {
  it("evicts the least recently used", () => {
    const cache = new SignificanceCache(2);
    cache.set("a", result(2));
    cache.set("b", result(3));
    cache.get("a");
    cache.set("c", result(4));

    expect(cache.get("a")?.runIds).toEqual([2]);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("c")?.runIds).toEqual([4]);
    expect(cache.size).toBe(2);
  });

  it("keys by runs and settings", () => {
    expect(SignificanceCache.key([5, 6], [1, 2], 1000, 12345)).toBe("5,6|1,2|1000|12345");
    expect(SignificanceCache.key([5], [1], 1000, 1)).not.toBe(SignificanceCache.key([5], [1], 1000, 2));
  });

  it("rejects a size below 1", () => {
    expect(() => new SignificanceCache(0)).toThrow("maxEntries must be a positive integer, got 0");
  });
});

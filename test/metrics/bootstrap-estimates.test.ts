import { describe, expect, it } from "vitest";
import { bootstrapPValue, estimateCi } from "../../lib/metrics/bootstrap-estimates";

/** Creates the integers from n - 1 down to 0, so that sorting matters. */
function descending(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, index) => n - 1 - index);
}

describe("estimateCi", () => {
  it("takes the 26th and 975th of 1000 sorted scores", () => {
    const { mean, ci } = estimateCi(descending(1000));
    expect(mean).toBe(499.5);
    expect(ci).toBe(0.5 * (974 - 25));
  });

  it("rounds the tail size down", () => {
    // 79 // 40 = 1, so the bounds are the 2nd and 78th sorted scores.
    expect(estimateCi(descending(79)).ci).toBe(0.5 * (77 - 1));
  });

  it("leaves the scores in their order", () => {
    const scores = descending(100);
    estimateCi(scores);
    expect(scores[0]).toBe(99);
  });

  it("gives a zero-width interval for one score", () => {
    expect(estimateCi(Float64Array.of(42))).toEqual({ mean: 42, ci: 0 });
  });
});

describe("bootstrapPValue", () => {
  // Absolute differences 0, 1, 2, 3 and 4: their mean is 2, so the centred statistics are -2..2.
  const baseline = Float64Array.of(10, 10, 10, 10, 10);
  const system = Float64Array.of(10, 11, 8, 13, 6);

  it("counts centred differences above the observed one", () => {
    // Only the statistic 2 exceeds 1.5.
    expect(bootstrapPValue(system, baseline, 1.5)).toBe((1 + 1) / (5 + 1));
  });

  it("excludes ties with the observed difference", () => {
    expect(bootstrapPValue(system, baseline, 1)).toBe((1 + 1) / (5 + 1));
    expect(bootstrapPValue(system, baseline, 2)).toBe(1 / (5 + 1));
  });

  it("counts every statistic above a negative threshold", () => {
    expect(bootstrapPValue(system, baseline, -2.5)).toBe((5 + 1) / (5 + 1));
  });

  it("ignores the sign of differences", () => {
    expect(bootstrapPValue(baseline, system, 0.5)).toBe(bootstrapPValue(system, baseline, 0.5));
  });
});

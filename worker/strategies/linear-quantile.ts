/**
 * Returns the p-quantile of `sorted` (ascending, finite, at least one value) by linear
 * interpolation between the two nearest ranks. With h = (n - 1) * p, i = floor(h) and
 * t = h - i, it is x[i] + t * (x[i + 1] - x[i]), so p = 0 gives the minimum and p = 1 the maximum.
 * This is numpy's default method, "linear" (Hyndman and Fan's type 7). When t is at least 0.5 it
 * is computed from the upper neighbour, x[i + 1] - (1 - t) * (x[i + 1] - x[i]), as numpy 2.4's
 * `_lerp` does, so that rounding follows numpy's.
 */
export function linearQuantile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new Error("linearQuantile needs at least one value, got 0");
  if (!(p >= 0 && p <= 1)) throw new Error(`quantile p must be from 0 to 1, got ${p}`);

  const h = (sorted.length - 1) * p;
  const lower = Math.floor(h);
  const upper = Math.min(lower + 1, sorted.length - 1);
  const t = h - lower;
  const a = sorted[lower];
  const b = sorted[upper];
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

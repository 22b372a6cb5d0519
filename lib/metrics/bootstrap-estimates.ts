import { pValueFromCount } from "./paired-test";

/** The 95% interval leaves out 1/40 of the sorted resampled scores on each side. */
const CI_TAIL_DIVISOR = 40;

function mean(values: Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/**
 * Estimates the mean and the 95% confidence interval's half-width from resampled scores, as
 * sacreBLEU 2.6.0's `estimate_ci` does. The half-width is half the distance between the sorted
 * scores at indices n // 40 and n - n // 40 - 1, the 26th and 975th of 1000.
 */
export function estimateCi(scores: Float64Array): { mean: number; ci: number } {
  const sorted = Float64Array.from(scores).sort();
  const lowerIndex = Math.floor(sorted.length / CI_TAIL_DIVISOR);
  const upperIndex = sorted.length - lowerIndex - 1;
  return { mean: mean(scores), ci: 0.5 * (sorted[upperIndex] - sorted[lowerIndex]) };
}

/**
 * Computes the p-value as sacreBLEU 2.6.0's `_paired_bs_test` does. The statistic of a resample is
 * its absolute score difference minus the mean absolute difference over all resamples, which
 * centres the differences as if the null hypothesis held. The count is of resamples whose statistic
 * is strictly greater than the observed absolute difference.
 * NOTE: as in sacreBLEU, a system identical to the baseline gets the smallest p-value,
 * 1 / (resamples + 1), because no statistic exceeds an observed difference of 0.
 */
export function bootstrapPValue(systemScores: Float64Array, baselineScores: Float64Array, observedDelta: number): number {
  const differences = systemScores.map((score, resample) => Math.abs(score - baselineScores[resample]));
  const meanDifference = mean(differences);

  let count = 0;
  for (const difference of differences) {
    if (difference - meanDifference > observedDelta) count += 1;
  }
  return pValueFromCount(count, differences.length);
}

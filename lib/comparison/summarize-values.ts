import type { EpochBand, EpochBleu, ValueSummary } from "./types";

function meanOf(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Sample standard deviation with Bessel's correction (n - 1); null for fewer than 2 values. */
export function sampleStd(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const mean = meanOf(values);
  let squares = 0;
  for (const value of values) squares += (value - mean) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}

/** Summarizes values as count, mean (null when empty) and sample standard deviation. */
export function summarizeValues(values: readonly number[]): ValueSummary {
  return {
    n: values.length,
    mean: values.length > 0 ? meanOf(values) : null,
    std: sampleStd(values),
  };
}

/**
 * Builds one band per epoch from several runs' validation BLEU curves: the mean, minimum, maximum
 * and sample standard deviation over the runs that have a value at that epoch. Sorted by epoch.
 */
export function epochBands(curves: ReadonlyArray<readonly EpochBleu[]>): EpochBand[] {
  const byEpoch = new Map<number, number[]>();
  for (const curve of curves) {
    for (const { epoch, bleu } of curve) {
      const values = byEpoch.get(epoch) ?? [];
      values.push(bleu);
      byEpoch.set(epoch, values);
    }
  }

  return [...byEpoch.entries()]
    .sort(([a], [b]) => a - b)
    .map(([epoch, values]) => ({
      epoch,
      n: values.length,
      mean: meanOf(values),
      min: Math.min(...values),
      max: Math.max(...values),
      std: sampleStd(values),
    }));
}

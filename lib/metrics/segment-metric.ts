/**
 * A corpus metric split into per-segment sufficient statistics and a score computed from their
 * sum, as sacreBLEU 2.6.0's `_extract_corpus_statistics` and `_compute_score_from_stats` split it.
 * Significance tests extract the statistics once and score thousands of resampled corpora cheaply.
 */
export interface SegmentMetric {
  /** The metric's name as sacreBLEU prints it, e.g. `BLEU`, `chrF2` or `chrF2++`. */
  readonly name: string;
  /** sacreBLEU's reproducibility signature of the metric's settings. */
  readonly signature: string;
  /** Number of statistics per segment. */
  readonly width: number;
  /**
   * Extracts the statistics of each hypothesis against its references, segment i at
   * `[i * width, (i + 1) * width)`. Throws an `invalid_input` WinnowError when there are no
   * hypotheses or a reference stream has a different length.
   */
  segmentStatistics(hypotheses: readonly string[]): Float64Array;
  /** Computes the corpus score from `width` statistics summed over the segments of a corpus. */
  scoreStatistics(totals: Float64Array): number;
}

/** Sums the rows of a segments × `width` statistics matrix. */
export function sumSegmentStatistics(statistics: Float64Array, width: number): Float64Array {
  const totals = new Float64Array(width);
  for (let offset = 0; offset < statistics.length; offset += width) {
    for (let column = 0; column < width; column++) totals[column] += statistics[offset + column];
  }
  return totals;
}

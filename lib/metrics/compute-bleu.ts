/**
 * BLEU smoothing methods, from Chen and Cherry (2014), "A Systematic Comparison of Smoothing
 * Techniques for Sentence-Level BLEU": `none`, `floor` (method 1), `add-k` (method 2) and `exp`
 * (method 3, the NIST smoothing of mteval-v13a).
 */
export const SMOOTH_METHODS = ["none", "floor", "add-k", "exp"] as const;

export type SmoothMethod = (typeof SMOOTH_METHODS)[number];

/** The smoothing value each method uses when none is given, as in sacreBLEU 2.6.0. */
export const SMOOTH_DEFAULTS: Readonly<Record<SmoothMethod, number | undefined>> = {
  none: undefined,
  floor: 0.1,
  "add-k": 1,
  exp: undefined,
};

/** sacreBLEU takes this as log(0), so a zero precision drives the geometric mean to 0. */
const LOG_OF_ZERO = -9999999999;

/** BLEU's sufficient statistics, summed over the segments of a corpus. */
export interface BleuStatistics {
  sysLen: number;
  refLen: number;
  /** Matched (clipped) n-grams, index 0 for unigrams. */
  counts: readonly number[];
  /** Hypothesis n-grams, index 0 for unigrams. */
  totals: readonly number[];
}

export interface BleuSettings {
  smoothMethod: SmoothMethod;
  /** Value for `floor` and `add-k`. When unset, SMOOTH_DEFAULTS applies. */
  smoothValue?: number;
  effectiveOrder: boolean;
  maxNgramOrder: number;
}

export interface BleuResult {
  /** BLEU from 0 to 100. */
  score: number;
  /** Matched n-grams per order. With `add-k` they include k from the second order on, as sacreBLEU reports them. */
  counts: number[];
  totals: number[];
  /**
   * Smoothed n-gram precisions from 0 to 100. All stay 0 when nothing matches, and so do the orders
   * from the first one without hypothesis n-grams on, and unmatched orders under `none`.
   */
  precisions: number[];
  /** Brevity penalty. */
  bp: number;
  sysLen: number;
  refLen: number;
  /** sysLen / refLen, or 0 when refLen is 0. */
  ratio: number;
}

function brevityPenalty(sysLen: number, refLen: number): number {
  if (sysLen >= refLen) return 1;
  return sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0;
}

function logOrFloor(value: number): number {
  return value === 0 ? LOG_OF_ZERO : Math.log(value);
}

/**
 * Computes BLEU from its sufficient statistics as sacreBLEU 2.6.0's `compute_bleu` does.
 * Without matches at any order the score is 0. Otherwise orders are scanned upwards until one has
 * no hypothesis n-grams. Each unmatched order gets a smoothed precision, and `exp` halves it again
 * for every further unmatched order. With `effectiveOrder` the geometric mean covers only the
 * scanned orders. Without it, an order that was never reached has precision 0, so BLEU is 0.
 */
export function computeBleu(statistics: BleuStatistics, settings: BleuSettings): BleuResult {
  const { sysLen, refLen } = statistics;
  const { smoothMethod, maxNgramOrder } = settings;
  const counts = [...statistics.counts];
  const totals = [...statistics.totals];
  const precisions = new Array<number>(maxNgramOrder).fill(0);
  const bp = brevityPenalty(sysLen, refLen);
  const result = { counts, totals, precisions, bp, sysLen, refLen, ratio: refLen > 0 ? sysLen / refLen : 0 };

  if (counts.every((count) => count === 0)) return { score: 0, ...result };

  const smoothValue = settings.smoothValue ?? SMOOTH_DEFAULTS[smoothMethod] ?? 0;
  let expDivisor = 1;
  let meanOrder = maxNgramOrder;

  for (let order = 1; order <= maxNgramOrder; order++) {
    const index = order - 1;
    if (smoothMethod === "add-k" && order > 1) {
      counts[index] += smoothValue;
      totals[index] += smoothValue;
    }
    if (totals[index] === 0) break;
    if (settings.effectiveOrder) meanOrder = order;

    if (counts[index] !== 0) {
      precisions[index] = (100 * counts[index]) / totals[index];
    } else if (smoothMethod === "exp") {
      expDivisor *= 2;
      precisions[index] = 100 / (expDivisor * totals[index]);
    } else if (smoothMethod === "floor") {
      precisions[index] = (100 * smoothValue) / totals[index];
    }
  }

  const logSum = precisions.slice(0, meanOrder).reduce((sum, precision) => sum + logOrFloor(precision), 0);
  return { score: bp * Math.exp(logSum / meanOrder), ...result };
}

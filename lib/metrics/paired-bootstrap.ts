import { z } from "zod";
import { Random } from "../random";
import { bootstrapPValue, estimateCi } from "./bootstrap-estimates";
import {
  assertPairedTestInput,
  type PairedResult,
  type PairedTestInput,
  type PairedTestReport,
  pairedTestSeedSchema,
  signPairedTest,
} from "./paired-test";
import { parseMetricOptions } from "./parse-metric-options";
import { type SegmentMetric, sumSegmentStatistics } from "./segment-metric";

/** sacreBLEU 2.6.0's default number of resamples (`--paired-bs-n`). */
export const DEFAULT_BOOTSTRAP_RESAMPLES = 1000;

export const pairedBootstrapOptionsSchema = z
  .object({
    /** Number of resampled corpora, at least 1. Default 1000. */
    resamples: z.number().int().min(1).default(DEFAULT_BOOTSTRAP_RESAMPLES),
    /** Seed of the generator that draws the resampled segment indices. Default 12345. */
    seed: pairedTestSeedSchema,
  })
  .strict();

export type PairedBootstrapOptions = z.input<typeof pairedBootstrapOptionsSchema>;

/**
 * Draws one resampled corpus as multiplicities, the number of times each segment is drawn when
 * as many indices as there are segments are drawn with replacement.
 */
function drawMultiplicities(random: Random, multiplicities: Uint32Array): void {
  const segments = multiplicities.length;
  multiplicities.fill(0);
  for (let draw = 0; draw < segments; draw++) multiplicities[random.int(segments)] += 1;
}

/** Sums the statistics of a resampled corpus into `totals`, each segment times its multiplicity. */
function sumResample(statistics: Float64Array, multiplicities: Uint32Array, totals: Float64Array): Float64Array {
  const width = totals.length;
  totals.fill(0);
  for (let segment = 0; segment < multiplicities.length; segment++) {
    const multiplicity = multiplicities[segment];
    if (multiplicity === 0) continue;
    const offset = segment * width;
    for (let column = 0; column < width; column++) totals[column] += multiplicity * statistics[offset + column];
  }
  return totals;
}

/**
 * Scores the same resampled corpora for every metric and system, so that each comparison with the
 * baseline is paired. Returns scores[metric][system][resample], the baseline at system index 0.
 */
function scoreResamples(
  metrics: readonly SegmentMetric[],
  statistics: Float64Array[][],
  resamples: number,
  random: Random,
): Float64Array[][] {
  const segments = statistics[0][0].length / metrics[0].width;
  const multiplicities = new Uint32Array(segments);
  const totals = metrics.map((metric) => new Float64Array(metric.width));
  const scores = statistics.map((systems) => systems.map(() => new Float64Array(resamples)));

  for (let resample = 0; resample < resamples; resample++) {
    drawMultiplicities(random, multiplicities);
    for (let m = 0; m < metrics.length; m++) {
      for (let s = 0; s < statistics[m].length; s++) {
        const resampleTotals = sumResample(statistics[m][s], multiplicities, totals[m]);
        scores[m][s][resample] = metrics[m].scoreStatistics(resampleTotals);
      }
    }
  }
  return scores;
}

/**
 * Runs paired bootstrap resampling (Koehn, 2004, "Statistical Significance Tests for Machine
 * Translation Evaluation") as sacreBLEU 2.6.0's `--paired-bs` does. Segment statistics are
 * extracted once per metric and system. Each resample draws as many segment indices as there are
 * segments, with replacement, and the same indices serve the baseline and every system. For each
 * system and metric the report gives the actual score, the mean and 95% CI half-width of the
 * resampled scores and, except for the baseline, the p-value of its difference to the baseline.
 * The draws come from winnow's seeded generator, not numpy's, so they differ from sacreBLEU's for
 * the same seed, and p-values and CIs agree only within sampling error. Throws an `invalid_input`
 * WinnowError for invalid options, no systems or metrics, or hypotheses whose line count differs
 * from the references'.
 */
export function pairedBootstrap(input: PairedTestInput, options: PairedBootstrapOptions = {}): PairedTestReport {
  const { resamples, seed } = parseMetricOptions(pairedBootstrapOptionsSchema, options, "paired bootstrap");
  assertPairedTestInput(input);

  const systems = [input.baseline, ...input.systems];
  const statistics = input.metrics.map((metric) => systems.map((system) => metric.segmentStatistics(system.hypotheses)));
  const scores = scoreResamples(input.metrics, statistics, resamples, new Random(seed, "paired-bootstrap"));

  const results = systems.map(() => ({}) as Record<string, PairedResult>);
  input.metrics.forEach((metric, m) => {
    const actual = statistics[m].map((matrix) => metric.scoreStatistics(sumSegmentStatistics(matrix, metric.width)));
    systems.forEach((_, s) => {
      const observedDelta = Math.abs(actual[s] - actual[0]);
      const pValue = s === 0 ? null : bootstrapPValue(scores[m][s], scores[m][0], observedDelta);
      results[s][metric.name] = { score: actual[s], pValue, ...estimateCi(scores[m][s]) };
    });
  });

  return {
    test: "bs",
    samples: resamples,
    seed,
    metrics: input.metrics.map(({ name, signature }) => ({
      name,
      signature: signPairedTest(signature, "bs", resamples, seed),
    })),
    systems: systems.map((system, s) => ({ name: system.name, results: results[s] })),
  };
}

import { WinnowError } from "../errors";
import { createBleuMetric } from "../metrics/bleu";
import { createChrfMetric } from "../metrics/chrf";
import { DEFAULT_BOOTSTRAP_RESAMPLES, pairedBootstrap } from "../metrics/paired-bootstrap";
import { DEFAULT_PAIRED_TEST_SEED, type PairedResult } from "../metrics/paired-test";
import type { ComparisonRun, MetricSignificance, PairedSignificance } from "./types";

/** Paired bootstrap settings of a comparison. */
export interface SignificanceOptions {
  /** Resampled test sets, at least 1. Default 1000, as sacreBLEU's `--paired-bs-n`. */
  resamples?: number;
  /** Seed of the resampling generator. Default 12345, sacreBLEU's default seed. */
  seed?: number;
}

/** chrF2 as the worker scores test outputs: character order 6, word order 0, beta 2. */
const CHRF_OPTIONS = { charOrder: 6, wordOrder: 0, beta: 2 } as const;

/** Names of the two metrics in a paired bootstrap report. */
export const BLEU_NAME = "BLEU";
export const CHRF_NAME = "chrF2";

/**
 * Creates the BLEU and chrF2 metrics of a paired test against one reference stream. BLEU is
 * forced because the hypotheses come from winnow's own detokenizer, like the worker's scores.
 */
export function createComparisonMetrics(references: readonly string[]) {
  return [createBleuMetric([references], { force: true }), createChrfMetric([references], CHRF_OPTIONS)];
}

/** Throws an `invalid_input` WinnowError unless the runs pair up and each has one output per reference. */
function assertPairable(systemRuns: readonly ComparisonRun[], baselineRuns: readonly ComparisonRun[], references: readonly string[]): void {
  if (systemRuns.length === 0 || systemRuns.length !== baselineRuns.length) {
    throw new WinnowError(
      "invalid_input",
      `a paired test needs as many system runs as baseline runs, at least one, got ${systemRuns.length} and ${baselineRuns.length}`,
    );
  }
  for (const run of [...systemRuns, ...baselineRuns]) {
    const count = run.testHypotheses?.length ?? 0;
    if (count !== references.length) {
      throw new WinnowError("invalid_input", `run ${run.id} has ${count} test translations, but the test set has ${references.length} pairs`);
    }
  }
}

function toMetricSignificance(system: PairedResult, baseline: PairedResult): MetricSignificance {
  return {
    score: system.score,
    baselineScore: baseline.score,
    delta: system.score - baseline.score,
    // pairedBootstrap gives every system other than the baseline a p-value, mean and CI.
    pValue: system.pValue as number,
    mean: system.mean as number,
    ci: system.ci as number,
  };
}

/**
 * Runs sacreBLEU 2.6's paired bootstrap (lib/metrics pairedBootstrap) of `systemRuns` against
 * `baselineRuns` for BLEU and chrF2. The two lists are seed-matched: entry i of one is paired with
 * entry i of the other. With one run each this is the plain test of two systems. With several,
 * the test sets of all pairs are concatenated into one paired test of runs x test pairs segments,
 * each system segment paired with the baseline's output for the same seed and test pair, so one
 * resample draws test pairs of every seed at once and the scores are corpus scores over the pool.
 * Every run must have test hypotheses aligned with `references`.
 */
export function pairedSignificance(
  systemRuns: readonly ComparisonRun[],
  baselineRuns: readonly ComparisonRun[],
  references: readonly string[],
  options: SignificanceOptions = {},
): PairedSignificance {
  assertPairable(systemRuns, baselineRuns, references);
  const pooledReferences = systemRuns.flatMap(() => references);
  const hypothesesOf = (runs: readonly ComparisonRun[]) => runs.flatMap((run) => run.testHypotheses ?? []);
  const baselineHypotheses = hypothesesOf(baselineRuns);
  const systemHypotheses = hypothesesOf(systemRuns);
  const report = pairedBootstrap(
    {
      baseline: { name: "baseline", hypotheses: baselineHypotheses },
      systems: [{ name: "system", hypotheses: systemHypotheses }],
      metrics: createComparisonMetrics(pooledReferences),
    },
    { resamples: options.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES, seed: options.seed ?? DEFAULT_PAIRED_TEST_SEED },
  );

  const [baseline, system] = report.systems;
  return {
    runIds: systemRuns.map((run) => run.id),
    baselineRunIds: baselineRuns.map((run) => run.id),
    segments: pooledReferences.length,
    identicalOutputs: systemHypotheses.every((hypothesis, index) => hypothesis === baselineHypotheses[index]),
    bleu: toMetricSignificance(system.results[BLEU_NAME], baseline.results[BLEU_NAME]),
    chrf: toMetricSignificance(system.results[CHRF_NAME], baseline.results[CHRF_NAME]),
  };
}

import { z } from "zod";
import { WinnowError } from "../errors";
import type { SegmentMetric } from "./segment-metric";

/** sacreBLEU's default seed (its `SACREBLEU_SEED`), kept so signatures read the same. */
export const DEFAULT_PAIRED_TEST_SEED = 12345;

/** Seed of winnow's own random generator, an unsigned 32-bit integer. */
export const pairedTestSeedSchema = z.number().int().min(0).max(2 ** 32 - 1).default(DEFAULT_PAIRED_TEST_SEED);

/** A system's output: its name and one hypothesis per reference line. */
export interface NamedSystem {
  name: string;
  hypotheses: readonly string[];
}

/** A baseline, the systems compared to it, and the metrics that compare them. */
export interface PairedTestInput {
  baseline: NamedSystem;
  systems: readonly NamedSystem[];
  /** Metrics created against the references of the baseline and the systems. */
  metrics: readonly SegmentMetric[];
}

/** One system's result for one metric, with the fields of sacreBLEU 2.6.0's `Result`. */
export interface PairedResult {
  /** Score of the system's actual output. */
  score: number;
  /** p-value of the difference to the baseline, or null for the baseline itself. */
  pValue: number | null;
  /** Mean of the bootstrap resamples' scores, or null when the test draws no bootstrap resamples. */
  mean: number | null;
  /** Half-width of the 95% confidence interval of the resampled scores, or null like `mean`. */
  ci: number | null;
}

export interface PairedTestReport {
  /** sacreBLEU's signature key of the test: `bs` for paired bootstrap, `ar` for approximate randomization. */
  test: "bs" | "ar";
  /** Bootstrap resamples or randomization trials. */
  samples: number;
  seed: number;
  /** Each metric's name and signature with the test's fields, e.g. `nrefs:1|bs:1000|seed:12345|case:mixed|...`. */
  metrics: { name: string; signature: string }[];
  /** The baseline first, then the systems in input order, each with one result per metric name. */
  systems: { name: string; results: Record<string, PairedResult> }[];
}

/** Throws an `invalid_input` WinnowError unless there is a system to compare and metric names are unique. */
export function assertPairedTestInput(input: PairedTestInput): void {
  if (input.systems.length === 0) {
    throw new WinnowError("invalid_input", "paired tests need at least one system besides the baseline");
  }
  if (input.metrics.length === 0) {
    throw new WinnowError("invalid_input", "paired tests need at least one metric");
  }

  const names = input.metrics.map((metric) => metric.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) {
    throw new WinnowError("invalid_input", `paired tests need distinct metric names, but ${duplicate} appears twice`);
  }
}

/**
 * Adds the test's fields to a metric signature after `nrefs`, where sacreBLEU 2.6.0 puts them:
 * `nrefs:1|case:mixed|...` becomes `nrefs:1|bs:1000|seed:12345|case:mixed|...`.
 */
export function signPairedTest(signature: string, test: "bs" | "ar", samples: number, seed: number): string {
  const [references, ...fields] = signature.split("|");
  return [references, `${test}:${samples}`, `seed:${seed}`, ...fields].join("|");
}

/**
 * Turns the number of samples whose statistic exceeded the observed one into a p-value,
 * (count + 1) / (samples + 1). The +1 keeps the chance of falsely rejecting the null hypothesis at
 * or below the significance level (sacreBLEU 2.6.0's `_compute_p_value`, after MultEval).
 */
export function pValueFromCount(count: number, samples: number): number {
  return (count + 1) / (samples + 1);
}

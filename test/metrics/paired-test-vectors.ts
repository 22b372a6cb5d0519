import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { z } from "zod";
import type { PairedResult } from "../../lib/metrics/paired-test";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** sacreBLEU 2.6.0's `--paired-bs` run: a reference, a baseline and three systems, 1000 resamples, seed 12345. */
export const PAIRED_VECTORS_DIR = path.resolve(REPO_ROOT, "../shared/test-vectors/paired-bootstrap");

export const SYSTEM_FILES = ["systemA.txt", "systemB.txt", "systemC.txt"] as const;

/** Resamples behind the vectors, and the default of our bootstrap. */
export const RESAMPLES = 1000;

/**
 * Standard errors allowed between our estimate and sacreBLEU's. Both are Monte Carlo estimates
 * from independent draws, so their difference has sqrt(2) times the standard error of one. A
 * correct implementation lands outside 4 of those for about one seed in 16,000 (normal tail).
 */
const STANDARD_ERRORS = 4;

/** Standard normal density at 1.96, where the 2.5% and 97.5% quantiles sit. */
const NORMAL_DENSITY_AT_CI_BOUND = Math.exp(-(1.96 ** 2) / 2) / Math.sqrt(2 * Math.PI);

/**
 * Relative standard error of a 95% CI half-width from RESAMPLES roughly normal scores. A sample
 * quantile at q has standard error sqrt(q (1 - q) / N) / density, in units of the scores' standard
 * deviation sigma: 0.085 sigma at q = 0.025. The half-width halves the distance between two
 * nearly uncorrelated quantiles, so its error is 0.060 sigma, or 3.0% of its value 1.96 sigma.
 * Over seeds 1 to 100, the half-widths of pairedBootstrap on these vectors had standard deviations
 * of 2.4% to 3.1% of their mean.
 */
const CI_RELATIVE_STANDARD_ERROR = Math.sqrt((0.025 * 0.975) / RESAMPLES) / NORMAL_DENSITY_AT_CI_BOUND / Math.SQRT2 / 1.96;

/** About 17%: the allowed relative difference between our CI half-width and sacreBLEU's. */
export const CI_RELATIVE_TOLERANCE = STANDARD_ERRORS * Math.SQRT2 * CI_RELATIVE_STANDARD_ERROR;

/**
 * Allowed difference between two p-values estimated from RESAMPLES resamples each. A count of
 * resamples is binomial, so one estimate has standard error sqrt(p (1 - p) / N), with p taken as
 * the mean of the two estimates. At sacreBLEU's p = 0.012 the tolerance is about 0.02.
 */
export function pValueTolerance(ours: number, theirs: number): number {
  const p = (ours + theirs) / 2;
  return STANDARD_ERRORS * Math.sqrt((2 * p * (1 - p)) / RESAMPLES);
}

/** Allowed difference between two means of RESAMPLES resampled scores whose spread the CI gives (sigma = ci / 1.96). */
export function meanTolerance(ci: number): number {
  return (STANDARD_ERRORS * Math.SQRT2 * (ci / 1.96)) / Math.sqrt(RESAMPLES);
}

const resultSchema = z
  .object({ score: z.number(), p_value: z.number().nullable(), mean: z.number(), ci: z.number() })
  .strict();

const vectorsSchema = z.array(z.object({ system: z.string(), BLEU: resultSchema, chrF2: resultSchema }).strict());

export type SacrebleuPairedResult = z.infer<typeof resultSchema>;

export type SacrebleuPairedVectors = z.infer<typeof vectorsSchema>;

/** Reads sacreBLEU's paired bootstrap output: the baseline first, then systems A, B and C. */
export function readSacrebleuPairedVectors(): SacrebleuPairedVectors {
  const text = readFileSync(path.join(PAIRED_VECTORS_DIR, "sacrebleu-2.6.0-paired-bs.json"), "utf8");
  return vectorsSchema.parse(JSON.parse(text));
}

/** Reads one file of the vectors as lines. */
export function readVectorLines(file: string): string[] {
  const lines = readFileSync(path.join(PAIRED_VECTORS_DIR, file), "utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** A result as sacreBLEU's JSON names its fields; our command line prints this shape too. */
export interface SacrebleuShapedResult {
  score: number;
  p_value: number | null;
  mean: number | null;
  ci: number | null;
}

/** Renames the fields of one of our results to sacreBLEU's. */
export function toSacrebleuShape(result: PairedResult): SacrebleuShapedResult {
  return { score: result.score, p_value: result.pValue, mean: result.mean, ci: result.ci };
}

/**
 * Checks one bootstrap result against sacreBLEU's: the score to 0.01, and the p-value, mean and CI
 * half-width within the sampling error of two independent sets of 1000 resamples.
 */
export function expectBootstrapResultClose(actual: SacrebleuShapedResult, expected: SacrebleuPairedResult): void {
  expect(actual.score).toBeCloseTo(expected.score, 2);

  if (expected.p_value === null) {
    expect(actual.p_value).toBeNull();
  } else {
    expect(actual.p_value).not.toBeNull();
    const pValue = actual.p_value ?? Number.NaN;
    expect(Math.abs(pValue - expected.p_value)).toBeLessThanOrEqual(pValueTolerance(pValue, expected.p_value));
  }

  expect(actual.ci).not.toBeNull();
  expect(Math.abs((actual.ci ?? Number.NaN) / expected.ci - 1)).toBeLessThanOrEqual(CI_RELATIVE_TOLERANCE);
  expect(actual.mean).not.toBeNull();
  expect(Math.abs((actual.mean ?? Number.NaN) - expected.mean)).toBeLessThanOrEqual(meanTolerance(expected.ci));
}

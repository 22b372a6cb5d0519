import { z } from "zod";
import { Random } from "../random";
import {
  assertPairedTestInput,
  type PairedResult,
  type PairedTestInput,
  type PairedTestReport,
  pairedTestSeedSchema,
  pValueFromCount,
  signPairedTest,
} from "./paired-test";
import { parseMetricOptions } from "./parse-metric-options";
import { type SegmentMetric, sumSegmentStatistics } from "./segment-metric";

/** sacreBLEU 2.6.0's default number of trials (`--paired-ar-n`). */
export const DEFAULT_RANDOMIZATION_TRIALS = 10000;

/** Segments per lookup block. A trial's swap decisions for one block form one byte. */
const BLOCK_SIZE = 8;

const SUBSETS_PER_BLOCK = 1 << BLOCK_SIZE;

export const pairedApproximateRandomizationOptionsSchema = z
  .object({
    /** Number of random trials, at least 1. Default 10000. */
    trials: z.number().int().min(1).default(DEFAULT_RANDOMIZATION_TRIALS),
    /** Seed of the generator that decides the swaps. Default 12345. */
    seed: pairedTestSeedSchema,
  })
  .strict();

export type PairedApproximateRandomizationOptions = z.input<typeof pairedApproximateRandomizationOptionsSchema>;

/**
 * Precomputes, for each block of 8 consecutive segments and each of the 256 subsets of the block,
 * the sum of the subset's baseline-minus-system statistics. A trial then adds one row per block
 * instead of one per swapped segment. Entry (block, subset) starts at (block * 256 + subset) * width,
 * and segment `block * 8 + j` is bit j of `subset`.
 */
function buildSubsetSums(baseline: Float64Array, system: Float64Array, width: number): Float64Array {
  const segments = baseline.length / width;
  const blocks = Math.ceil(segments / BLOCK_SIZE);
  const sums = new Float64Array(blocks * SUBSETS_PER_BLOCK * width);

  for (let block = 0; block < blocks; block++) {
    for (let subset = 1; subset < SUBSETS_PER_BLOCK; subset++) {
      const lowestBit = 31 - Math.clz32(subset & -subset);
      const segment = block * BLOCK_SIZE + lowestBit;
      const target = (block * SUBSETS_PER_BLOCK + subset) * width;
      const rest = (block * SUBSETS_PER_BLOCK + (subset & (subset - 1))) * width;
      for (let column = 0; column < width; column++) {
        const difference = segment < segments ? baseline[segment * width + column] - system[segment * width + column] : 0;
        sums[target + column] = sums[rest + column] + difference;
      }
    }
  }
  return sums;
}

/**
 * Counts the trials whose absolute score difference between the two shuffled systems is strictly
 * greater than the observed one. In each trial every segment independently takes the baseline's
 * statistics into pseudo-system A and the system's into B, or the reverse, with probability 1/2.
 * A's totals are the system's totals plus the baseline-minus-system differences of the swapped
 * segments, and B's are the baseline's totals minus them.
 */
function countExtremeTrials(
  metric: SegmentMetric,
  baseline: Float64Array,
  system: Float64Array,
  options: { trials: number; seed: number; observedDelta: number },
): number {
  const width = metric.width;
  const baselineTotals = sumSegmentStatistics(baseline, width);
  const systemTotals = sumSegmentStatistics(system, width);
  const subsetSums = buildSubsetSums(baseline, system, width);
  const blocks = subsetSums.length / (SUBSETS_PER_BLOCK * width);
  // Each 32-bit draw holds the swap decisions of 4 blocks, one byte each.
  const swaps = new Uint32Array(Math.ceil(blocks / 4));
  const swappedDelta = new Float64Array(width);
  const totalsA = new Float64Array(width);
  const totalsB = new Float64Array(width);
  // Every system and metric replays the same swap decisions, as sacreBLEU's reseeded generator does.
  const random = new Random(options.seed, "paired-approximate-randomization");
  let count = 0;

  for (let trial = 0; trial < options.trials; trial++) {
    for (let word = 0; word < swaps.length; word++) swaps[word] = random.nextUint32();
    swappedDelta.fill(0);
    for (let block = 0; block < blocks; block++) {
      const subset = (swaps[block >>> 2] >>> ((block & 3) * BLOCK_SIZE)) & (SUBSETS_PER_BLOCK - 1);
      const offset = (block * SUBSETS_PER_BLOCK + subset) * width;
      for (let column = 0; column < width; column++) swappedDelta[column] += subsetSums[offset + column];
    }

    for (let column = 0; column < width; column++) {
      totalsA[column] = systemTotals[column] + swappedDelta[column];
      totalsB[column] = baselineTotals[column] - swappedDelta[column];
    }
    const trialDelta = Math.abs(metric.scoreStatistics(totalsA) - metric.scoreStatistics(totalsB));
    if (trialDelta > options.observedDelta) count += 1;
  }
  return count;
}

/**
 * Runs the paired approximate randomization test (Riezler and Maxwell, 2005, "On Some Pitfalls in
 * Automatic Evaluation and Significance Testing for MT") as sacreBLEU 2.6.0's `--paired-ar` does.
 * Each trial swaps each segment's baseline and system output with probability 1/2 and scores the
 * two shuffled corpora. The p-value is (count + 1) / (trials + 1), where count is the trials whose
 * absolute score difference is strictly greater than the observed one. Like sacreBLEU's command
 * line, it reports no mean or CI. The swaps come from winnow's seeded generator, not numpy's, so
 * p-values agree with sacreBLEU's only within sampling error. Throws an `invalid_input` WinnowError
 * for invalid options, no systems or metrics, or hypotheses whose line count differs from the
 * references'.
 * NOTE: as in sacreBLEU, a system identical to the baseline gets the smallest p-value,
 * 1 / (trials + 1), because no trial difference exceeds an observed difference of 0.
 */
export function pairedApproximateRandomization(
  input: PairedTestInput,
  options: PairedApproximateRandomizationOptions = {},
): PairedTestReport {
  const settings = parseMetricOptions(pairedApproximateRandomizationOptionsSchema, options, "paired approximate randomization");
  assertPairedTestInput(input);

  const systems = [input.baseline, ...input.systems];
  const results = systems.map(() => ({}) as Record<string, PairedResult>);

  for (const metric of input.metrics) {
    const statistics = systems.map((system) => metric.segmentStatistics(system.hypotheses));
    const actual = statistics.map((matrix) => metric.scoreStatistics(sumSegmentStatistics(matrix, metric.width)));
    results[0][metric.name] = { score: actual[0], pValue: null, mean: null, ci: null };

    for (let s = 1; s < systems.length; s++) {
      const observedDelta = Math.abs(actual[0] - actual[s]);
      const count = countExtremeTrials(metric, statistics[0], statistics[s], { ...settings, observedDelta });
      results[s][metric.name] = { score: actual[s], pValue: pValueFromCount(count, settings.trials), mean: null, ci: null };
    }
  }

  return {
    test: "ar",
    samples: settings.trials,
    seed: settings.seed,
    metrics: input.metrics.map(({ name, signature }) => ({
      name,
      signature: signPairedTest(signature, "ar", settings.trials, settings.seed),
    })),
    systems: systems.map((system, s) => ({ name: system.name, results: results[s] })),
  };
}

import { beforeAll, describe, expect, it } from "vitest";
import { WinnowError } from "../../lib/errors";
import { createBleuMetric } from "../../lib/metrics/bleu";
import { createChrfMetric } from "../../lib/metrics/chrf";
import { pairedApproximateRandomization } from "../../lib/metrics/paired-approximate-randomization";
import type { PairedTestInput, PairedTestReport } from "../../lib/metrics/paired-test";
import type { SegmentMetric } from "../../lib/metrics/segment-metric";
import { sumSegmentStatistics } from "../../lib/metrics/segment-metric";
import { readSacrebleuPairedVectors, readVectorLines, type SacrebleuPairedVectors, SYSTEM_FILES } from "./paired-test-vectors";

const METRIC_NAMES = ["BLEU", "chrF2"] as const;

const SIGNIFICANCE_LEVEL = 0.05;

/** Bootstrap p-values at most this far below or above 0.05, by a factor, count as far from it. */
const FAR_FACTOR = 4;

const TRIALS = 10000;

const REFERENCES = [
  [
    "a dog runs on the grass",
    "two men sit on a bench",
    "a red car drives by",
    "the child is happy",
    "birds fly south in winter",
    "a woman reads a book",
    "three kids play football",
    "an old man walks his dog",
    "the boat sails on the lake",
    "a girl eats an apple",
  ],
];

const BASELINE = [
  "a dog runs on grass",
  "two men sit on the bench",
  "a car drives by",
  "the child is happy",
  "some birds fly south",
  "a woman reads the book",
  "three children play soccer",
  "an old man walks a dog",
  "the boat is on the lake",
  "a girl eats apple",
];

const SYSTEM = [
  "a dog is running on the grass",
  "two men sit on a bench",
  "one red car drives",
  "a happy child",
  "birds fly south in winter",
  "woman is reading a book",
  "three kids play ball",
  "old man walks his dog",
  "a boat sails on a lake",
  "the girl eats an apple",
];

function smallInput(systemHypotheses: readonly string[] = SYSTEM): PairedTestInput {
  return {
    baseline: { name: "baseline", hypotheses: BASELINE },
    systems: [{ name: "system", hypotheses: systemHypotheses }],
    metrics: [createBleuMetric(REFERENCES), createChrfMetric(REFERENCES)],
  };
}

/**
 * Computes the exact randomization p-value over all 2^n ways to swap segments: the share of swaps
 * whose absolute score difference is strictly greater than the observed one.
 */
function exactRandomizationPValue(metric: SegmentMetric, baseline: readonly string[], system: readonly string[]): number {
  const width = metric.width;
  const baselineStatistics = metric.segmentStatistics(baseline);
  const systemStatistics = metric.segmentStatistics(system);
  const score = (statistics: Float64Array) => metric.scoreStatistics(sumSegmentStatistics(statistics, width));
  const observed = Math.abs(score(baselineStatistics) - score(systemStatistics));

  let count = 0;
  const patterns = 2 ** baseline.length;
  for (let pattern = 0; pattern < patterns; pattern++) {
    const first = new Float64Array(width);
    const second = new Float64Array(width);
    for (let segment = 0; segment < baseline.length; segment++) {
      const swapped = ((pattern >> segment) & 1) === 1;
      const [toFirst, toSecond] = swapped ? [baselineStatistics, systemStatistics] : [systemStatistics, baselineStatistics];
      for (let column = 0; column < width; column++) {
        first[column] += toFirst[segment * width + column];
        second[column] += toSecond[segment * width + column];
      }
    }
    if (Math.abs(metric.scoreStatistics(first) - metric.scoreStatistics(second)) > observed) count += 1;
  }
  return count / patterns;
}

function randomizationError(run: () => unknown): WinnowError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WinnowError);
    return error as WinnowError;
  }
  throw new Error("pairedApproximateRandomization accepted invalid input");
}

describe("pairedApproximateRandomization", () => {
  describe("when run on sacreBLEU's paired vectors", () => {
    let expected: SacrebleuPairedVectors;
    let report: PairedTestReport;

    beforeAll(() => {
      expected = readSacrebleuPairedVectors();
      const references = [readVectorLines("ref.txt")];
      report = pairedApproximateRandomization({
        baseline: { name: "Baseline: baseline.txt", hypotheses: readVectorLines("baseline.txt") },
        systems: SYSTEM_FILES.map((file) => ({ name: file, hypotheses: readVectorLines(file) })),
        metrics: [createBleuMetric(references), createChrfMetric(references)],
      });
    });

    it("scores each system like sacreBLEU", () => {
      for (const [index, entry] of expected.entries()) {
        for (const metric of METRIC_NAMES) {
          const result = report.systems[index].results[metric];
          expect(result.score, `${entry.system} ${metric}`).toBeCloseTo(entry[metric].score, 2);
          expect(result.mean).toBeNull();
          expect(result.ci).toBeNull();
        }
      }
    });

    it("agrees with sacreBLEU's bootstrap far from 0.05", () => {
      let compared = 0;
      for (const [index, entry] of expected.entries()) {
        for (const metric of METRIC_NAMES) {
          const bootstrap = entry[metric].p_value;
          const randomization = report.systems[index].results[metric].pValue;
          if (bootstrap === null) {
            expect(randomization).toBeNull();
            continue;
          }
          const far = bootstrap <= SIGNIFICANCE_LEVEL / FAR_FACTOR || bootstrap >= SIGNIFICANCE_LEVEL * FAR_FACTOR;
          if (!far) continue;
          const significant = (randomization ?? Number.NaN) <= SIGNIFICANCE_LEVEL;
          expect(significant, `${entry.system} ${metric}`).toBe(bootstrap <= SIGNIFICANCE_LEVEL);
          compared += 1;
        }
      }
      expect(compared).toBeGreaterThanOrEqual(5);
    });

    it("adds the trials and seed to signatures", () => {
      expect(report.metrics.map((metric) => metric.signature)).toEqual([
        "nrefs:1|ar:10000|seed:12345|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0",
        "nrefs:1|ar:10000|seed:12345|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0",
      ]);
      expect(report).toMatchObject({ test: "ar", samples: TRIALS, seed: 12345 });
    });
  });

  describe("when all swaps of ten segments can be enumerated", () => {
    it("estimates the exact p-value", () => {
      const report = pairedApproximateRandomization(smallInput());

      for (const metric of smallInput().metrics) {
        const exact = exactRandomizationPValue(metric, BASELINE, SYSTEM);
        // A p-value near 0 or 1 would make the comparison trivial.
        expect(exact).toBeGreaterThan(0.1);
        expect(exact).toBeLessThan(0.9);

        // The count of trials is binomial, and (count + 1) / (trials + 1) shifts its mean by at most 1 / (trials + 1).
        const tolerance = 4 * Math.sqrt((exact * (1 - exact)) / TRIALS) + 1 / (TRIALS + 1);
        const estimate = report.systems[1].results[metric.name].pValue ?? Number.NaN;
        expect(Math.abs(estimate - exact), metric.name).toBeLessThanOrEqual(tolerance);
      }
    });
  });

  describe("when a system repeats the baseline", () => {
    it("gives the smallest p-value, as sacreBLEU does", () => {
      const report = pairedApproximateRandomization(smallInput(BASELINE), { trials: 500 });
      expect(report.systems[1].results.BLEU.pValue).toBe(1 / 501);
      expect(report.systems[1].results.chrF2.pValue).toBe(1 / 501);
    });
  });

  describe("when seeds are given", () => {
    it("repeats a report for the same seed", () => {
      const options = { trials: 1000, seed: 3 };
      const first = pairedApproximateRandomization(smallInput(), options);
      expect(pairedApproximateRandomization(smallInput(), options)).toEqual(first);
    });

    it("draws other swaps for another seed", () => {
      const first = pairedApproximateRandomization(smallInput(), { trials: 1000, seed: 3 });
      const second = pairedApproximateRandomization(smallInput(), { trials: 1000, seed: 4 });
      expect(second.systems[1].results.chrF2.pValue).not.toBe(first.systems[1].results.chrF2.pValue);
    });
  });

  describe("when the input is invalid", () => {
    it("rejects zero trials", () => {
      const error = randomizationError(() => pairedApproximateRandomization(smallInput(), { trials: 0 }));
      expect(error.code).toBe("invalid_input");
      expect(error.message).toMatch(/^invalid paired approximate randomization options: trials: .*got 0$/);
    });

    it("rejects unknown options", () => {
      const options = { resamples: 10 } as unknown as { trials: number };
      expect(randomizationError(() => pairedApproximateRandomization(smallInput(), options)).message).toMatch(/resamples/);
    });

    it("requires a system besides the baseline", () => {
      const error = randomizationError(() => pairedApproximateRandomization({ ...smallInput(), systems: [] }));
      expect(error.message).toBe("paired tests need at least one system besides the baseline");
    });

    it("names a system longer than the references", () => {
      const error = randomizationError(() => pairedApproximateRandomization(smallInput([...SYSTEM, "extra line"])));
      expect(error.message).toMatch(/reference stream 0 has 10 lines but there are 11 hypotheses/);
    });
  });
});

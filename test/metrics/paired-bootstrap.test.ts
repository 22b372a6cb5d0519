import { beforeAll, describe, expect, it } from "vitest";
import { WinnowError } from "../../lib/errors";
import { createBleuMetric } from "../../lib/metrics/bleu";
import { createChrfMetric } from "../../lib/metrics/chrf";
import { pairedBootstrap } from "../../lib/metrics/paired-bootstrap";
import type { PairedTestInput, PairedTestReport } from "../../lib/metrics/paired-test";
import { sumSegmentStatistics } from "../../lib/metrics/segment-metric";
import {
  expectBootstrapResultClose,
  pValueTolerance,
  RESAMPLES,
  readSacrebleuPairedVectors,
  readVectorLines,
  type SacrebleuPairedVectors,
  SYSTEM_FILES,
  toSacrebleuShape,
} from "./paired-test-vectors";

const METRIC_NAMES = ["BLEU", "chrF2"] as const;

const SIGNIFICANCE_LEVEL = 0.05;

const TINY_REFERENCES = [["a dog runs on the grass", "two men sit", "a red car", "the child is happy", "birds fly south"]];

const TINY_BASELINE = ["a dog runs on grass", "two men are sitting", "a car", "the child is happy", "some birds fly"];

const TINY_SYSTEM = ["a dog is running on the grass", "two men sit", "one red car", "a happy child", "birds fly south"];

function tinyInput(systemHypotheses: readonly string[] = TINY_SYSTEM): PairedTestInput {
  return {
    baseline: { name: "baseline", hypotheses: TINY_BASELINE },
    systems: [{ name: "system", hypotheses: systemHypotheses }],
    metrics: [createBleuMetric(TINY_REFERENCES), createChrfMetric(TINY_REFERENCES)],
  };
}

function bootstrapError(run: () => unknown): WinnowError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WinnowError);
    return error as WinnowError;
  }
  throw new Error("pairedBootstrap accepted invalid input");
}

describe("pairedBootstrap", () => {
  describe("when run on sacreBLEU's paired vectors", () => {
    let expected: SacrebleuPairedVectors;
    let report: PairedTestReport;

    beforeAll(() => {
      expected = readSacrebleuPairedVectors();
      const references = [readVectorLines("ref.txt")];
      report = pairedBootstrap({
        baseline: { name: "Baseline: baseline.txt", hypotheses: readVectorLines("baseline.txt") },
        systems: SYSTEM_FILES.map((file) => ({ name: file, hypotheses: readVectorLines(file) })),
        metrics: [createBleuMetric(references), createChrfMetric(references)],
      });
    });

    it("lists the baseline first, then the systems", () => {
      expect(report.systems.map((system) => system.name)).toEqual(expected.map((entry) => entry.system));
    });

    for (const [index, system] of ["baseline.txt", ...SYSTEM_FILES].entries()) {
      for (const metric of METRIC_NAMES) {
        it(`matches sacreBLEU for ${system} ${metric}`, () => {
          expectBootstrapResultClose(toSacrebleuShape(report.systems[index].results[metric]), expected[index][metric]);
        });
      }
    }

    it("agrees on significance far from 0.05", () => {
      let compared = 0;
      for (const [index, entry] of expected.entries()) {
        for (const metric of METRIC_NAMES) {
          const theirs = entry[metric].p_value;
          const ours = report.systems[index].results[metric].pValue;
          if (theirs === null || ours === null) continue;
          if (Math.abs(theirs - SIGNIFICANCE_LEVEL) <= pValueTolerance(ours, theirs)) continue;
          expect(ours <= SIGNIFICANCE_LEVEL, `${entry.system} ${metric}`).toBe(theirs <= SIGNIFICANCE_LEVEL);
          compared += 1;
        }
      }
      expect(compared).toBeGreaterThanOrEqual(4);
    });

    it("adds the resamples and seed to signatures", () => {
      expect(report.metrics).toEqual([
        { name: "BLEU", signature: "nrefs:1|bs:1000|seed:12345|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0" },
        { name: "chrF2", signature: "nrefs:1|bs:1000|seed:12345|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0" },
      ]);
      expect(report).toMatchObject({ test: "bs", samples: RESAMPLES, seed: 12345 });
    });
  });

  describe("when a system repeats the baseline", () => {
    it("resamples both with the same indices", () => {
      const report = pairedBootstrap(tinyInput(TINY_BASELINE), { resamples: 200 });
      const [baseline, copy] = report.systems;
      for (const metric of METRIC_NAMES) {
        expect(copy.results[metric].mean).toBe(baseline.results[metric].mean);
        expect(copy.results[metric].ci).toBe(baseline.results[metric].ci);
      }
    });

    it("gives the smallest p-value, as sacreBLEU does", () => {
      const report = pairedBootstrap(tinyInput(TINY_BASELINE), { resamples: 200 });
      expect(report.systems[1].results.BLEU.pValue).toBe(1 / 201);
      expect(report.systems[1].results.chrF2.pValue).toBe(1 / 201);
    });
  });

  describe("when seeds are given", () => {
    it("repeats a report for the same seed", () => {
      expect(pairedBootstrap(tinyInput(), { seed: 7 })).toEqual(pairedBootstrap(tinyInput(), { seed: 7 }));
    });

    it("draws other resamples for another seed", () => {
      const first = pairedBootstrap(tinyInput(), { seed: 7 });
      const second = pairedBootstrap(tinyInput(), { seed: 8 });
      expect(second.systems[1].results.chrF2.mean).not.toBe(first.systems[1].results.chrF2.mean);
      expect(second.systems[1].results.chrF2.score).toBe(first.systems[1].results.chrF2.score);
    });
  });

  describe("when the corpus has five segments", () => {
    it("estimates the exact bootstrap mean", () => {
      // All 5^5 index tuples are equally likely resamples, so their mean score is the exact
      // expectation that the resampled mean estimates.
      const metric = createChrfMetric(TINY_REFERENCES);
      const statistics = metric.segmentStatistics(TINY_SYSTEM);
      const segments = TINY_SYSTEM.length;
      const scores: number[] = [];
      for (let tuple = 0; tuple < segments ** segments; tuple++) {
        const resample = new Float64Array(statistics.length);
        for (let draw = 0, rest = tuple; draw < segments; draw++, rest = Math.floor(rest / segments)) {
          const row = (rest % segments) * metric.width;
          resample.set(statistics.subarray(row, row + metric.width), draw * metric.width);
        }
        scores.push(metric.scoreStatistics(sumSegmentStatistics(resample, metric.width)));
      }
      const exactMean = scores.reduce((sum, score) => sum + score, 0) / scores.length;
      const deviation = Math.sqrt(scores.reduce((sum, score) => sum + (score - exactMean) ** 2, 0) / scores.length);

      const report = pairedBootstrap({ ...tinyInput(), metrics: [metric] });
      const estimate = report.systems[1].results.chrF2.mean ?? Number.NaN;
      expect(Math.abs(estimate - exactMean)).toBeLessThanOrEqual((4 * deviation) / Math.sqrt(RESAMPLES));
    });
  });

  describe("when the input is invalid", () => {
    it("requires a system besides the baseline", () => {
      const error = bootstrapError(() => pairedBootstrap({ ...tinyInput(), systems: [] }));
      expect(error.code).toBe("invalid_input");
      expect(error.message).toBe("paired tests need at least one system besides the baseline");
    });

    it("requires a metric", () => {
      expect(bootstrapError(() => pairedBootstrap({ ...tinyInput(), metrics: [] })).message).toBe(
        "paired tests need at least one metric",
      );
    });

    it("rejects two metrics with one name", () => {
      const metrics = [createChrfMetric(TINY_REFERENCES), createChrfMetric(TINY_REFERENCES)];
      expect(bootstrapError(() => pairedBootstrap({ ...tinyInput(), metrics })).message).toMatch(/chrF2 appears twice/);
    });

    it("names a system shorter than the references", () => {
      const error = bootstrapError(() => pairedBootstrap(tinyInput(TINY_SYSTEM.slice(1))));
      expect(error.message).toMatch(/reference stream 0 has 5 lines but there are 4 hypotheses/);
    });

    it("rejects zero resamples", () => {
      const error = bootstrapError(() => pairedBootstrap(tinyInput(), { resamples: 0 }));
      expect(error.message).toMatch(/^invalid paired bootstrap options: resamples: .*got 0$/);
    });

    it("rejects a seed outside 32 bits", () => {
      expect(bootstrapError(() => pairedBootstrap(tinyInput(), { seed: -1 })).message).toMatch(/seed: .*got -1$/);
      expect(bootstrapError(() => pairedBootstrap(tinyInput(), { seed: 2 ** 32 })).message).toMatch(/seed: .*got 4294967296$/);
      expect(bootstrapError(() => pairedBootstrap(tinyInput(), { seed: 1.5 })).message).toMatch(/seed: .*got 1.5$/);
    });
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { buildComparison } from "../../lib/comparison/build-comparison";
import { SignificanceCache } from "../../lib/comparison/significance-cache";
import type { Comparison, ComparisonRun, MetricSignificance } from "../../lib/comparison/types";
import { WinnowError } from "../../lib/errors";
import { createBleuMetric } from "../../lib/metrics/bleu";
import { createChrfMetric } from "../../lib/metrics/chrf";
import { pairedBootstrap } from "../../lib/metrics/paired-bootstrap";
import type { PairedResult } from "../../lib/metrics/paired-test";
import { degrade, makeData, makeReferences, makeRun } from "./comparison-fixtures";

/** Fewer resamples than sacreBLEU's 1000 keep these tests fast; the code path is the same. */
const RESAMPLES = 200;
const BOOTSTRAP_SEED = 7;
const REFERENCES = makeReferences(60);

/** Runs lib/metrics' paired bootstrap directly, with the metrics the comparison uses. */
function directBootstrap(baseline: string[], system: string[], references: string[], resamples = RESAMPLES, seed = BOOTSTRAP_SEED) {
  const report = pairedBootstrap(
    {
      baseline: { name: "baseline", hypotheses: baseline },
      systems: [{ name: "system", hypotheses: system }],
      metrics: [createBleuMetric([references], { force: true }), createChrfMetric([references], { charOrder: 6, wordOrder: 0, beta: 2 })],
    },
    { resamples, seed },
  );
  return { baseline: report.systems[0].results, system: report.systems[1].results };
}

function expectSameResult(actual: MetricSignificance, system: PairedResult, baseline: PairedResult): void {
  expect(actual.score).toBe(system.score);
  expect(actual.baselineScore).toBe(baseline.score);
  expect(actual.delta).toBe(system.score - baseline.score);
  expect(actual.pValue).toBe(system.pValue);
  expect(actual.mean).toBe(system.mean);
  expect(actual.ci).toBe(system.ci);
}

async function comparisonError(promise: Promise<unknown>): Promise<WinnowError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(WinnowError);
  return error as WinnowError;
}

describe("buildComparison", () => {
  describe("when grouping runs by strategy", () => {
    const runs = [
      makeRun({ id: 1, strategy: "uniform", seed: 1, testBleu: 30, testChrf: 50, validBleu: [{ epoch: 1, bleu: 10 }, { epoch: 2, bleu: 20 }] }),
      makeRun({ id: 2, strategy: "fixed-weight", strategyParams: { lambda: 0.3 }, seed: 1, testBleu: 33, testChrf: 55 }),
      makeRun({ id: 3, strategy: "uniform", seed: 2, testBleu: 32, testChrf: 54, validBleu: [{ epoch: 1, bleu: 14 }, { epoch: 2, bleu: 24 }] }),
      makeRun({ id: 4, strategy: "fixed-weight", strategyParams: { lambda: 0.5 }, seed: 1, testBleu: 31, testChrf: 51 }),
      makeRun({ id: 5, strategy: "uniform", seed: 3, testBleu: 34, testChrf: 52, validBleu: [{ epoch: 1, bleu: 12 }] }),
      makeRun({ id: 6, strategy: "fixed-weight", strategyParams: { lambda: 0.3 }, seed: 2, testBleu: 37, testChrf: 57 }),
      makeRun({ id: 7, strategy: "uniform", seed: 4, status: "running", validBleu: [{ epoch: 1, bleu: 99 }] }),
    ];
    let comparison: Comparison;

    beforeAll(async () => {
      comparison = await buildComparison(makeData(runs, REFERENCES), { kind: "strategy", strategy: "uniform" }, { skipSignificance: true });
    });

    it("keeps groups in order of first run", () => {
      expect(comparison.groups.map((group) => group.groupKey)).toEqual(["uniform", "fixed-weight (lambda=0.3)", "fixed-weight (lambda=0.5)"]);
      expect(comparison.groups.map((group) => group.runIds)).toEqual([[1, 3, 5, 7], [2, 6], [4]]);
    });

    it("leaves unfinished runs out of the statistics", () => {
      const uniform = comparison.groups[0];

      expect(uniform.includedRunIds).toEqual([1, 3, 5]);
      expect(uniform.seeds).toEqual([1, 2, 3]);
      expect(comparison.runs[6].excluded).toBe("not_completed");
      expect(comparison.notes).toContain("Run #7 (uniform, seed 4) is running, so it is left out of the statistics.");
    });

    it("gives mean and sample std of test scores", () => {
      const [uniform, lambda03, lambda05] = comparison.groups;

      expect(uniform.testBleu).toEqual({ n: 3, mean: 32, std: 2 });
      expect(uniform.testChrf).toEqual({ n: 3, mean: 52, std: 2 });
      expect(lambda03.testBleu).toEqual({ n: 2, mean: 35, std: Math.sqrt(8) });
      expect(lambda05.testBleu).toEqual({ n: 1, mean: 31, std: null });
    });

    it("gives differences of means to the baseline", () => {
      const [uniform, lambda03, lambda05] = comparison.groups;

      expect(uniform.deltaBleu).toBeNull();
      expect(lambda03.deltaBleu).toBe(3);
      expect(lambda03.deltaChrf).toBe(4);
      expect(lambda05.deltaBleu).toBe(-1);
    });

    it("bands validation BLEU over included runs", () => {
      expect(comparison.groups[0].validBleuBands).toEqual([
        { epoch: 1, n: 3, mean: 12, min: 10, max: 14, std: 2 },
        { epoch: 2, n: 2, mean: 22, min: 20, max: 24, std: Math.sqrt(8) },
      ]);
    });

    it("marks the baseline group and its runs", () => {
      expect(comparison.groups.map((group) => group.isBaseline)).toEqual([true, false, false]);
      expect(comparison.runs.filter((entry) => entry.isBaseline).map((entry) => entry.run.id)).toEqual([1, 3, 5, 7]);
    });

    it("runs no test when skipping significance", () => {
      expect(comparison.groups.every((group) => group.significance === null && group.perSeed.length === 0)).toBe(true);
      expect(comparison.runs.every((entry) => entry.significance === null)).toBe(true);
    });
  });

  describe("when the baseline is one run", () => {
    const baselineHypotheses = degrade(REFERENCES, 3, 0);
    const systemHypotheses = degrade(REFERENCES, 5, 1);
    const runs = [
      makeRun({ id: 10, strategy: "uniform", seed: 1, testHypotheses: baselineHypotheses }),
      makeRun({ id: 11, strategy: "clean-only", seed: 1, testHypotheses: systemHypotheses }),
    ];

    it("matches lib/metrics paired bootstrap", async () => {
      const comparison = await buildComparison(makeData(runs, REFERENCES), { kind: "run", runId: 10 }, { resamples: RESAMPLES, seed: BOOTSTRAP_SEED });
      const direct = directBootstrap(baselineHypotheses, systemHypotheses, REFERENCES);
      const significance = comparison.runs[1].significance;

      expect(comparison.runs[0].significance).toBeNull();
      expect(significance?.runIds).toEqual([11]);
      expect(significance?.baselineRunIds).toEqual([10]);
      expect(significance?.segments).toBe(REFERENCES.length);
      expectSameResult(significance?.bleu as MetricSignificance, direct.system.BLEU, direct.baseline.BLEU);
      expectSameResult(significance?.chrf as MetricSignificance, direct.system.chrF2, direct.baseline.chrF2);
    });

    it("matches it with sacreBLEU's defaults", async () => {
      const comparison = await buildComparison(makeData(runs, REFERENCES), { kind: "run", runId: 10 });
      const direct = directBootstrap(baselineHypotheses, systemHypotheses, REFERENCES, 1000, 12345);

      expect(comparison.bootstrap.resamples).toBe(1000);
      expect(comparison.bootstrap.seed).toBe(12345);
      expect(comparison.bootstrap.signatures.BLEU).toMatch(/^nrefs:1\|bs:1000\|seed:12345\|case:mixed\|/);
      expectSameResult(comparison.runs[1].significance?.bleu as MetricSignificance, direct.system.BLEU, direct.baseline.BLEU);
    });

    it("finds a clear difference significant", async () => {
      const better = makeRun({ id: 12, strategy: "tagged", seed: 1, testHypotheses: [...REFERENCES] });
      const comparison = await buildComparison(makeData([...runs, better], REFERENCES), { kind: "run", runId: 10 }, { resamples: RESAMPLES });

      expect(comparison.runs[2].significance?.bleu.delta).toBeGreaterThan(0);
      expect(comparison.runs[2].significance?.bleu.pValue).toBeLessThan(0.05);
    });
  });

  describe("when the baseline is a strategy with several seeds", () => {
    const hypotheses = {
      base1: degrade(REFERENCES, 3, 0),
      base2: degrade(REFERENCES, 4, 1),
      base3: degrade(REFERENCES, 3, 2),
      system1: degrade(REFERENCES, 5, 0),
      system2: degrade(REFERENCES, 6, 3),
      system4: degrade(REFERENCES, 7, 0),
    };
    const runs: ComparisonRun[] = [
      makeRun({ id: 1, strategy: "uniform", seed: 1, testHypotheses: hypotheses.base1 }),
      makeRun({ id: 2, strategy: "uniform", seed: 2, testHypotheses: hypotheses.base2 }),
      makeRun({ id: 3, strategy: "uniform", seed: 3, testHypotheses: hypotheses.base3 }),
      makeRun({ id: 4, strategy: "clean-only", seed: 2, testHypotheses: hypotheses.system2 }),
      makeRun({ id: 5, strategy: "clean-only", seed: 1, testHypotheses: hypotheses.system1 }),
      makeRun({ id: 6, strategy: "clean-only", seed: 4, testHypotheses: hypotheses.system4 }),
    ];
    let comparison: Comparison;

    beforeAll(async () => {
      comparison = await buildComparison(makeData(runs, REFERENCES), { kind: "strategy", strategy: "uniform" }, { resamples: RESAMPLES, seed: BOOTSTRAP_SEED });
    });

    it("pools the shared seeds into one test", () => {
      const significance = comparison.groups[1].significance;
      const direct = directBootstrap(
        [...hypotheses.base1, ...hypotheses.base2],
        [...hypotheses.system1, ...hypotheses.system2],
        [...REFERENCES, ...REFERENCES],
      );

      expect(significance?.runIds).toEqual([5, 4]);
      expect(significance?.baselineRunIds).toEqual([1, 2]);
      expect(significance?.segments).toBe(2 * REFERENCES.length);
      expectSameResult(significance?.bleu as MetricSignificance, direct.system.BLEU, direct.baseline.BLEU);
      expectSameResult(significance?.chrf as MetricSignificance, direct.system.chrF2, direct.baseline.chrF2);
    });

    it("reports each shared seed's test", () => {
      const perSeed = comparison.groups[1].perSeed;
      const seed2 = directBootstrap(hypotheses.base2, hypotheses.system2, REFERENCES);

      expect(perSeed.map((entry) => entry.seed)).toEqual([1, 2]);
      expect(perSeed[1].runIds).toEqual([4]);
      expect(perSeed[1].baselineRunIds).toEqual([2]);
      expectSameResult(perSeed[1].bleu, seed2.system.BLEU, seed2.baseline.BLEU);
    });

    it("tests each run against its seed's baseline run", () => {
      expect(comparison.runs[3].significance).toEqual(comparison.groups[1].perSeed[1]);
      expect(comparison.runs[4].significance).toEqual(comparison.groups[1].perSeed[0]);
    });

    it("leaves a run without a matching seed untested", () => {
      expect(comparison.runs[5].excluded).toBeNull();
      expect(comparison.runs[5].significance).toBeNull();
    });

    it("gives the baseline group no test", () => {
      expect(comparison.groups[0].significance).toBeNull();
      expect(comparison.runs.slice(0, 3).every((entry) => entry.significance === null)).toBe(true);
    });

    it("reuses cached tests", async () => {
      const cache = new SignificanceCache();
      const first = await buildComparison(makeData(runs, REFERENCES), { kind: "strategy", strategy: "uniform" }, { resamples: RESAMPLES, cache });
      const size = cache.size;
      const second = await buildComparison(makeData(runs, REFERENCES), { kind: "strategy", strategy: "uniform" }, { resamples: RESAMPLES, cache });

      // Two per-seed tests and one pooled test.
      expect(size).toBe(3);
      expect(cache.size).toBe(3);
      expect(second.groups[1].significance).toBe(first.groups[1].significance);
    });
  });

  describe("when a group shares no seed with the baseline", () => {
    it("notes that it has no p-value", async () => {
      const runs = [
        makeRun({ id: 1, strategy: "uniform", seed: 1, testHypotheses: degrade(REFERENCES, 3, 0) }),
        makeRun({ id: 2, strategy: "tagged", seed: 2, testHypotheses: degrade(REFERENCES, 4, 0) }),
      ];
      const comparison = await buildComparison(makeData(runs, REFERENCES), { kind: "strategy", strategy: "uniform" }, { resamples: RESAMPLES });

      expect(comparison.groups[1].significance).toBeNull();
      expect(comparison.notes).toContain("tagged shares no seed with the baseline uniform, so it has no p-value.");
    });
  });

  describe("when a run copies the baseline's outputs", () => {
    it("notes the misleading p-value", async () => {
      const hypotheses = degrade(REFERENCES, 3, 0);
      const runs = [
        makeRun({ id: 1, strategy: "uniform", seed: 1, testHypotheses: hypotheses }),
        makeRun({ id: 2, strategy: "tagged", seed: 1, testHypotheses: [...hypotheses] }),
      ];
      const comparison = await buildComparison(makeData(runs, REFERENCES), { kind: "run", runId: 1 }, { resamples: RESAMPLES });

      expect(comparison.runs[1].significance?.identicalOutputs).toBe(true);
      expect(comparison.runs[1].significance?.bleu.pValue).toBe(1 / (RESAMPLES + 1));
      expect(comparison.notes).toContain(
        "Run #2 translated the test set exactly as baseline run #1 did; its p-value is the smallest possible although the two do not differ.",
      );
    });
  });

  describe("when a run repeats a seed", () => {
    it("pairs the first run of the seed", async () => {
      const runs = [
        makeRun({ id: 1, strategy: "uniform", seed: 1, testHypotheses: degrade(REFERENCES, 3, 0) }),
        makeRun({ id: 2, strategy: "tagged", seed: 1, testHypotheses: degrade(REFERENCES, 4, 0) }),
        makeRun({ id: 3, strategy: "tagged", seed: 1, testHypotheses: degrade(REFERENCES, 5, 0) }),
      ];
      const comparison = await buildComparison(makeData(runs, REFERENCES), { kind: "strategy", strategy: "uniform" }, { resamples: RESAMPLES });

      expect(comparison.groups[1].significance?.runIds).toEqual([2]);
      expect(comparison.groups[1].testBleu.n).toBe(2);
      expect(comparison.notes).toContain("Run #3 repeats seed 1 of tagged; seed-matched tests use run #2.");
    });
  });

  describe("when runs cannot be tested", () => {
    it("leaves out runs of another dataset", async () => {
      const runs = [
        makeRun({ id: 1, strategy: "uniform", seed: 1, testHypotheses: degrade(REFERENCES, 3, 0) }),
        makeRun({ id: 2, strategy: "tagged", seed: 1, datasetId: 2, testHypotheses: degrade(REFERENCES, 4, 0) }),
      ];
      const data = { runs, testSets: { 1: { datasetId: 1, references: REFERENCES }, 2: { datasetId: 2, references: REFERENCES } } };
      const comparison = await buildComparison(data, { kind: "run", runId: 1 }, { resamples: RESAMPLES });

      expect(comparison.runs[1].excluded).toBe("other_dataset");
      expect(comparison.runs[1].significance).toBeNull();
      expect(comparison.notes).toContain("Run #2 (tagged, seed 1) uses dataset 2, not the baseline's, so it is left out of the statistics.");
    });

    it("leaves out completed runs without translations", async () => {
      const runs = [
        makeRun({ id: 1, strategy: "uniform", seed: 1, testHypotheses: degrade(REFERENCES, 3, 0) }),
        makeRun({ id: 2, strategy: "tagged", seed: 1, testHypotheses: null }),
      ];
      const comparison = await buildComparison(makeData(runs, REFERENCES), { kind: "run", runId: 1 }, { resamples: RESAMPLES });

      expect(comparison.runs[1].excluded).toBe("missing_test_translations");
      expect(comparison.groups[1].testBleu.n).toBe(0);
    });

    it("notes an unfinished baseline run", async () => {
      const runs = [
        makeRun({ id: 1, strategy: "uniform", seed: 1, status: "failed" }),
        makeRun({ id: 2, strategy: "tagged", seed: 1, testHypotheses: degrade(REFERENCES, 4, 0) }),
      ];
      const comparison = await buildComparison(makeData(runs, REFERENCES), { kind: "run", runId: 1 }, { resamples: RESAMPLES });

      expect(comparison.runs[1].significance).toBeNull();
      expect(comparison.notes).toContain("The baseline run #1 is not in the statistics, so no run has a p-value against it.");
    });
  });

  describe("when the baseline is invalid", () => {
    const runs = [
      makeRun({ id: 1, strategy: "uniform", seed: 1 }),
      makeRun({ id: 2, strategy: "fixed-weight", strategyParams: { lambda: 0.3 }, seed: 1 }),
      makeRun({ id: 3, strategy: "fixed-weight", strategyParams: { lambda: 0.5 }, seed: 1 }),
    ];

    it("names a baseline run not compared", async () => {
      const error = await comparisonError(buildComparison(makeData(runs, REFERENCES), { kind: "run", runId: 99 }));

      expect(error.code).toBe("invalid_input");
      expect(error.message).toBe("baseline run 99 is not among the compared runs (1, 2, 3)");
    });

    it("names an unknown baseline strategy", async () => {
      const error = await comparisonError(buildComparison(makeData(runs, REFERENCES), { kind: "strategy", strategy: "tagged" }));

      expect(error.message).toBe(
        "baseline strategy tagged is not among the compared runs' strategies (uniform; fixed-weight (lambda=0.3); fixed-weight (lambda=0.5))",
      );
    });

    it("rejects a strategy with several groups", async () => {
      const error = await comparisonError(buildComparison(makeData(runs, REFERENCES), { kind: "strategy", strategy: "fixed-weight" }));

      expect(error.message).toBe(
        "baseline strategy fixed-weight matches several groups (fixed-weight (lambda=0.3); fixed-weight (lambda=0.5)); name one of them",
      );
    });

    it("accepts a full group key", async () => {
      const comparison = await buildComparison(makeData(runs, REFERENCES), { kind: "strategy", strategy: "fixed-weight (lambda=0.5)" }, { skipSignificance: true });

      expect(comparison.baselineGroupKey).toBe("fixed-weight (lambda=0.5)");
    });

    it("rejects no runs", async () => {
      const error = await comparisonError(buildComparison(makeData([], REFERENCES), { kind: "strategy", strategy: "uniform" }));

      expect(error.message).toBe("a comparison needs at least one run");
    });
  });
});

import { describe, expect, it } from "vitest";
import { formatComparisonTable } from "../../lib/comparison/format-comparison-table";
import type { Comparison, PairedSignificance, StrategyComparison } from "../../lib/comparison/types";

function significance(pValue: number, runIds: number[]): PairedSignificance {
  const bleu = { score: 35.2, baselineScore: 32.1, delta: 3.1, pValue, mean: 35.1, ci: 0.84 };
  const chrf = { score: 57.3, baselineScore: 55.3, delta: 2, pValue: 0.0123, mean: 57.2, ci: 0.5 };
  return { runIds, baselineRunIds: [1, 2], segments: 2000, identicalOutputs: false, bleu, chrf };
}

function group(fields: Partial<StrategyComparison> & Pick<StrategyComparison, "groupKey">): StrategyComparison {
  return {
    strategy: fields.groupKey,
    strategyParams: {},
    isBaseline: false,
    runIds: [],
    includedRunIds: [],
    seeds: [1, 2],
    testBleu: { n: 2, mean: 32, std: 2 },
    testChrf: { n: 2, mean: 55.25, std: 0.5 },
    deltaBleu: null,
    deltaChrf: null,
    validBleuBands: [],
    significance: null,
    perSeed: [],
    ...fields,
  };
}

const COMPARISON: Comparison = {
  baseline: { kind: "strategy", strategy: "uniform" },
  baselineGroupKey: "uniform",
  runs: [],
  groups: [
    group({ groupKey: "uniform", isBaseline: true }),
    group({
      groupKey: "fixed-weight (lambda=0.3)",
      testBleu: { n: 2, mean: 35, std: 1.5 },
      testChrf: { n: 2, mean: 57.25, std: 0.25 },
      deltaBleu: 3,
      deltaChrf: 2,
      significance: significance(0.001, [3, 4]),
      perSeed: [{ seed: 1, ...significance(0.004, [3]) }, { seed: 2, ...significance(0.0312, [4]) }],
    }),
    group({ groupKey: "tagged", seeds: [5], testBleu: { n: 1, mean: 30.5, std: null }, deltaBleu: -1.5 }),
  ],
  bootstrap: { resamples: 1000, seed: 12345, signatures: {} },
  notes: ["Run #9 (tagged, seed 6) is running, so it is left out of the statistics."],
};

describe("formatComparisonTable", () => {
  describe("when formatting markdown", () => {
    const lines = formatComparisonTable(COMPARISON, "markdown").split("\n");

    it("writes a header and right-aligned numbers", () => {
      expect(lines[0]).toBe("| Strategy | Seeds | Test BLEU | Test chrF2 | ΔBLEU | p (BLEU) | BLEU 95% CI | ΔchrF2 | p (chrF2) | p (BLEU) per seed |");
      expect(lines[1]).toBe("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    });

    it("marks the baseline row", () => {
      expect(lines[2]).toBe("| uniform | 2 (1, 2) | 32.00 ± 2.00 | 55.25 ± 0.50 | baseline | – | – | baseline | – | – |");
    });

    it("writes means, p-values and the CI", () => {
      expect(lines[3]).toBe(
        "| fixed-weight (lambda=0.3) | 2 (1, 2) | 35.00 ± 1.50 | 57.25 ± 0.25 | +3.00 | 0.0010 | 35.10 ± 0.84 | +2.00 | 0.0123 | 1: 0.0040, 2: 0.0312 |",
      );
    });

    it("writes a single seed without std", () => {
      expect(lines[4]).toBe("| tagged | 1 (5) | 30.50 | 55.25 ± 0.50 | -1.50 | – | – | – | – | – |");
    });

    it("lists the explanation and notes", () => {
      expect(lines[5]).toBe("");
      expect(lines[6]).toBe("- Baseline: uniform.");
      expect(lines.at(-1)).toBe("- Run #9 (tagged, seed 6) is running, so it is left out of the statistics.");
    });
  });

  describe("when formatting text", () => {
    const lines = formatComparisonTable(COMPARISON, "text").split("\n");

    it("aligns every column", () => {
      const header = lines[0];
      const rule = lines[1];

      expect(rule).toMatch(/^-+( {2}-+){9}$/);
      expect(header.startsWith("Strategy                   Seeds")).toBe(true);
      // Right-aligned number columns end where their rule ends.
      const bleuEnd = header.indexOf("Test BLEU") + "Test BLEU".length;
      expect(rule[bleuEnd - 1]).toBe("-");
      expect(rule[bleuEnd]).toBe(" ");
      expect(lines[3].slice(bleuEnd - "35.00 ± 1.50".length, bleuEnd)).toBe("35.00 ± 1.50");
    });

    it("ends with the notes", () => {
      expect(lines.at(-1)).toBe("Run #9 (tagged, seed 6) is running, so it is left out of the statistics.");
    });
  });
});

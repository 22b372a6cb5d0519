import { describe, expect, it } from "vitest";
import { strategyGroupKey } from "../../lib/comparison/strategy-group-key";
import { epochBands, sampleStd, summarizeValues } from "../../lib/comparison/summarize-values";

describe("summarizeValues", () => {
  it("gives mean and sample std", () => {
    const summary = summarizeValues([10, 12, 14]);

    expect(summary.n).toBe(3);
    expect(summary.mean).toBe(12);
    // Squared deviations 4 + 0 + 4 over n - 1 = 2 give a variance of 4.
    expect(summary.std).toBe(2);
  });

  it("divides by n - 1, not n", () => {
    // Deviations from the mean 5 square to 32; 32 / 7, not 32 / 8.
    expect(sampleStd([2, 4, 4, 4, 5, 5, 7, 9])).toBe(Math.sqrt(32 / 7));
  });

  it("has no std for one value", () => {
    expect(summarizeValues([31.5])).toEqual({ n: 1, mean: 31.5, std: null });
  });

  it("has no mean for no values", () => {
    expect(summarizeValues([])).toEqual({ n: 0, mean: null, std: null });
  });
});

describe("epochBands", () => {
  const curves = [
    [{ epoch: 1, bleu: 10 }, { epoch: 2, bleu: 20 }, { epoch: 3, bleu: 30 }],
    [{ epoch: 2, bleu: 24 }, { epoch: 1, bleu: 12 }],
    [{ epoch: 1, bleu: 14 }, { epoch: 2, bleu: 22 }],
  ];

  it("bands each epoch over the runs", () => {
    const bands = epochBands(curves);

    expect(bands.map((band) => band.epoch)).toEqual([1, 2, 3]);
    expect(bands[0]).toEqual({ epoch: 1, n: 3, mean: 12, min: 10, max: 14, std: 2 });
    expect(bands[1]).toEqual({ epoch: 2, n: 3, mean: 22, min: 20, max: 24, std: 2 });
  });

  it("counts only runs that reached an epoch", () => {
    expect(epochBands(curves)[2]).toEqual({ epoch: 3, n: 1, mean: 30, min: 30, max: 30, std: null });
  });

  it("returns no bands for no curves", () => {
    expect(epochBands([])).toEqual([]);
  });
});

describe("strategyGroupKey", () => {
  it("is the strategy without parameters", () => {
    expect(strategyGroupKey("uniform", {})).toBe("uniform");
  });

  it("sorts parameters by name", () => {
    expect(strategyGroupKey("curriculum", { lambda0: 0.5, cleanEpochs: 2 })).toBe("curriculum (cleanEpochs=2, lambda0=0.5)");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadComparison } from "../../lib/comparison/load-comparison";
import { loadComparisonRuns } from "../../lib/comparison/load-comparison-runs";
import type { ComparisonData } from "../../lib/comparison/types";
import { WinnowError } from "../../lib/errors";
import { DATABASE_SETUP_TIMEOUT_MS } from "../db/test-database";
import { createTestStack, type TestStack } from "../helpers/test-stack";
import { degrade, makeReferences } from "./comparison-fixtures";
import { storeComparisonDataset, storeComparisonRun, type StoredDataset, type StoredRunSpec } from "./stored-runs";

const TEST_SIZE = 40;
const REFERENCES = makeReferences(TEST_SIZE);

let stack: TestStack;
let dataset: StoredDataset;

function storeRun(spec: StoredRunSpec): Promise<number> {
  return storeComparisonRun(dataset, spec);
}

let uniform1: number;
let uniform2: number;
let clean1: number;
let clean2: number;
let running: number;

beforeAll(async () => {
  stack = await createTestStack("comparison");
  dataset = await storeComparisonDataset("comparison", REFERENCES);
  uniform1 = await storeRun({ strategy: "uniform", seed: 1, validBleu: [10, 20], test: { bleu: 30, chrf: 50, hypotheses: degrade(REFERENCES, 3, 0) } });
  uniform2 = await storeRun({ strategy: "uniform", seed: 2, validBleu: [12, 22], test: { bleu: 32, chrf: 54, hypotheses: degrade(REFERENCES, 3, 1) } });
  clean1 = await storeRun({ strategy: "clean-only", seed: 1, validBleu: [11, 25], test: { bleu: 35, chrf: 55, hypotheses: degrade(REFERENCES, 6, 0) } });
  clean2 = await storeRun({ strategy: "clean-only", seed: 2, validBleu: [13, 27], test: { bleu: 37, chrf: 57, hypotheses: degrade(REFERENCES, 7, 0) } });
  running = await storeRun({ strategy: "clean-only", seed: 3, validBleu: [9] });
}, DATABASE_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await stack?.teardown();
});

async function loadError(promise: Promise<unknown>): Promise<WinnowError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(WinnowError);
  return error as WinnowError;
}

describe("loadComparisonRuns", () => {
  let data: ComparisonData & { missingIds: number[] };

  beforeAll(async () => {
    data = await loadComparisonRuns([clean1, uniform1, running, 999999, uniform1]);
  });

  it("keeps the requested order", () => {
    expect(data.runs.map((run) => run.id)).toEqual([clean1, uniform1, running]);
    expect(data.missingIds).toEqual([999999]);
  });

  it("loads strategy, seed and status", () => {
    const [clean, uniform, active] = data.runs;

    expect(clean.strategy).toBe("clean-only");
    expect(clean.groupKey).toBe("clean-only");
    expect(uniform.seed).toBe(1);
    expect(uniform.status).toBe("completed");
    expect(active.status).toBe("running");
  });

  it("loads validation BLEU per epoch", () => {
    expect(data.runs[0].validBleu).toEqual([{ epoch: 1, bleu: 11 }, { epoch: 2, bleu: 25 }]);
    expect(data.runs[2].validBleu).toEqual([{ epoch: 1, bleu: 9 }]);
  });

  it("loads final test scores", () => {
    expect(data.runs[1].testBleu).toBe(30);
    expect(data.runs[1].testChrf).toBe(50);
    expect(data.runs[2].testBleu).toBeNull();
  });

  it("aligns test translations with the test set", () => {
    expect(data.testSets[dataset.datasetId].references).toEqual(REFERENCES);
    expect(data.runs[1].testHypotheses).toEqual(degrade(REFERENCES, 3, 0));
    expect(data.runs[0].testHypotheses).toEqual(degrade(REFERENCES, 6, 0));
  });

  it("has no test translations for a running run", () => {
    expect(data.runs[2].testHypotheses).toBeNull();
  });
});

describe("loadComparison", () => {
  it("compares strategies over stored runs", async () => {
    const comparison = await loadComparison({ runIds: [uniform1, uniform2, clean1, clean2, running], baselineStrategy: "uniform" }, { resamples: 100 });
    const [baseline, clean] = comparison.groups;

    expect(baseline.testBleu).toEqual({ n: 2, mean: 31, std: Math.SQRT2 });
    expect(clean.testBleu).toEqual({ n: 2, mean: 36, std: Math.SQRT2 });
    expect(clean.deltaBleu).toBe(5);
    expect(clean.includedRunIds).toEqual([clean1, clean2]);
    expect(clean.validBleuBands[1]).toEqual({ epoch: 2, n: 2, mean: 26, min: 25, max: 27, std: Math.SQRT2 });
    expect(clean.significance?.segments).toBe(2 * TEST_SIZE);
    expect(clean.perSeed.map((entry) => entry.seed)).toEqual([1, 2]);
    expect(comparison.notes).toContain(`Run #${running} (clean-only, seed 3) is running, so it is left out of the statistics.`);
  });

  it("names a run id that does not exist", async () => {
    const error = await loadError(loadComparison({ runIds: [uniform1, 999999], baselineRunId: uniform1 }));

    expect(error.code).toBe("not_found");
    expect(error.message).toBe("run 999999 not found");
  });

  it("names every missing run id", async () => {
    const error = await loadError(loadComparison({ runIds: [999998, uniform1, 999999], baselineRunId: uniform1 }));

    expect(error.message).toBe("runs 999998, 999999 not found");
  });

  it("names a baseline run not compared", async () => {
    const error = await loadError(loadComparison({ runIds: [uniform1, clean1], baselineRunId: clean2 }));

    expect(error.code).toBe("invalid_input");
    expect(error.message).toBe(`baseline run ${clean2} is not among the compared runs (${uniform1}, ${clean1})`);
  });

  it("rejects an empty run list", async () => {
    const error = await loadError(loadComparison({ runIds: [], baselineStrategy: "uniform" }));

    expect(error.message).toBe("runIds must name at least one run");
  });
});

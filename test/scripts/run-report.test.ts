import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeDataset } from "../../lib/datasets/store-dataset";
import { createRun } from "../../lib/runs";
import { formatRunTable, loadRunReports, type RunReport } from "../../scripts/lib/run-report";
import { createTestStack, type TestStack } from "../helpers/test-stack";

let stack: TestStack;
let reports: RunReport[];

beforeAll(async () => {
  stack = await createTestStack("report");
  const pairs = { srcLang: "de", tgtLang: "en", train: [{ src: "ein Hund", tgt: "a dog", noisy: false }], valid: [], test: [] };
  const datasetId = (await storeDataset("run-report", "test", pairs)).id;
  const runIds = [
    (await createRun({ datasetId, strategy: "uniform", preset: "micro" })).id,
    (await createRun({ datasetId, strategy: "fixed-weight", strategyParams: { lambda: 0.5 }, preset: "micro" })).id,
    (await createRun({ datasetId, strategy: "fixed-weight", preset: "micro", seed: 2 })).id,
    (await createRun({ datasetId, strategy: "curriculum", strategyParams: { mode: "gradual", alpha: 0.4 }, preset: "micro" })).id,
  ];
  reports = await loadRunReports(runIds);
});

afterAll(async () => {
  await stack?.teardown();
});

describe("loadRunReports", () => {
  it("includes each run's strategy parameters", () => {
    expect(reports.slice(0, 3).map((report) => report.strategyParams)).toEqual([{}, { lambda: 0.5 }, { lambda: 0.3 }]);
  });

  it("keeps choice parameters such as curriculum's mode", () => {
    expect(reports[3].strategyParams).toMatchObject({ mode: "gradual", alpha: 0.4, beta: 0.7 });
  });
});

describe("formatRunTable", () => {
  it("shows parameters beside the strategy", () => {
    const strategyColumn = formatRunTable(reports)
      .split("\n")
      .slice(2)
      .map((line) => line.split(/\s+/)[1]);

    expect(strategyColumn.slice(0, 3)).toEqual(["uniform", "fixed-weight(lambda=0.5)", "fixed-weight(lambda=0.3)"]);
    expect(strategyColumn[3]).toContain("mode=gradual");
  });
});

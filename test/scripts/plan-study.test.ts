import { describe, expect, it } from "vitest";
import { listStudyCells, planStudy, type StudySettings, type SweepRun } from "../../scripts/lib/plan-study";

const SETTINGS: StudySettings = { datasetId: 3, preset: "micro", epochs: 2 };

/** A run of the sweep that matches the cell (strategy, seed) under SETTINGS unless `overrides` change it. */
function sweepRun(id: number, strategy: string, seed: number, status: SweepRun["status"], overrides: Partial<SweepRun> = {}): SweepRun {
  const strategyParams = strategy === "fixed-weight" ? { lambda: 0.3 } : {};
  return {
    id,
    datasetId: SETTINGS.datasetId,
    strategy,
    seed,
    status,
    config: { datasetId: SETTINGS.datasetId, strategy, strategyParams, preset: SETTINGS.preset, epochs: SETTINGS.epochs, seed, sweepId: 1 },
    error: null,
    createdAt: new Date(0),
    ...overrides,
  };
}

describe("listStudyCells", () => {
  it("lists every strategy of every seed, seed by seed", () => {
    expect(listStudyCells(["uniform", "clean-only"], 2)).toEqual([
      { strategy: "uniform", seed: 1 },
      { strategy: "clean-only", seed: 1 },
      { strategy: "uniform", seed: 2 },
      { strategy: "clean-only", seed: 2 },
    ]);
  });
});

describe("planStudy", () => {
  const cells = listStudyCells(["uniform", "fixed-weight"], 1);

  describe("when the sweep is empty", () => {
    it("queues every cell", () => {
      const plans = planStudy(cells, [], SETTINGS);

      expect(plans.map((plan) => plan.action)).toEqual(["queue", "queue"]);
    });
  });

  describe("when runs match the cells", () => {
    it("keeps completed runs and waits for active ones", () => {
      const runs = [sweepRun(1, "uniform", 1, "completed"), sweepRun(2, "fixed-weight", 1, "running")];

      const plans = planStudy(cells, runs, SETTINGS);

      expect(plans).toEqual([
        { cell: cells[0], action: "keep", run: runs[0] },
        { cell: cells[1], action: "wait", run: runs[1] },
      ]);
    });

    it("prefers a completed run to a newer failed one", () => {
      const runs = [sweepRun(1, "uniform", 1, "completed"), sweepRun(2, "uniform", 1, "failed")];

      expect(planStudy(cells, runs, SETTINGS)[0]).toMatchObject({ action: "keep", run: { id: 1 } });
    });

    it("prefers a queued run to a failed one", () => {
      const runs = [sweepRun(1, "uniform", 1, "failed"), sweepRun(2, "uniform", 1, "queued")];

      expect(planStudy(cells, runs, SETTINGS)[0]).toMatchObject({ action: "wait", run: { id: 2 } });
    });
  });

  describe("when the cell's runs failed or were cancelled", () => {
    it("queues a run in place of the newest", () => {
      const runs = [sweepRun(1, "uniform", 1, "failed"), sweepRun(2, "uniform", 1, "cancelled")];

      expect(planStudy(cells, runs, SETTINGS)[0]).toEqual({ cell: cells[0], action: "queue", replaces: runs[1] });
    });
  });

  describe("when a completed run differs from the cell", () => {
    it.each([
      ["seed", { seed: 2 }],
      ["dataset", { datasetId: 4 }],
      ["epochs", { config: { datasetId: 3, strategy: "uniform", strategyParams: {}, preset: "micro", epochs: 5, seed: 1 } }],
      ["preset", { config: { datasetId: 3, strategy: "uniform", strategyParams: {}, preset: "tiny", epochs: 2, seed: 1 } }],
      ["unparseable config", { config: { strategy: "uniform" } }],
    ])("ignores a run with another %s", (_, overrides) => {
      const runs = [sweepRun(1, "uniform", 1, "completed", overrides)];

      expect(planStudy(cells, runs, SETTINGS)[0]).toEqual({ cell: cells[0], action: "queue", replaces: undefined });
    });

    it("ignores a run with other strategy parameters", () => {
      const run = sweepRun(1, "fixed-weight", 1, "completed");
      const config = { ...(run.config as object), strategyParams: { lambda: 0.5 } };

      expect(planStudy(cells, [{ ...run, config }], SETTINGS)[1]).toMatchObject({ action: "queue" });
    });
  });
});

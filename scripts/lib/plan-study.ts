import type { ModelPresetName } from "../../lib/presets";
import { runConfigSchema } from "../../lib/run-config";
import { parseStrategyParams, type StrategyName } from "../../lib/strategies";

/** One run of a study: a strategy trained with one seed. */
export interface StudyCell {
  strategy: StrategyName;
  seed: number;
}

/** Settings that every run of a study shares. */
export interface StudySettings {
  datasetId: number;
  preset: ModelPresetName;
  /** Epochs per run, resolved: the model preset's when the command did not set them. */
  epochs: number;
}

/** A run already recorded in the study's sweep. */
export interface SweepRun {
  id: number;
  datasetId: number;
  strategy: string;
  seed: number;
  status: "queued" | "running" | "completed" | "failed" | "cancelled";
  /** The stored run config (Run.config). */
  config: unknown;
  error: string | null;
  createdAt: Date;
}

/**
 * Action for one cell: keep its completed run, wait for its queued or running run, or queue a
 * new run, in place of the newest failed or cancelled one when there is one.
 */
export type CellPlan =
  | { cell: StudyCell; action: "keep"; run: SweepRun }
  | { cell: StudyCell; action: "wait"; run: SweepRun }
  | { cell: StudyCell; action: "queue"; replaces: SweepRun | undefined };

/**
 * Returns one cell per strategy and seed, seeds 1 to `seeds`, seed by seed: every strategy's
 * seed 1 is queued before any seed 2, so a study stopped early still covers every strategy.
 */
export function listStudyCells(strategies: readonly StrategyName[], seeds: number): StudyCell[] {
  return Array.from({ length: seeds }, (_, index) => strategies.map((strategy) => ({ strategy, seed: index + 1 }))).flat();
}

/** Serialises a parameter object with sorted keys, so that key order does not affect equality. */
function canonicalParams(params: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(params).sort().map((name) => [name, params[name]]));
}

/**
 * Returns whether `run` trained `cell` with `settings`: the same strategy, seed, dataset, model
 * preset, epochs and strategy parameters. A study sets no parameters, so they must equal the
 * strategy's defaults. A stored config that no longer parses matches nothing.
 */
export function runMatchesCell(run: SweepRun, cell: StudyCell, settings: StudySettings): boolean {
  if (run.strategy !== cell.strategy || run.seed !== cell.seed || run.datasetId !== settings.datasetId) return false;
  const config = runConfigSchema.safeParse(run.config);
  if (!config.success) return false;
  if (config.data.preset !== settings.preset || config.data.epochs !== settings.epochs) return false;
  return canonicalParams(config.data.strategyParams) === canonicalParams(parseStrategyParams(cell.strategy, {}));
}

/**
 * Decides each cell's action from the runs of the sweep. A completed run wins over any other, and
 * a queued or running one over a failed or cancelled one. Among equals the oldest wins, so that a
 * repeated plan picks the same run.
 */
export function planStudy(cells: readonly StudyCell[], runs: readonly SweepRun[], settings: StudySettings): CellPlan[] {
  const byAge = [...runs].sort((a, b) => a.id - b.id);
  return cells.map((cell) => {
    const matching = byAge.filter((run) => runMatchesCell(run, cell, settings));
    const completed = matching.find((run) => run.status === "completed");
    if (completed) return { cell, action: "keep", run: completed };
    const active = matching.find((run) => run.status === "queued" || run.status === "running");
    if (active) return { cell, action: "wait", run: active };
    return { cell, action: "queue", replaces: matching.at(-1) };
  });
}

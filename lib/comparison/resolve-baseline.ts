import { WinnowError } from "../errors";
import type { BaselineChoice, ComparisonRun } from "./types";

/** The baseline of a comparison, resolved against its runs. */
export interface ResolvedBaseline {
  /** Group key of the baseline strategy group. */
  groupKey: string;
  /** The baseline run when the baseline is one run, else null. */
  run: ComparisonRun | null;
}

function listGroupKeys(runs: readonly ComparisonRun[]): string {
  return [...new Set(runs.map((run) => run.groupKey))].join("; ");
}

/**
 * Finds the baseline among the runs. A strategy baseline matches a group key exactly, or a
 * strategy name that only one group has. Throws an `invalid_input` WinnowError naming the run id
 * or strategy when the baseline is not among the runs or the strategy name matches several groups.
 */
export function resolveBaseline(runs: readonly ComparisonRun[], baseline: BaselineChoice): ResolvedBaseline {
  if (baseline.kind === "run") {
    const run = runs.find((candidate) => candidate.id === baseline.runId);
    if (!run) {
      const ids = runs.map((candidate) => candidate.id).join(", ");
      throw new WinnowError("invalid_input", `baseline run ${baseline.runId} is not among the compared runs (${ids})`);
    }
    return { groupKey: run.groupKey, run };
  }

  if (runs.some((run) => run.groupKey === baseline.strategy)) return { groupKey: baseline.strategy, run: null };
  const keys = [...new Set(runs.filter((run) => run.strategy === baseline.strategy).map((run) => run.groupKey))];
  if (keys.length === 1) return { groupKey: keys[0], run: null };
  if (keys.length === 0) {
    throw new WinnowError(
      "invalid_input",
      `baseline strategy ${baseline.strategy} is not among the compared runs' strategies (${listGroupKeys(runs)})`,
    );
  }
  throw new WinnowError(
    "invalid_input",
    `baseline strategy ${baseline.strategy} matches several groups (${keys.join("; ")}); name one of them`,
  );
}

import { WinnowError } from "../errors";
import { buildComparison, type BuildComparisonOptions } from "./build-comparison";
import { loadComparisonRuns } from "./load-comparison-runs";
import type { BaselineChoice, Comparison } from "./types";

/** Runs to compare and the baseline: exactly one of `baselineRunId` and `baselineStrategy`. */
export type LoadComparisonRequest = { runIds: readonly number[] } & (
  | { baselineRunId: number; baselineStrategy?: undefined }
  | { baselineStrategy: string; baselineRunId?: undefined }
);

function toBaselineChoice(request: LoadComparisonRequest): BaselineChoice {
  if (request.baselineRunId !== undefined && request.baselineStrategy !== undefined) {
    throw new WinnowError("invalid_input", "give either baselineRunId or baselineStrategy, not both");
  }
  if (request.baselineRunId !== undefined) return { kind: "run", runId: request.baselineRunId };
  if (request.baselineStrategy !== undefined) return { kind: "strategy", strategy: request.baselineStrategy };
  throw new WinnowError("invalid_input", "a comparison needs a baseline: give baselineRunId or baselineStrategy");
}

/**
 * Loads runs from the database and compares them with the baseline (see `buildComparison` for the
 * statistics). Throws a `not_found` WinnowError naming every id that matches no run, and an
 * `invalid_input` one for an empty `runIds`, a missing or doubled baseline, or a baseline that is
 * not among the runs.
 */
export async function loadComparison(request: LoadComparisonRequest, options: BuildComparisonOptions = {}): Promise<Comparison> {
  const baseline = toBaselineChoice(request);
  if (request.runIds.length === 0) throw new WinnowError("invalid_input", "runIds must name at least one run");

  const { missingIds, ...data } = await loadComparisonRuns(request.runIds);
  if (missingIds.length === 1) throw new WinnowError("not_found", `run ${missingIds[0]} not found`);
  if (missingIds.length > 1) throw new WinnowError("not_found", `runs ${missingIds.join(", ")} not found`);
  return buildComparison(data, baseline, options);
}

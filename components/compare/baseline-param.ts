import type { BaselineChoice } from "../../lib/comparison/types";
import { parseRunId } from "../../lib/queries/run-id";

/** Query parameter of the compare page that selects the baseline. */
export const BASELINE_PARAM = "baseline";

/** Formats a baseline as the query value: `run:12`, or `strategy:` and a strategy group key. */
export function formatBaselineParam(baseline: BaselineChoice): string {
  return baseline.kind === "run" ? `run:${baseline.runId}` : `strategy:${baseline.strategy}`;
}

/**
 * Parses the `baseline` query value written by `formatBaselineParam`. Returns null when there is
 * none, and an error message naming the value when it is malformed.
 */
export function parseBaselineParam(value: string | string[] | undefined): BaselineChoice | { error: string } | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text === "") return null;

  if (text.startsWith("run:")) {
    const runId = parseRunId(text.slice("run:".length));
    if (runId !== null) return { kind: "run", runId };
  } else if (text.startsWith("strategy:") && text.length > "strategy:".length) {
    return { kind: "strategy", strategy: text.slice("strategy:".length) };
  }
  return { error: `invalid baseline ${JSON.stringify(text)}: expected run:<run id> or strategy:<strategy>` };
}

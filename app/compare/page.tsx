import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { BASELINE_PARAM, formatBaselineParam, parseBaselineParam } from "../../components/compare/baseline-param";
import { BaselineSelector, type BaselineOption } from "../../components/compare/baseline-selector";
import { BleuOverlayChart } from "../../components/compare/bleu-overlay-chart";
import { CompareTable } from "../../components/compare/compare-table";
import { ComparisonStatistics } from "../../components/compare/comparison-statistics";
import { RefreshWhileActive } from "../../components/compare/refresh-while-active";
import { StrategyBandChart } from "../../components/compare/strategy-band-chart";
import { isActiveStatus } from "../../components/shared/run-status";
import { buildComparison } from "../../lib/comparison/build-comparison";
import { loadComparisonRuns } from "../../lib/comparison/load-comparison-runs";
import { resolveBaseline } from "../../lib/comparison/resolve-baseline";
import type { BaselineChoice, ComparisonRun } from "../../lib/comparison/types";
import { WinnowError } from "../../lib/errors";
import { getRunDetails } from "../../lib/queries/get-run-detail";
import { parseRunId } from "../../lib/queries/run-id";

export const dynamic = "force-dynamic";

/** Most runs one comparison overlays; more lines than this are unreadable. */
const MAX_COMPARED_RUNS = 12;
/** How often the page reloads its runs while any of them is queued or running, in milliseconds. */
const REFRESH_INTERVAL_MS = 2000;

/** Reads "?runs=1,2,3" into distinct ids; null when any entry is not a run id. */
function parseRunList(value: string | string[] | undefined): number[] | null {
  const text = Array.isArray(value) ? value.join(",") : (value ?? "");
  const entries = text.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
  const ids = entries.map(parseRunId);
  if (ids.some((id) => id === null)) return null;
  return [...new Set(ids as number[])];
}

/**
 * Picks the requested baseline when it is among the runs, else the first run's strategy, with
 * the reason the request was not used.
 */
function chooseBaseline(runs: ComparisonRun[], param: string | string[] | undefined): { baseline: BaselineChoice; error: string | null } {
  const fallback: BaselineChoice = { kind: "strategy", strategy: runs[0].groupKey };
  const requested = parseBaselineParam(param);
  if (requested === null) return { baseline: fallback, error: null };
  if ("error" in requested) return { baseline: fallback, error: requested.error };
  try {
    resolveBaseline(runs, requested);
    return { baseline: requested, error: null };
  } catch (error) {
    if (error instanceof WinnowError && error.code === "invalid_input") return { baseline: fallback, error: error.message };
    throw error;
  }
}

function baselineOptions(runs: ComparisonRun[]): BaselineOption[] {
  const strategies = [...new Set(runs.map((run) => run.groupKey))].map((groupKey) => ({
    value: formatBaselineParam({ kind: "strategy", strategy: groupKey }),
    label: `Strategy: ${groupKey}`,
  }));
  const single = runs.map((run) => ({
    value: formatBaselineParam({ kind: "run", runId: run.id }),
    label: `Run #${run.id}: ${run.groupKey}, seed ${run.seed}`,
  }));
  return [...strategies, ...single];
}

export default async function ComparePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const runIds = parseRunList(params.runs);
  if (runIds === null) notFound();
  if (runIds.length === 0) {
    return (
      <div className="panel">
        <h1>Compare runs</h1>
        <p>Select two or more runs on the <Link href="/">runs list</Link> and press “Compare selected”.</p>
      </div>
    );
  }

  const shownIds = runIds.slice(0, MAX_COMPARED_RUNS);
  const [{ runs, missingIds }, data] = await Promise.all([getRunDetails(shownIds), loadComparisonRuns(shownIds)]);
  if (runs.length === 0) notFound();
  const { baseline, error: baselineError } = chooseBaseline(data.runs, params[BASELINE_PARAM]);
  // The charts need no bootstrap, so they are built at once and the tests stream in below.
  const overview = await buildComparison(data, baseline, { skipSignificance: true });

  return (
    <>
      <h1>Compare runs {runs.map((run) => `#${run.id}`).join(", ")}</h1>
      {missingIds.length > 0 ? (
        <p className="form-error" role="alert" data-testid="compare-missing">
          No run exists with id {missingIds.map((id) => `#${id}`).join(", ")}; the comparison shows the other runs.
        </p>
      ) : null}
      {runIds.length > MAX_COMPARED_RUNS ? (
        <p className="muted">Showing the first {MAX_COMPARED_RUNS} of {runIds.length} runs.</p>
      ) : null}
      <RefreshWhileActive active={runs.some((run) => isActiveStatus(run.status))} intervalMs={REFRESH_INTERVAL_MS} />
      <BaselineSelector runsParam={shownIds.join(",")} options={baselineOptions(data.runs)} selected={formatBaselineParam(baseline)} />
      {baselineError ? (
        <p className="form-error" role="alert" data-testid="compare-baseline-error">
          {baselineError}; the baseline is {overview.baselineGroupKey} instead.
        </p>
      ) : null}
      <h2>Validation BLEU per epoch, per run</h2>
      <BleuOverlayChart runs={runs} />
      <h2>Validation BLEU per epoch, per strategy</h2>
      <p className="muted">Mean over the completed runs of each strategy, with the spread over seeds as a band.</p>
      <StrategyBandChart curves={overview.groups.map((group) => ({ groupKey: group.groupKey, bands: group.validBleuBands }))} />
      <h2>Final numbers</h2>
      <CompareTable runs={runs} />
      <Suspense fallback={<p className="muted" data-testid="comparison-pending">Computing paired bootstrap tests…</p>}>
        <ComparisonStatistics data={data} baseline={baseline} />
      </Suspense>
    </>
  );
}

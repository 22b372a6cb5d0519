import Link from "next/link";
import { notFound } from "next/navigation";
import { BleuOverlayChart } from "../../components/compare/bleu-overlay-chart";
import { CompareTable } from "../../components/compare/compare-table";
import { RefreshWhileActive } from "../../components/compare/refresh-while-active";
import { isActiveStatus } from "../../components/shared/run-status";
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

export default async function ComparePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const runIds = parseRunList((await searchParams).runs);
  if (runIds === null) notFound();
  if (runIds.length === 0) {
    return (
      <div className="panel">
        <h1>Compare runs</h1>
        <p>Select two or more runs on the <Link href="/">runs list</Link> and press “Compare selected”.</p>
      </div>
    );
  }

  const { runs, missingIds } = await getRunDetails(runIds.slice(0, MAX_COMPARED_RUNS));
  if (runs.length === 0) notFound();

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
      <h2>Validation BLEU per epoch</h2>
      <BleuOverlayChart runs={runs} />
      <h2>Final numbers</h2>
      <CompareTable runs={runs} />
    </>
  );
}

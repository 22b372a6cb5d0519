import Link from "next/link";
import { notFound } from "next/navigation";
import { BleuOverlayChart } from "../../components/compare/bleu-overlay-chart";
import { CompareTable } from "../../components/compare/compare-table";
import { getRunDetails } from "../../lib/queries/get-run-detail";
import { parseRunId } from "../../lib/queries/run-id";

export const dynamic = "force-dynamic";

/** Most runs one comparison overlays; more lines than this are unreadable. */
const MAX_COMPARED_RUNS = 12;

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
  if (missingIds.length > 0) notFound();

  return (
    <>
      <h1>Compare runs {runs.map((run) => `#${run.id}`).join(", ")}</h1>
      {runIds.length > MAX_COMPARED_RUNS ? (
        <p className="muted">Showing the first {MAX_COMPARED_RUNS} of {runIds.length} runs.</p>
      ) : null}
      <h2>Validation BLEU per epoch</h2>
      <BleuOverlayChart runs={runs} />
      <h2>Final numbers</h2>
      <CompareTable runs={runs} />
    </>
  );
}

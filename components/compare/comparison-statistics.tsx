import { buildComparison } from "../../lib/comparison/build-comparison";
import { SignificanceCache } from "../../lib/comparison/significance-cache";
import type { BaselineChoice, ComparisonData } from "../../lib/comparison/types";
import { RunSignificanceTable } from "./run-significance-table";
import { StrategyTable } from "./strategy-table";

// One cache per server process. Each 1,000-pair paired bootstrap with 1,000 resamples takes about
// 0.25 s (measured on a shared 2-core machine), so a page that polls while runs train would redo
// seconds of work on every refresh without it.
const significanceCache = new SignificanceCache();

/**
 * Computes and renders the comparison's significance tables. It is async so the page streams it
 * inside Suspense after the charts, which need no bootstrap.
 */
export async function ComparisonStatistics({ data, baseline }: { data: ComparisonData; baseline: BaselineChoice }) {
  const comparison = await buildComparison(data, baseline, { cache: significanceCache });
  return (
    <div data-testid="comparison-statistics">
      <h2>Strategies against the baseline</h2>
      <StrategyTable comparison={comparison} />
      <h2>Runs against the baseline</h2>
      <RunSignificanceTable comparison={comparison} />
      {comparison.notes.length > 0 ? (
        <ul className="muted" data-testid="comparison-notes">
          {comparison.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

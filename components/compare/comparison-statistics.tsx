import { buildComparison } from "../../lib/comparison/build-comparison";
import { SignificanceCache } from "../../lib/comparison/significance-cache";
import type { BaselineChoice, ComparisonData } from "../../lib/comparison/types";
import { RunSignificanceTable } from "./run-significance-table";
import { StrategyTable } from "./strategy-table";

// One cache per server process. A cold comparison of 12 runs (4 strategies x 3 seeds) over 1,000
// test pairs ran 12 to 20 paired tests in 4.5 to 7.3 s on a shared 2-core machine. Built again from
// the cache it took under 1 ms, so a page that refreshes while runs train pays only for new results.
// LIMITATION: each test still blocks the server's event loop for up to about 0.9 s; running the
// tests in a worker thread would lift that.
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

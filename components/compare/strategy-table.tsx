import type { Comparison, MetricSignificance, StrategyComparison, ValueSummary } from "../../lib/comparison/types";
import { formatNumber } from "../shared/format";

/** sacreBLEU prints p-values with four decimals. */
const P_VALUE_DIGITS = 4;

function formatSummary(summary: ValueSummary): string {
  if (summary.mean === null) return "–";
  return summary.std === null ? formatNumber(summary.mean) : `${formatNumber(summary.mean)} ± ${formatNumber(summary.std)}`;
}

export function formatDelta(value: number | null): string {
  if (value === null) return "–";
  return `${value >= 0 ? "+" : ""}${formatNumber(value)}`;
}

export function formatPValue(result: MetricSignificance | undefined): string {
  return result ? formatNumber(result.pValue, P_VALUE_DIGITS) : "–";
}

export function formatCi(result: MetricSignificance | undefined): string {
  return result ? `${formatNumber(result.mean)} ± ${formatNumber(result.ci)}` : "–";
}

function StrategyRow({ group, index }: { group: StrategyComparison; index: number }) {
  const significance = group.significance ?? undefined;
  const perSeed = group.perSeed.map((entry) => `${entry.seed}: ${formatPValue(entry.bleu)}`).join(", ");
  return (
    <tr data-testid={`strategy-row-${index}`} data-strategy={group.groupKey}>
      <td>{group.groupKey}{group.isBaseline ? <strong> (baseline)</strong> : null}</td>
      <td className="num">{group.includedRunIds.length} of {group.runIds.length}</td>
      <td>{group.seeds.join(", ") || "–"}</td>
      <td className="num" data-testid="strategy-test-bleu">{formatSummary(group.testBleu)}</td>
      <td className="num">{formatSummary(group.testChrf)}</td>
      <td className="num">{group.isBaseline ? "baseline" : formatDelta(group.deltaBleu)}</td>
      <td className="num" data-testid="strategy-p-bleu">{formatPValue(significance?.bleu)}</td>
      <td className="num">{formatCi(significance?.bleu)}</td>
      <td className="num">{group.isBaseline ? "baseline" : formatDelta(group.deltaChrf)}</td>
      <td className="num">{formatPValue(significance?.chrf)}</td>
      <td>{perSeed || "–"}</td>
    </tr>
  );
}

/**
 * Renders one row per strategy group: test BLEU and chrF2 as mean ± sample std over seeds, the
 * differences of means to the baseline, and the seed-matched pooled paired bootstrap.
 */
export function StrategyTable({ comparison }: { comparison: Comparison }) {
  const { resamples, seed } = comparison.bootstrap;
  return (
    <>
      <div className="table-wrap">
        <table data-testid="strategy-table">
          <thead>
            <tr>
              <th>Strategy</th>
              <th className="num">Runs in statistics</th>
              <th>Seeds</th>
              <th className="num">Test BLEU</th>
              <th className="num">Test chrF2</th>
              <th className="num">ΔBLEU</th>
              <th className="num">p (BLEU)</th>
              <th className="num">BLEU 95% CI</th>
              <th className="num">ΔchrF2</th>
              <th className="num">p (chrF2)</th>
              <th>p (BLEU) per seed</th>
            </tr>
          </thead>
          <tbody>
            {comparison.groups.map((group, index) => (
              <StrategyRow key={group.groupKey} group={group} index={index} />
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted">
        Test scores are mean ± sample standard deviation over seeds, and Δ is the difference of means to the baseline.
        p-values and the 95% CI (resampled mean ± half-width) come from paired bootstrap resampling ({resamples} resamples,
        seed {seed}) as sacreBLEU 2.6 does it, over the test sets of every seed the strategy shares with the baseline,
        pooled into one test.
      </p>
    </>
  );
}

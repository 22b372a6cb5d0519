import Link from "next/link";
import type { Comparison, RunComparison } from "../../lib/comparison/types";
import { formatNumber } from "../shared/format";
import { formatCi, formatDelta, formatPValue } from "./strategy-table";

const EXCLUSION_LABELS = {
  not_completed: "not completed",
  no_test_scores: "no test scores",
  missing_test_translations: "test translations missing",
  other_dataset: "other dataset",
} as const;

function describeSignificance(entry: RunComparison): string {
  if (entry.isBaseline) return "baseline";
  if (entry.excluded) return `left out: ${EXCLUSION_LABELS[entry.excluded]}`;
  return entry.significance ? `against #${entry.significance.baselineRunIds[0]}` : "no seed-matched baseline run";
}

/** Renders each run's paired bootstrap against its baseline run. */
export function RunSignificanceTable({ comparison }: { comparison: Comparison }) {
  return (
    <div className="table-wrap">
      <table data-testid="run-significance-table">
        <thead>
          <tr>
            <th>Run</th>
            <th>Strategy</th>
            <th className="num">Seed</th>
            <th>Tested</th>
            <th className="num">Test BLEU</th>
            <th className="num">ΔBLEU</th>
            <th className="num">p (BLEU)</th>
            <th className="num">BLEU 95% CI</th>
            <th className="num">ΔchrF2</th>
            <th className="num">p (chrF2)</th>
          </tr>
        </thead>
        <tbody>
          {comparison.runs.map((entry) => {
            const { run, significance } = entry;
            return (
              <tr key={run.id} data-testid={`run-significance-${run.id}`}>
                <td><Link href={`/runs/${run.id}`}>#{run.id}</Link></td>
                <td>{run.groupKey}</td>
                <td className="num">{run.seed}</td>
                <td>{describeSignificance(entry)}</td>
                <td className="num">{formatNumber(run.testBleu)}</td>
                <td className="num">{formatDelta(significance?.bleu.delta ?? null)}</td>
                <td className="num" data-testid="run-p-bleu">{formatPValue(significance?.bleu)}</td>
                <td className="num">{formatCi(significance?.bleu)}</td>
                <td className="num">{formatDelta(significance?.chrf.delta ?? null)}</td>
                <td className="num">{formatPValue(significance?.chrf)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

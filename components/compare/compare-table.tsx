import Link from "next/link";
import type { RunDetail } from "../../lib/queries/get-run-detail";
import { formatNumber, formatParams } from "../shared/format";
import { StatusBadge } from "../shared/status-badge";

/** Renders the final numbers of each compared run. */
export function CompareTable({ runs }: { runs: RunDetail[] }) {
  return (
    <div className="table-wrap">
      <table data-testid="compare-table">
        <thead>
          <tr>
            <th>Run</th>
            <th>Strategy</th>
            <th>Parameters</th>
            <th className="num">Seed</th>
            <th>Status</th>
            <th className="num">Epochs</th>
            <th className="num">Best valid BLEU</th>
            <th className="num">Last length ratio</th>
            <th className="num">Test BLEU</th>
            <th className="num">Test chrF</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => {
            const last = run.epochs.at(-1);
            return (
              <tr key={run.id} data-testid={`compare-row-${run.id}`}>
                <td><Link href={`/runs/${run.id}`}>#{run.id}</Link></td>
                <td>{run.strategy}</td>
                <td>{formatParams(run.config.strategyParams)}</td>
                <td className="num">{run.seed}</td>
                <td><StatusBadge status={run.status} /></td>
                <td className="num">{run.epochs.length}</td>
                <td className="num">{formatNumber(run.bestValidBleu)}</td>
                <td className="num">{formatNumber(last?.validLengthRatio, 3)}</td>
                <td className="num">{formatNumber(run.testBleu)}</td>
                <td className="num">{formatNumber(run.testChrf)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

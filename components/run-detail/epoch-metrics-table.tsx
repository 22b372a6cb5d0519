import type { EpochMetrics } from "../../lib/queries/epoch-metrics";
import { formatNumber } from "../shared/format";

/** Renders the charted numbers as a table, one row per finished epoch. */
export function EpochMetricsTable({ epochs }: { epochs: EpochMetrics[] }) {
  if (epochs.length === 0) return null;
  return (
    <div className="table-wrap">
      <table data-testid="epoch-metrics-table">
        <thead>
          <tr>
            <th className="num">Epoch</th>
            <th className="num">Step</th>
            <th className="num">Train loss</th>
            <th className="num">Valid BLEU</th>
            <th className="num">Valid chrF</th>
            <th className="num">Length ratio</th>
            <th className="num">Brevity penalty</th>
          </tr>
        </thead>
        <tbody>
          {epochs.map((entry) => (
            <tr key={entry.epoch} data-testid={`epoch-row-${entry.epoch}`}>
              <td className="num">{entry.epoch}</td>
              <td className="num">{entry.step}</td>
              <td className="num" data-testid="epoch-train-loss">{formatNumber(entry.trainLoss, 3)}</td>
              <td className="num" data-testid="epoch-valid-bleu">{formatNumber(entry.validBleu)}</td>
              <td className="num">{formatNumber(entry.validChrf)}</td>
              <td className="num">{formatNumber(entry.validLengthRatio, 3)}</td>
              <td className="num">{formatNumber(entry.validBp, 3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

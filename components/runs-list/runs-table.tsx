"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { RunSummary } from "../../lib/queries/run-summary";
import { formatNumber, formatParams, formatTimestamp } from "../shared/format";
import { ProgressBar } from "../shared/progress-bar";
import { isActiveStatus } from "../shared/run-status";
import { StatusBadge } from "../shared/status-badge";
import { usePolledJson } from "../shared/use-polled-json";

const POLL_INTERVAL_MS = 2000;

/** The runs list: polls while any run is queued or running, and sends checked runs to /compare. */
export function RunsTable({ initialRuns }: { initialRuns: RunSummary[] }) {
  const router = useRouter();
  const [selected, setSelected] = useState<number[]>([]);
  const anyActive = (runs: RunSummary[]) => runs.some((run) => isActiveStatus(run.status));
  const { data, error } = usePolledJson<{ runs: RunSummary[] }>("/api/runs", {
    initial: { runs: initialRuns },
    intervalMs: POLL_INTERVAL_MS,
    pollWhile: (current) => anyActive(current.runs),
  });
  const runs = data.runs;

  const toggle = (runId: number) =>
    setSelected((current) => (current.includes(runId) ? current.filter((id) => id !== runId) : [...current, runId]));

  if (runs.length === 0) {
    return (
      <p className="panel">
        No runs yet. <Link href="/runs/new">Launch the first run</Link>.
      </p>
    );
  }

  return (
    <>
      <div className="toolbar">
        <button
          type="button"
          disabled={selected.length < 2}
          onClick={() => router.push(`/compare?runs=${selected.join(",")}`)}
          data-testid="compare-selected"
        >
          Compare selected ({selected.length})
        </button>
        <span className="muted">{anyActive(runs) ? "Refreshing every 2 s while runs are active." : ""}</span>
        <span className="spacer" />
        <Link className="button" href="/runs/new">New run</Link>
      </div>
      {error ? <p className="error-text">Refresh failed: {error}</p> : null}
      <div className="table-wrap">
        <table data-testid="runs-table">
          <thead>
            <tr>
              <th><span className="visually-hidden">Select</span></th>
              <th>Run</th>
              <th>Dataset</th>
              <th>Strategy</th>
              <th>Status</th>
              <th>Progress</th>
              <th className="num">Best valid BLEU</th>
              <th className="num">Test BLEU</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.id} data-testid={`run-row-${run.id}`}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select run ${run.id} for comparison`}
                    checked={selected.includes(run.id)}
                    onChange={() => toggle(run.id)}
                  />
                </td>
                <td><Link href={`/runs/${run.id}`}>#{run.id}</Link></td>
                <td>{run.datasetName}</td>
                <td>
                  {run.strategy}
                  <div className="muted">{formatParams(run.config.strategyParams)} · seed {run.seed}</div>
                </td>
                <td><StatusBadge status={run.status} testId={`run-status-${run.id}`} /></td>
                <td><ProgressBar fraction={run.progress} label={`Progress of run ${run.id}`} /></td>
                <td className="num">{formatNumber(run.bestValidBleu)}</td>
                <td className="num">{formatNumber(run.testBleu)}</td>
                <td>{formatTimestamp(run.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

"use client";

import type { RunDetail } from "../../lib/queries/get-run-detail";
import type { NoisySamplePage } from "../../lib/queries/list-noisy-samples";
import { formatNumber } from "../shared/format";
import { ProgressBar } from "../shared/progress-bar";
import { isActiveStatus } from "../shared/run-status";
import { StatusBadge } from "../shared/status-badge";
import { usePolledJson } from "../shared/use-polled-json";
import { CancelButton } from "./cancel-button";
import { EpochMetricsTable } from "./epoch-metrics-table";
import { NoisySamplesTable } from "./noisy-samples-table";
import { RunCharts } from "./run-charts";
import { RunFacts } from "./run-facts";
import { TryItBox } from "./try-it-box";

const POLL_INTERVAL_MS = 2000;

function TestScores({ run }: { run: RunDetail }) {
  if (run.testBleu === null && run.testChrf === null) return null;
  return (
    <div className="scores panel" data-testid="test-scores">
      <div className="score">
        <div className="value" data-testid="test-bleu">{formatNumber(run.testBleu)}</div>
        <div className="label">Test BLEU (beam search)</div>
      </div>
      <div className="score">
        <div className="value" data-testid="test-chrf">{formatNumber(run.testChrf)}</div>
        <div className="label">Test chrF</div>
      </div>
      <div className="score">
        <div className="value">{formatNumber(run.bestValidBleu)}</div>
        <div className="label">Best valid BLEU</div>
      </div>
    </div>
  );
}

/** Returns the epoch of the checkpoint a completed or running run translates with; null when it cannot translate. */
function translatableCheckpointEpoch(run: RunDetail): number | null {
  return run.status === "completed" || run.status === "running" ? run.latestCheckpointEpoch : null;
}

/** Renders the run page body, polling the run every 2 s while it is queued or running. */
export function RunView({ initialRun, initialSamples }: { initialRun: RunDetail; initialSamples: NoisySamplePage }) {
  const { data, error, refresh } = usePolledJson<{ run: RunDetail }>(`/api/runs/${initialRun.id}`, {
    initial: { run: initialRun },
    intervalMs: POLL_INTERVAL_MS,
    pollWhile: (current) => isActiveStatus(current.run.status),
  });
  const run = data.run;
  const active = isActiveStatus(run.status);
  const checkpointEpoch = translatableCheckpointEpoch(run);

  return (
    <>
      <div className="toolbar">
        <h1 style={{ margin: 0 }}>Run #{run.id}</h1>
        <StatusBadge status={run.status} testId="run-status" />
        <ProgressBar fraction={run.progress} label="Training progress" />
        {run.cancelRequested && active ? <span className="muted">cancel requested</span> : null}
        <span className="spacer" />
        {active ? <CancelButton runId={run.id} onDone={() => void refresh()} /> : null}
      </div>
      {error ? <p className="error-text">Refresh failed: {error}</p> : null}
      {run.error ? (
        <p className="panel error-text" data-testid="run-error">
          <strong>Error:</strong> {run.error}
        </p>
      ) : null}

      <section className="panel">
        <RunFacts run={run} />
      </section>
      <TestScores run={run} />
      {checkpointEpoch !== null ? (
        <>
          <h2>Try it</h2>
          <TryItBox runId={run.id} checkpointEpoch={checkpointEpoch} />
        </>
      ) : null}

      <h2>Metrics per epoch</h2>
      <RunCharts epochs={run.epochs} active={active} />
      <div style={{ marginTop: "1rem" }}>
        <EpochMetricsTable epochs={run.epochs} />
      </div>

      <h2>Noisy training pairs</h2>
      <p className="muted">Weight and loss from the latest epoch this run traced; dropped pairs are greyed out.</p>
      <NoisySamplesTable runId={run.id} initialPage={initialSamples} refreshKey={`${run.status}:${run.epochs.length}`} />
    </>
  );
}

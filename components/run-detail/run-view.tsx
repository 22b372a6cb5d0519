"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, type ReactNode } from "react";
import type { RunDetail } from "../../lib/queries/get-run-detail";
import { formatNumber } from "../shared/format";
import { ProgressBar } from "../shared/progress-bar";
import { isActiveStatus } from "../shared/run-status";
import { StatusBadge } from "../shared/status-badge";
import { usePolledJson } from "../shared/use-polled-json";
import { CancelButton } from "./cancel-button";
import { EpochMetricsTable } from "./epoch-metrics-table";
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

export type RunTab = "overview" | "samples";

function TabBar({ runId, tab }: { runId: number; tab: RunTab }) {
  return (
    <nav className="tabs" aria-label="Run page sections">
      <Link href={`/runs/${runId}`} aria-current={tab === "overview" ? "page" : undefined}>Overview</Link>
      <Link href={`/runs/${runId}?tab=samples`} aria-current={tab === "samples" ? "page" : undefined} data-testid="samples-tab-link">
        Samples
      </Link>
    </nav>
  );
}

/**
 * Reloads the server-rendered samples tab when the run finishes another epoch, so its traces and
 * histogram follow the training.
 */
function useRefreshOnNewEpoch(refreshKey: string, enabled: boolean): void {
  const router = useRouter();
  const shownKey = useRef(refreshKey);
  useEffect(() => {
    if (!enabled || shownKey.current === refreshKey) return;
    shownKey.current = refreshKey;
    router.refresh();
  }, [enabled, refreshKey, router]);
}

/**
 * Renders the run page body, polling the run every 2 s while it is queued or running. The
 * overview tab shows metrics and the Try-it box; the samples tab shows `children`, which the
 * server renders for the query in the URL.
 */
export function RunView({ initialRun, tab, children }: { initialRun: RunDetail; tab: RunTab; children?: ReactNode }) {
  const { data, error, refresh } = usePolledJson<{ run: RunDetail }>(`/api/runs/${initialRun.id}`, {
    initial: { run: initialRun },
    intervalMs: POLL_INTERVAL_MS,
    pollWhile: (current) => isActiveStatus(current.run.status),
  });
  const run = data.run;
  const active = isActiveStatus(run.status);
  const checkpointEpoch = translatableCheckpointEpoch(run);
  useRefreshOnNewEpoch(`${run.status}:${run.epochs.length}`, tab === "samples");

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
      <TabBar runId={run.id} tab={tab} />
      {tab === "samples" ? children : <OverviewTab run={run} active={active} checkpointEpoch={checkpointEpoch} />}
    </>
  );
}

function OverviewTab({ run, active, checkpointEpoch }: { run: RunDetail; active: boolean; checkpointEpoch: number | null }) {
  return (
    <>
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
    </>
  );
}

import type { RunProgress } from "./run-report";

const FINISHED = new Set(["completed", "failed", "cancelled"]);

/** Formats a duration in seconds as "45 s", "12 min" or "3 h 05 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** Share of the study's training done: finished runs count whole, the others by their progress. */
function trainedShare(runs: RunProgress[]): number {
  const done = runs.reduce((sum, run) => sum + (FINISHED.has(run.status) ? 1 : run.progress), 0);
  return runs.length === 0 ? 1 : done / runs.length;
}

/**
 * Returns a progress formatter for waitForRuns: runs done out of `total`, the share of training
 * done and an ETA. The ETA extrapolates the rate of training since this formatter first saw the
 * runs, so runs finished by an earlier command do not shorten it. Its line changes only when a
 * run changes status or the share done passes a whole percent, so that a long study prints a few
 * hundred lines rather than one per poll.
 *
 * NOTE: a run's progress counts training steps only, so the ETA leaves out the final beam-search
 * decoding of the test set.
 */
export function createStudyProgress(total: number, now: () => number = Date.now): (runs: RunProgress[]) => string {
  let start: { at: number; share: number } | undefined;
  let lastKey = "";
  let lastLine = "";
  return (runs) => {
    const share = trainedShare(runs);
    start ??= { at: now(), share };
    const count = (status: string) => runs.filter((run) => run.status === status).length;
    const done = runs.filter((run) => FINISHED.has(run.status)).length;
    const key = `${runs.map((run) => run.status).join(",")}|${Math.floor(share * 100)}`;
    if (key === lastKey) return lastLine;

    const elapsedSeconds = (now() - start.at) / 1000;
    const gained = share - start.share;
    const eta = gained > 0 && elapsedSeconds > 0 ? `ETA ${formatDuration(((1 - share) * elapsedSeconds) / gained)}` : "ETA unknown until training progresses";
    const failed = count("failed") + count("cancelled");
    const failedText = failed > 0 ? ` (${failed} failed or cancelled)` : "";
    lastKey = key;
    lastLine = `progress: ${done}/${total} runs done${failedText}, ${count("running")} running, ${count("queued")} queued; ${Math.floor(share * 100)}% of training; ${eta}`;
    return lastLine;
  };
}

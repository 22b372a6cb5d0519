import type { Worker } from "bullmq";

/** Returns a function that lists the run ids whose jobs `worker` is processing, kept from its events. */
export function trackActiveRuns(worker: Worker): () => number[] {
  const activeRuns = new Map<string, number>();
  const forget = (job: { id?: string } | undefined) => {
    if (job?.id) activeRuns.delete(job.id);
  };
  worker.on("active", (job) => {
    if (job.id) activeRuns.set(job.id, job.data.runId);
  });
  worker.on("completed", forget);
  worker.on("failed", forget);
  return () => [...activeRuns.values()];
}

/**
 * Stops a training worker without waiting for the runs it trains, which can take hours. The
 * worker takes no new job, then its Redis connections are closed before its training processes
 * end. BullMQ therefore cannot move their jobs to failed or completed: each job stays active
 * until its lock expires (WINNOW_LOCK_DURATION_MS), and another worker's stalled check puts it
 * back in the queue, so that worker resumes the run from its newest checkpoint.
 *
 * The training processes stop when this process exits, because processor.ts exits once its IPC
 * channel to the worker closes. BullMQ's own `close(true)` is not used: it ends them with SIGTERM
 * while the worker is still connected to Redis, so BullMQ would fail their jobs and the runs.
 */
export async function stopTrainingWorker(worker: Worker): Promise<void> {
  // doNotWaitActive: stop fetching jobs without waiting for the active ones to finish.
  await worker.pause(true);
  await worker.disconnect();
}

import type { Job } from "bullmq";
import { prisma } from "../lib/db";
import { runJobSchema } from "../lib/queue";

/** Reason BullMQ 6.7 gives when it fails a job that stalled more than `maxStalledCount` times. */
const STALLED_LIMIT_REASON = "job stalled more than allowable limit";

/** Returns the run error for a training job that BullMQ failed, naming the cause in plain words. */
export function describeJobFailure(error: Error, maxStalledCount: number): string {
  if (error.message.includes(STALLED_LIMIT_REASON)) {
    return `training was interrupted more than ${maxStalledCount} times (a worker died or was stopped), so BullMQ failed its job: ${error.message}`;
  }
  return `the training process failed: ${error.message}`;
}

/**
 * Marks the run of a training job that BullMQ failed as failed with the job's reason, when the
 * run is still queued or running. A processor that throws records the failure before it
 * rethrows, so this changes only runs whose job BullMQ failed in the worker process: a job that
 * stalled more than `maxStalledCount` times, or one whose training process died (killed for its
 * memory use, say), which BullMQ reports as "Unexpected exit code", "Channel closed" or EPIPE.
 * Returns whether a run was marked failed.
 */
export async function recordJobFailure(job: Job | undefined, error: Error, maxStalledCount: number): Promise<boolean> {
  const payload = runJobSchema.safeParse(job?.data);
  if (!payload.success) return false;
  const updated = await prisma().run.updateMany({
    where: { id: payload.data.runId, status: { in: ["queued", "running"] } },
    data: { status: "failed", error: describeJobFailure(error, maxStalledCount), finishedAt: new Date() },
  });
  return updated.count === 1;
}

import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "bullmq";
import { env } from "../lib/env";
import { moduleLogger } from "../lib/logger";
import { redisConnection, translateQueueName } from "../lib/queue";
import { recordJobFailure } from "./record-job-failure";

const log = moduleLogger("worker");

/**
 * Times a run's job may be taken back from a dead worker before BullMQ fails it as stalled.
 * BullMQ's default of 1 would fail a run on its second worker crash or preemption. A run resumes
 * from its newest checkpoint, so each stall costs at most one epoch, and a few are worth allowing.
 * A run that kills its worker every time (out of memory, say) still fails after this many.
 */
export const MAX_STALLED_COUNT = 3;

/**
 * Options of the processes BullMQ forks for jobs. They load processor.ts, so they need tsx whatever
 * started this process, and exit-with-worker.ts, so that none outlives this process.
 */
const SANDBOX_FORK_OPTIONS = {
  execArgv: ["--import", "tsx", "--import", pathToFileURL(path.resolve(import.meta.dirname, "exit-with-worker.ts")).href],
};

/** Starts a BullMQ worker that trains runs from WINNOW_QUEUE, each in its own child process. */
export function startWorker(): Worker {
  const processorFile = path.resolve(import.meta.dirname, "processor.ts");
  const worker = new Worker(env().WINNOW_QUEUE, processorFile, {
    connection: redisConnection(),
    concurrency: env().WINNOW_WORKER_CONCURRENCY,
    // The parent process renews the lock every half of WINNOW_LOCK_DURATION_MS while the child
    // trains, so only a dead or frozen worker lets it expire. A stalled-job check every half
    // lock duration then puts the job back in the queue, and a worker resumes it.
    lockDuration: env().WINNOW_LOCK_DURATION_MS,
    stalledInterval: Math.round(env().WINNOW_LOCK_DURATION_MS / 2),
    maxStalledCount: MAX_STALLED_COUNT,
    useWorkerThreads: false,
    workerForkOptions: SANDBOX_FORK_OPTIONS,
  });
  worker.on("active", (job) => log.info({ runId: job.data.runId, jobId: job.id }, "job active"));
  worker.on("failed", (job, error) => {
    log.error({ runId: job?.data.runId, jobId: job?.id, err: error }, "job failed");
    recordJobFailure(job, error, MAX_STALLED_COUNT).then(
      (marked) => {
        if (marked) log.error({ runId: job?.data.runId, reason: error.message }, "run failed");
      },
      (writeError: unknown) => log.error({ runId: job?.data.runId, err: writeError }, "could not mark the run of a failed job as failed"),
    );
  });
  worker.on("error", (error) => log.error({ err: error }, "worker error"));
  return worker;
}

/** Translate jobs one worker runs at a time: one sandboxed child, so one model cache. */
const TRANSLATE_CONCURRENCY = 1;

/**
 * Starts a BullMQ worker for translate requests (the `<WINNOW_QUEUE>-translate` queue). Like
 * training, each job runs in a sandboxed child process, so decoding never blocks this event
 * loop, which renews the locks of the runs being trained. BullMQ 6.7 returns the child to its
 * pool after a job and reuses it for the next, so its model cache keeps recently used
 * checkpoints loaded between requests. A child that exits takes its cache with it.
 */
export function startTranslateWorker(): Worker {
  const processorFile = path.resolve(import.meta.dirname, "translate-processor.ts");
  const worker = new Worker(translateQueueName(), processorFile, {
    connection: redisConnection(),
    concurrency: TRANSLATE_CONCURRENCY,
    useWorkerThreads: false,
    workerForkOptions: SANDBOX_FORK_OPTIONS,
  });
  worker.on("failed", (job, error) => log.error({ runId: job?.data.runId, jobId: job?.id, err: error }, "translate job failed"));
  worker.on("error", (error) => log.error({ err: error }, "translate worker error"));
  return worker;
}

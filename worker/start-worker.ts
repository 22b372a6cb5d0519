import path from "node:path";
import { Worker } from "bullmq";
import { env } from "../lib/env";
import { moduleLogger } from "../lib/logger";
import { redisConnection } from "../lib/queue";

const log = moduleLogger("worker");

/**
 * How long a job's lock lasts without renewal. The parent process renews it every half of this
 * while the child process trains, so only a dead or frozen worker lets it expire.
 */
const LOCK_DURATION_MS = 60_000;

/** Starts a BullMQ worker that trains runs from WINNOW_QUEUE, each in its own child process. */
export function startWorker(): Worker {
  const processorFile = path.resolve(import.meta.dirname, "processor.ts");
  const worker = new Worker(env().WINNOW_QUEUE, processorFile, {
    connection: redisConnection(),
    concurrency: env().WINNOW_WORKER_CONCURRENCY,
    lockDuration: LOCK_DURATION_MS,
    useWorkerThreads: false,
    // The child loads processor.ts, so it needs tsx whatever started this process.
    workerForkOptions: { execArgv: ["--import", "tsx"] },
  });
  worker.on("active", (job) => log.info({ runId: job.data.runId, jobId: job.id }, "job active"));
  worker.on("failed", (job, error) => log.error({ runId: job?.data.runId, jobId: job?.id, err: error }, "job failed"));
  worker.on("error", (error) => log.error({ err: error }, "worker error"));
  return worker;
}

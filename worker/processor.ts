import type { SandboxedJob } from "bullmq";
import { closeDatabase, prisma } from "../lib/db";
import { moduleLogger } from "../lib/logger";
import { runJobSchema } from "../lib/queue";
import { parseRunConfig } from "../lib/run-config";
import { latestCheckpoint } from "./engine/checkpoint";
import { trainModel } from "./engine/train-model";
import { CancelledError } from "./engine/cancelled-error";
import type { TrainOptions } from "./engine/types";
import { runCheckpointDir, storeCheckpoint } from "./run-checkpoints";
import { loadRunData, recordCheckpoint, writeCompletion, writeEpoch, writeMetrics } from "./run-store";

const log = moduleLogger("processor");

/** How often a running run re-reads its cancel flag from Postgres, in milliseconds. */
const CANCEL_POLL_MS = 2000;
/** How often training progress is written to the job and the Run row, in milliseconds. */
const PROGRESS_WRITE_MS = 2000;
/** How long a training process whose send failed with EPIPE waits for the channel's "disconnect" event, in milliseconds. */
const DISCONNECT_WAIT_MS = 1000;

/**
 * Trains one run. BullMQ runs this file in a child process of the worker, so a long training
 * step never blocks the event loop that renews the job's lock. A job that BullMQ runs again
 * after its worker died resumes from the run's newest checkpoint.
 */
export default async function processRun(job: SandboxedJob): Promise<{ runId: number; status: string }> {
  const { runId } = runJobSchema.parse(job.data);
  try {
    const status = await trainRun(job, runId);
    return { runId, status };
  } finally {
    await closeDatabase();
  }
}

async function trainRun(job: SandboxedJob, runId: number): Promise<string> {
  const run = await claimRun(runId);
  if (!run) {
    log.info({ runId }, "run skipped: cancelled or not found");
    return "skipped";
  }
  const config = parseRunConfig(run.config);
  const runDir = runCheckpointDir({ id: runId, createdAt: run.createdAt });
  log.info({ runId, strategy: config.strategy, preset: config.preset, seed: config.seed }, "run started");

  try {
    const data = await loadRunData(config.datasetId);
    const resumeFrom = await latestCheckpoint(runDir);
    const result = await trainModel({
      config,
      data,
      checkpoints: { dir: runDir, resumeFrom: resumeFrom?.path },
      onEpoch: async (report) => {
        await writeEpoch(runId, config.epochs, report);
        log.info({ runId, epoch: report.epoch, trainLoss: report.trainLoss, validBleu: report.validBleu }, "epoch done");
      },
      onCheckpoint: async (checkpoint) => {
        const removed = await storeCheckpoint({ runId, runDir, checkpoint, finalEpoch: config.epochs });
        log.info({ runId, epoch: checkpoint.epoch, path: checkpoint.path, removedEpochs: removed.map((entry) => entry.epoch) }, "checkpoint written");
      },
      onResume: resumeRecorder(runId),
      onProgress: progressReporter(job, runId),
      shouldStop: cancelChecker(runId),
      onBackend: async ({ backend, device, skipped }) => {
        await prisma().run.update({ where: { id: runId }, data: { backend, device } });
        log.info({ runId, backend, device, skipped }, "backend selected");
      },
    });
    await writeCompletion(runId, config.epochs, result);
    log.info({ runId, testBleu: result.testBleu, testChrf: result.testChrf, backend: result.backend }, "run completed");
    return "completed";
  } catch (error) {
    return recordFailure(runId, error);
  }
}

/**
 * Marks a queued run running; returns undefined when it was cancelled before it started. A run
 * that is already running (its job runs again after a worker died) keeps its first start time.
 */
async function claimRun(runId: number) {
  const claimed = await prisma().run.updateMany({
    where: { id: runId, status: { in: ["queued", "running"] }, cancelRequested: false },
    data: { status: "running", error: null },
  });
  if (claimed.count === 0) {
    await prisma().run.updateMany({
      where: { id: runId, status: { in: ["queued", "running"] } },
      data: { status: "cancelled", finishedAt: new Date() },
    });
    return undefined;
  }
  await prisma().run.updateMany({ where: { id: runId, startedAt: null }, data: { startedAt: new Date() } });
  return prisma().run.findUniqueOrThrow({ where: { id: runId }, select: { config: true, createdAt: true } });
}

/**
 * Returns the callback for a resumed run: it records the checkpoint's row (the worker may have
 * died between writing the folder and its row) and a `resumed_from_epoch` metric, whose value is
 * the epoch training continues after.
 */
function resumeRecorder(runId: number): NonNullable<TrainOptions["onResume"]> {
  return async ({ epoch, step, path }) => {
    await recordCheckpoint(runId, epoch, path);
    await writeMetrics(runId, epoch, step, { resumed_from_epoch: epoch });
    log.info({ runId, epoch, step, path }, "run resumed from checkpoint");
  };
}

/**
 * Returns whether the worker process above this one is gone, which `error` may be a sign of. A
 * send to a worker that just died fails with EPIPE before the channel's "disconnect" event
 * arrives, so after an EPIPE this waits up to DISCONNECT_WAIT_MS for that event, on which
 * exit-with-worker.ts ends this process.
 */
async function isWorkerGone(error: unknown): Promise<boolean> {
  // A process started without an IPC channel (no `process.send`) has no worker to lose.
  if (process.send === undefined) return false;
  if (process.connected && (error as NodeJS.ErrnoException | undefined)?.code === "EPIPE") {
    await new Promise((resolve) => setTimeout(resolve, DISCONNECT_WAIT_MS));
  }
  return !process.connected;
}

async function recordFailure(runId: number, error: unknown): Promise<string> {
  if (await isWorkerGone(error)) {
    // The worker stopped or died, which does not fail the run: another worker resumes it.
    log.warn({ runId, err: error }, "worker process gone; stopping this training process and leaving the run to be resumed");
    process.exit(1);
  }
  if (error instanceof CancelledError) {
    await prisma().run.update({ where: { id: runId }, data: { status: "cancelled", finishedAt: new Date() } });
    log.info({ runId }, "run cancelled");
    return "cancelled";
  }
  const message = error instanceof Error ? error.message : String(error);
  await prisma().run.update({
    where: { id: runId },
    data: { status: "failed", error: message, finishedAt: new Date() },
  });
  log.error({ runId, err: error }, "run failed");
  throw error;
}

/** Returns a progress callback that updates the job and the Run row at most every PROGRESS_WRITE_MS. */
function progressReporter(job: SandboxedJob, runId: number): (fraction: number) => Promise<void> {
  let writtenAt = 0;
  return async (fraction) => {
    if (Date.now() - writtenAt < PROGRESS_WRITE_MS) return;
    writtenAt = Date.now();
    await job.updateProgress(Math.round(fraction * 1000) / 10);
    await prisma().run.update({ where: { id: runId }, data: { progress: fraction } });
  };
}

/** Returns a check for the run's cancel flag that reads Postgres at most every CANCEL_POLL_MS. */
function cancelChecker(runId: number): () => Promise<boolean> {
  let checkedAt = 0;
  let cancelled = false;
  return async () => {
    if (cancelled || Date.now() - checkedAt < CANCEL_POLL_MS) return cancelled;
    checkedAt = Date.now();
    const run = await prisma().run.findUnique({ where: { id: runId }, select: { cancelRequested: true } });
    cancelled = run?.cancelRequested ?? true;
    return cancelled;
  };
}

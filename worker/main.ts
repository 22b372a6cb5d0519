import { closeDatabase } from "../lib/db";
import { env } from "../lib/env";
import { exitWithError } from "../lib/exit-with-error";
import { moduleLogger } from "../lib/logger";
import { translateQueueName } from "../lib/queue";
import { startTranslateWorker, startWorker } from "./start-worker";
import { stopTrainingWorker, trackActiveRuns } from "./stop-training-worker";

const log = moduleLogger("worker");

// Entry point of `npm run worker`: trains runs and processes translate requests until SIGINT or
// SIGTERM. Stopping does not wait for training: the runs stay running and another worker
// resumes them from their newest checkpoint.
try {
  env();
} catch (error) {
  exitWithError("worker", error);
}
const worker = startWorker();
const activeRunIds = trackActiveRuns(worker);
const translateWorker = startTranslateWorker();
await Promise.all([worker.waitUntilReady(), translateWorker.waitUntilReady()]);
log.info(
  { queue: env().WINNOW_QUEUE, translateQueue: translateQueueName(), concurrency: env().WINNOW_WORKER_CONCURRENCY },
  "worker ready",
);

/** Runs one shutdown step, logging its failure so that the next steps still run. */
async function runStep(name: string, step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error) {
    log.error({ err: error, step: name }, "worker shutdown step failed");
  }
}

let stopping = false;

async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    log.warn({ signal }, "worker exiting at once on a second signal");
    process.exit(1);
  }
  stopping = true;
  log.info(
    { signal, runIds: activeRunIds(), lockDurationMs: env().WINNOW_LOCK_DURATION_MS },
    "worker stopping without waiting for training: its runs stay running, and another worker resumes them from their newest checkpoint once their job lock expires",
  );
  await runStep("stop the training worker", () => stopTrainingWorker(worker));
  // Translate jobs take seconds, and BullMQ's child finishes the current one on SIGTERM.
  await runStep("close the translate worker", () => translateWorker.close(true));
  await runStep("close the database", () => closeDatabase());
  process.exit(0);
}
process.on("SIGINT", (signal) => void stop(signal));
process.on("SIGTERM", (signal) => void stop(signal));

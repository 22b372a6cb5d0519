import { env } from "../lib/env";
import { moduleLogger } from "../lib/logger";
import { translateQueueName } from "../lib/queue";
import { startTranslateWorker, startWorker } from "./start-worker";

const log = moduleLogger("worker");

// Entry point of `npm run worker`: trains runs and processes translate requests until SIGINT or
// SIGTERM, then finishes cleanly.
const worker = startWorker();
const translateWorker = startTranslateWorker();
await Promise.all([worker.waitUntilReady(), translateWorker.waitUntilReady()]);
log.info(
  { queue: env().WINNOW_QUEUE, translateQueue: translateQueueName(), concurrency: env().WINNOW_WORKER_CONCURRENCY },
  "worker ready",
);

async function stop(signal: string): Promise<void> {
  log.info({ signal }, "worker stopping");
  // One try per worker, so a failure to close one still closes the other.
  for (const [name, current] of [["training", worker], ["translate", translateWorker]] as const) {
    try {
      await current.close();
    } catch (error) {
      log.error({ err: error, worker: name }, "worker close failed");
    }
  }
  process.exit(0);
}
process.once("SIGINT", () => void stop("SIGINT"));
process.once("SIGTERM", () => void stop("SIGTERM"));

import { env } from "../lib/env";
import { moduleLogger } from "../lib/logger";
import { startWorker } from "./start-worker";

const log = moduleLogger("worker");

// Entry point of `npm run worker`: trains runs until SIGINT or SIGTERM, then finishes cleanly.
const worker = startWorker();
await worker.waitUntilReady();
log.info({ queue: env().WINNOW_QUEUE, concurrency: env().WINNOW_WORKER_CONCURRENCY }, "worker ready");

async function stop(signal: string): Promise<void> {
  log.info({ signal }, "worker stopping");
  try {
    await worker.close();
  } catch (error) {
    log.error({ err: error }, "worker close failed");
  } finally {
    process.exit(0);
  }
}
process.once("SIGINT", () => void stop("SIGINT"));
process.once("SIGTERM", () => void stop("SIGTERM"));

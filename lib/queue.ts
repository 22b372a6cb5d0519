import { Queue, QueueEvents, type ConnectionOptions } from "bullmq";
import { z } from "zod";
import { env } from "./env";
import { WinnowError } from "./errors";
import {
  type TranslateJob,
  translateJobResultSchema,
  translateJobSchema,
  type TranslateRequest,
  type Translations,
} from "./translate-request";

/** The payload of a training job: the run's id. Everything else is read from Postgres. */
export const runJobSchema = z.object({ runId: z.number().int().positive() }).strict();
export type RunJob = z.infer<typeof runJobSchema>;

/** Redis connection options for BullMQ, parsed from REDIS_URL. */
export function redisConnection(): ConnectionOptions {
  const url = new URL(env().REDIS_URL);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username || undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    // BullMQ workers block on Redis; it requires this to be null.
    maxRetriesPerRequest: null,
  };
}

const holder = globalThis as typeof globalThis & {
  winnowQueues?: Map<string, Queue>;
  winnowQueueEvents?: Map<string, QueueEvents>;
};

/** The queue runs are sent to (WINNOW_QUEUE, default "runs"), opened once per process. */
export function runQueue(name = env().WINNOW_QUEUE): Queue {
  holder.winnowQueues ??= new Map();
  let queue = holder.winnowQueues.get(name);
  if (!queue) {
    queue = new Queue(name, { connection: redisConnection() });
    holder.winnowQueues.set(name, queue);
  }
  return queue;
}

/**
 * Returns the id of a run's training job: the run id and the run's creation time. Queueing the
 * same run twice is then a no-op. A run with a reused id (a database that was dropped and
 * created again on the same Redis) still gets a job of its own.
 */
export function runJobId(run: { id: number; createdAt: Date }): string {
  return `run-${run.id}-${run.createdAt.getTime()}`;
}

/**
 * Adds the training job of a run, with the id from `runJobId`.
 * A failed job is not retried by BullMQ: the run row records the failure and a user relaunches.
 */
export async function enqueueRun(run: { id: number; createdAt: Date }, queueName?: string): Promise<void> {
  const payload: RunJob = runJobSchema.parse({ runId: run.id });
  await runQueue(queueName).add("train", payload, {
    jobId: runJobId(run),
    attempts: 1,
    removeOnComplete: 1000,
    removeOnFail: 1000,
  });
}

/**
 * Returns whether a worker holds the training job of a run: the job is active and its lock
 * exists. A worker renews the lock while it trains, so the lock of a dead worker's job expires
 * after WINNOW_LOCK_DURATION_MS, although the job stays active until another worker's stalled
 * check moves it back to the queue. A job that is waiting, failed, completed or gone is not held.
 */
export async function isRunJobHeld(run: { id: number; createdAt: Date }, queueName?: string): Promise<boolean> {
  const queue = runQueue(queueName);
  const jobId = runJobId(run);
  if ((await queue.getJobState(jobId)) !== "active") return false;
  // BullMQ 6.7 keeps a job's lock at "<job key>:lock" (its prepareJobForProcessing script).
  const client = await queue.getBackend().client;
  return (await client.get(`${queue.toKey(jobId)}:lock`)) !== null;
}

/**
 * Name of the queue of translate requests: WINNOW_QUEUE with "-translate" appended, so it sits
 * beside the runs queue of the same deployment.
 */
export function translateQueueName(runQueueName = env().WINNOW_QUEUE): string {
  return `${runQueueName}-translate`;
}

/** Event listener of a queue, opened once per process; it holds a blocking Redis connection. */
function queueEvents(name: string): QueueEvents {
  holder.winnowQueueEvents ??= new Map();
  let events = holder.winnowQueueEvents.get(name);
  if (!events) {
    events = new QueueEvents(name, { connection: redisConnection() });
    holder.winnowQueueEvents.set(name, events);
  }
  return events;
}

/**
 * Sends a translate request for a run to the translate queue and waits for a worker's result
 * (WINNOW_TRANSLATE_TIMEOUT_MS unless `timeoutMs` is given). Throws a WinnowError naming the run:
 * the worker's own code for an expected failure such as a run without a checkpoint,
 * "unavailable" when no worker returned a result in time, and "internal" when the job failed.
 */
export async function requestTranslation(
  runId: number,
  request: TranslateRequest,
  options: { timeoutMs?: number } = {},
): Promise<Translations> {
  const timeoutMs = options.timeoutMs ?? env().WINNOW_TRANSLATE_TIMEOUT_MS;
  const name = translateQueueName();
  const events = queueEvents(name);
  await events.waitUntilReady();

  const payload: TranslateJob = translateJobSchema.parse({ ...request, runId, expiresAt: Date.now() + timeoutMs });
  const job = await runQueue(name).add("translate", payload, { attempts: 1, removeOnComplete: 100, removeOnFail: 100 });
  const startedAt = Date.now();
  let returned: unknown;
  try {
    returned = await job.waitUntilFinished(events, timeoutMs);
  } catch (error) {
    if (Date.now() - startedAt >= timeoutMs) {
      // Removal fails when a worker has just taken the job; it then skips it as expired.
      await job.remove().catch(() => undefined);
      throw new WinnowError(
        "unavailable",
        `translation for run ${runId} timed out after ${timeoutMs} ms: no worker processed it on queue ${name}; check that a worker is running (npm run worker)`,
        { cause: error },
      );
    }
    throw new WinnowError("internal", `translation for run ${runId} failed: ${(error as Error).message}`, { cause: error });
  }

  const result = translateJobResultSchema.parse(returned);
  if (!result.ok) throw new WinnowError(result.error.code, result.error.message);
  return result.result;
}

export async function closeQueues(): Promise<void> {
  const queues = [...(holder.winnowQueues?.values() ?? [])];
  const events = [...(holder.winnowQueueEvents?.values() ?? [])];
  holder.winnowQueues = undefined;
  holder.winnowQueueEvents = undefined;
  for (const queue of queues) {
    await queue.close();
  }
  for (const listener of events) {
    await listener.close();
  }
}

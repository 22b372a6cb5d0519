import { Queue, type ConnectionOptions } from "bullmq";
import { z } from "zod";
import { env } from "./env";

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

const holder = globalThis as typeof globalThis & { winnowQueues?: Map<string, Queue> };

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
 * Adds the training job of a run. The job id joins the run id and the run's creation time, so
 * queueing the same run twice is a no-op, while a run with a reused id (a database that was
 * dropped and created again on the same Redis) still gets a job of its own.
 * A failed job is not retried by BullMQ: the run row records the failure and a user relaunches.
 */
export async function enqueueRun(run: { id: number; createdAt: Date }, queueName?: string): Promise<void> {
  const payload: RunJob = runJobSchema.parse({ runId: run.id });
  await runQueue(queueName).add("train", payload, {
    jobId: `run-${run.id}-${run.createdAt.getTime()}`,
    attempts: 1,
    removeOnComplete: 1000,
    removeOnFail: 1000,
  });
}

export async function closeQueues(): Promise<void> {
  const queues = [...(holder.winnowQueues?.values() ?? [])];
  holder.winnowQueues = undefined;
  for (const queue of queues) {
    await queue.close();
  }
}

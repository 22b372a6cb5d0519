import path from "node:path";
import { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildMulti30kRecipe } from "../../lib/datasets/multi30k-recipe";
import { storeDataset } from "../../lib/datasets/store-dataset";
import { prisma } from "../../lib/db";
import { resetEnv } from "../../lib/env";
import { redisConnection, runJobId, runQueue } from "../../lib/queue";
import { createRun } from "../../lib/runs";
import { startWorkerProcess, type ManagedProcess } from "../../scripts/lib/processes";
import { MAX_STALLED_COUNT } from "../../worker/start-worker";
import { createTestStack, type TestStack } from "../helpers/test-stack";
import { childPids } from "../helpers/process-table";

const MULTI30K_DIR = path.resolve(import.meta.dirname, "../../../shared/data/multi30k");
/** A short lock, so the worker's stalled check runs every second. */
const LOCK_DURATION_MS = 2000;
const RUN_END_TIMEOUT_MS = 30_000;

let stack: TestStack;
let worker: ManagedProcess | undefined;
let datasetId: number;
let stalledRunId: number;

async function waitForStatus(runId: number, expected: string[], timeoutMs: number): Promise<{ status: string; error: string | null }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await prisma().run.findUniqueOrThrow({ where: { id: runId }, select: { status: true, error: true } });
    if (expected.includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} is still ${run.status} after ${timeoutMs} ms, expected ${expected.join(" or ")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Queues a run whose job has already stalled MAX_STALLED_COUNT times, and lets a worker take it
 * and die at once. The job stays active with a lock that expires after one second, as after a
 * worker crash, so the next stalled check counts one stall too many.
 */
async function queueRunAtItsStallLimit(): Promise<number> {
  const run = await createRun({ datasetId, strategy: "uniform", preset: "micro", epochs: 2 });
  const jobId = runJobId({ id: run.id, createdAt: await runCreatedAt(run.id) });
  const queue = runQueue();
  // "stc" is the stall count that BullMQ's stalled check increments on the job's hash.
  await (await queue.getBackend().client).hset(queue.toKey(jobId), { stc: MAX_STALLED_COUNT });

  const deadWorker = new Worker(stack.queueName, null, { connection: redisConnection(), lockDuration: 1000, autorun: false });
  const job = await deadWorker.getNextJob("dead-worker-token");
  expect(job?.data.runId).toBe(run.id);
  await prisma().run.update({ where: { id: run.id }, data: { status: "running", startedAt: new Date() } });
  await deadWorker.close();
  return run.id;
}

async function runCreatedAt(runId: number): Promise<Date> {
  return (await prisma().run.findUniqueOrThrow({ where: { id: runId }, select: { createdAt: true } })).createdAt;
}

beforeAll(async () => {
  stack = await createTestStack("jobfail");
  process.env.WINNOW_LOCK_DURATION_MS = String(LOCK_DURATION_MS);
  resetEnv();
  const pairs = await buildMulti30kRecipe(MULTI30K_DIR, { clean: 100, noisy: 100, valid: 10, test: 10 });
  datasetId = (await storeDataset("jobfail", "multi30k:test", pairs)).id;
  stalledRunId = await queueRunAtItsStallLimit();
  worker = startWorkerProcess({ quiet: true });
});

afterAll(async () => {
  await worker?.stop();
  await stack?.teardown();
});

describe("training job failed by BullMQ", () => {
  describe("when the job stalls more than the allowed count", () => {
    it("marks the run failed with the reason", async () => {
      const run = await waitForStatus(stalledRunId, ["failed", "completed", "cancelled"], RUN_END_TIMEOUT_MS);

      expect(run.status).toBe("failed");
      expect(run.error).toContain("job stalled more than allowable limit");
      expect(run.error).toContain(`more than ${MAX_STALLED_COUNT} times`);
    });
  });

  describe("when the training process is killed", () => {
    it("marks the run failed naming the signal", async () => {
      const runId = (await createRun({ datasetId, strategy: "uniform", preset: "micro", epochs: 200 })).id;
      await waitForStatus(runId, ["running"], 60_000);
      // npm's tsx binary starts node with worker/main.ts, which forks one child per job.
      const tsxPid = worker?.child.pid as number;
      const workerPid = childPids(tsxPid)[0] ?? tsxPid;
      const trainingPids = childPids(workerPid);
      expect(trainingPids.length).toBeGreaterThan(0);

      for (const pid of trainingPids) process.kill(pid, "SIGKILL");
      const run = await waitForStatus(runId, ["failed", "completed", "cancelled"], RUN_END_TIMEOUT_MS);

      expect(run.status).toBe("failed");
      expect(run.error).toContain("the training process failed");
      expect(run.error).toContain("SIGKILL");
      expect(worker?.exitedWith()).toBeUndefined();
    });
  });
});

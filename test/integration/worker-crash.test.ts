import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildMulti30kRecipe } from "../../lib/datasets/multi30k-recipe";
import { storeDataset } from "../../lib/datasets/store-dataset";
import { prisma } from "../../lib/db";
import { createRun } from "../../lib/runs";
import { startWorkerProcess, type ManagedProcess } from "../../scripts/lib/processes";
import { createTestStack, type TestStack } from "../helpers/test-stack";
import { childPids, isAlive } from "../helpers/process-table";

const MULTI30K_DIR = path.resolve(import.meta.dirname, "../../../shared/data/multi30k");

let stack: TestStack;
let worker: ManagedProcess;

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

beforeAll(async () => {
  stack = await createTestStack("crash");
  worker = startWorkerProcess({ quiet: true });
});

afterAll(async () => {
  await worker?.stop();
  await stack?.teardown();
});

describe("worker crash", () => {
  describe("when the worker process is killed during training", () => {
    it("stops the training child too", async () => {
      const pairs = await buildMulti30kRecipe(MULTI30K_DIR, { clean: 100, noisy: 100, valid: 10, test: 10 });
      const datasetId = (await storeDataset("crash", "multi30k:test", pairs)).id;
      const runId = (await createRun({ datasetId, strategy: "uniform", preset: "micro", epochs: 200 })).id;
      await waitUntil(async () => {
        const run = await prisma().run.findUniqueOrThrow({ where: { id: runId }, select: { status: true } });
        return run.status === "running";
      }, 60_000, "the run to start");

      // npm's tsx binary starts node with worker/main.ts, which forks one child per job.
      const tsxPid = worker.child.pid as number;
      const workerPid = childPids(tsxPid)[0] ?? tsxPid;
      const trainingPids = childPids(workerPid);
      expect(trainingPids.length).toBeGreaterThan(0);

      process.kill(workerPid, "SIGKILL");

      await waitUntil(() => trainingPids.every((pid) => !isAlive(pid)), 10_000, `training processes ${trainingPids.join(", ")} to exit`);
      const run = await prisma().run.findUniqueOrThrow({ where: { id: runId }, select: { status: true } });
      expect(run.status).toBe("running");
    });
  });
});

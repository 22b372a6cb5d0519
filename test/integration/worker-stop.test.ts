import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildMulti30kRecipe } from "../../lib/datasets/multi30k-recipe";
import { storeDataset } from "../../lib/datasets/store-dataset";
import { prisma } from "../../lib/db";
import { resetEnv } from "../../lib/env";
import { runQueue } from "../../lib/queue";
import { createRun } from "../../lib/runs";
import { createTestStack, type TestStack } from "../helpers/test-stack";
import { childPids, isAlive } from "../helpers/process-table";

const ROOT = path.resolve(import.meta.dirname, "../..");
const MULTI30K_DIR = path.resolve(ROOT, "../shared/data/multi30k");
/** A short lock, so the stopped worker's job returns to the queue within a few seconds. */
const LOCK_DURATION_MS = 4000;
/** Micro epochs take tenths of a second on a CPU, so the run trains on for seconds after the SIGTERM that follows epoch 1. */
const RUN_EPOCHS = 40;
/** How long a stopping worker may take to exit; closing waits for no training. */
const STOP_LIMIT_MS = 5000;
/** When to stop a worker after it forked a training process, in milliseconds. */
const STARTUP_SIGNAL_DELAYS_MS = [0, 400, 800, 1200, 1600, 2400];

interface WorkerProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

let stack: TestStack;
let datasetId: number;
const workers: WorkerProcess[] = [];

/**
 * Starts worker/main.ts in node with the tsx loader. The tsx command is not used because it
 * relays a signal to its node process and SIGKILLs that process when it does not confirm the
 * signal within about 60 ms. A loaded machine can exceed that, and the worker's own stop never runs.
 */
function startWorker(): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "worker/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "info" },
    // Its own process group, so that the worker and its training processes can be killed at once.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => output.push(...chunk.toString("utf8").split("\n").filter(Boolean));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const worker = { child, output, exited };
  workers.push(worker);
  return worker;
}

async function waitFor<T>(description: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const logs = workers.flatMap((worker) => worker.output.slice(-20)).join("\n");
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}; last worker output:\n${logs}`);
}

async function within<T>(promise: Promise<T>, timeoutMs: number, description: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${description}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function readRun(runId: number) {
  return prisma().run.findUniqueOrThrow({ where: { id: runId }, select: { status: true, error: true } });
}

beforeAll(async () => {
  stack = await createTestStack("stop");
  process.env.WINNOW_LOCK_DURATION_MS = String(LOCK_DURATION_MS);
  resetEnv();
  const pairs = await buildMulti30kRecipe(MULTI30K_DIR, { clean: 100, noisy: 100, valid: 10, test: 10 });
  datasetId = (await storeDataset("stop", "multi30k:test", pairs)).id;
});

/** Kills a worker with its training processes, which share its process group. */
function killGroup(worker: WorkerProcess): void {
  try {
    process.kill(-(worker.child.pid as number), "SIGKILL");
  } catch {
    // The group is gone already.
  }
}

afterAll(async () => {
  for (const worker of workers) killGroup(worker);
  await stack?.teardown();
});

describe("worker stop", () => {
  describe("when the worker gets SIGTERM during a run", () => {
    let runId: number;
    let first: WorkerProcess;
    let trainingPids: number[];
    let exitCode: number | null;
    let stopMs: number;

    beforeAll(async () => {
      first = startWorker();
      runId = (await createRun({ datasetId, strategy: "uniform", preset: "micro", epochs: RUN_EPOCHS })).id;
      await waitFor(`run ${runId} to write its epoch 1 checkpoint`, 60_000, async () =>
        (await prisma().checkpoint.findUnique({ where: { runId_epoch: { runId, epoch: 1 } } })) ?? undefined,
      );
      trainingPids = childPids(first.child.pid as number);

      const sentAt = Date.now();
      first.child.kill("SIGTERM");
      exitCode = await within(first.exited, 60_000, "the worker to exit");
      stopMs = Date.now() - sentAt;
    }, 120_000);

    it("exits within a few seconds", () => {
      expect(stopMs).toBeLessThan(STOP_LIMIT_MS);
      expect(exitCode).toBe(0);
    });

    it("logs that the run resumes later", () => {
      const line = first.output.find((entry) => entry.includes("worker stopping"));

      expect(line).toBeDefined();
      expect(JSON.parse(line as string)).toMatchObject({ signal: "SIGTERM", runIds: [runId] });
    });

    it("stops the training process", async () => {
      expect(trainingPids.length).toBeGreaterThan(0);
      await waitFor(`training processes ${trainingPids.join(", ")} to exit`, STOP_LIMIT_MS, async () =>
        trainingPids.every((pid) => !isAlive(pid)) ? true : undefined,
      );
    });

    it("leaves the run running", async () => {
      // A training process that failed on its broken channel would have written by now.
      await new Promise((resolve) => setTimeout(resolve, 1500));

      expect(await readRun(runId)).toEqual({ status: "running", error: null });
    });

    it("lets the next worker finish the run", async () => {
      startWorker();
      const run = await waitFor(`run ${runId} to finish`, 90_000, async () => {
        const current = await readRun(runId);
        return ["completed", "failed", "cancelled"].includes(current.status) ? current : undefined;
      });
      const resumed = await prisma().metric.findMany({ where: { runId, name: "resumed_from_epoch" }, select: { value: true } });

      expect(run.error, workers.at(-1)?.output.slice(-10).join("\n")).toBeNull();
      expect(run.status).toBe("completed");
      expect(resumed.length).toBe(1);
      expect(resumed[0].value).toBeGreaterThanOrEqual(1);
    }, 120_000);
  });

  describe("when the worker gets SIGTERM while its training process starts", () => {
    // The new process boots node, then loads processor.ts and TensorFlow.js for a second or more.
    // The signal lands at several points of that, as a stop at a random moment would.
    it.each(STARTUP_SIGNAL_DELAYS_MS)("stops it %i ms after its fork", async (delayMs) => {
      for (const earlier of workers) killGroup(earlier);
      await Promise.all(workers.map((earlier) => earlier.exited));
      await runQueue().drain();
      const worker = startWorker();
      await waitFor("the worker to be ready", 60_000, async () => (worker.output.some((line) => line.includes("worker ready")) ? true : undefined));
      await createRun({ datasetId, strategy: "uniform", preset: "micro", epochs: 2 });
      const trainingPid = await waitFor("the training process to start", 30_000, async () => childPids(worker.child.pid as number)[0]);
      await new Promise((resolve) => setTimeout(resolve, delayMs));

      worker.child.kill("SIGTERM");
      await within(worker.exited, STOP_LIMIT_MS, "the worker to exit");

      await waitFor(`training process ${trainingPid} to exit`, STOP_LIMIT_MS, async () => (isAlive(trainingPid) ? undefined : true));
    });
  });
});

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildMulti30kRecipe } from "../../lib/datasets/multi30k-recipe";
import { storeDataset } from "../../lib/datasets/store-dataset";
import { prisma } from "../../lib/db";
import { resetEnv } from "../../lib/env";
import { createRun } from "../../lib/runs";
import { createTestStack, type TestStack } from "../helpers/test-stack";

const ROOT = path.resolve(import.meta.dirname, "../..");
const MULTI30K_DIR = path.resolve(ROOT, "../shared/data/multi30k");
/** 300 training pairs: epoch 3 lasts long enough (10 steps, then decoding) to kill the worker inside it. */
const RUN_DATA = { clean: 150, noisy: 150, valid: 20, test: 20 };
const RUN_CONFIG = { strategy: "fixed-weight", strategyParams: { lambda: 0.5 }, preset: "micro", epochs: 4, seed: 5 } as const;
/** A short lock, so the killed worker's job returns to the queue within a few seconds. */
const LOCK_DURATION_MS = 4000;
const POLL_MS = 10;

/** A worker started as the leader of its own process group, so the whole group can be killed. */
interface WorkerGroup {
  child: ChildProcess;
  output: string[];
}

let stack: TestStack;
let datasetId: number;
const workers: WorkerGroup[] = [];

function startWorkerGroup(): WorkerGroup {
  const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["worker/main.ts"], {
    cwd: ROOT,
    env: process.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const group: WorkerGroup = { child, output: [] };
  const keep = (chunk: Buffer) => group.output.push(...chunk.toString("utf8").split("\n").filter(Boolean));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  workers.push(group);
  return group;
}

/** Ids of the live (not zombie) processes in a process group, read from /proc. */
async function liveProcessesInGroup(groupId: number): Promise<number[]> {
  const live: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // Fields after the command name, which is in parentheses: state, ppid, pgrp, ...
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === groupId && fields[0] !== "Z") live.push(Number(entry));
  }
  return live;
}

async function waitFor<T>(description: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const logs = workers.flatMap((worker) => worker.output.slice(-20)).join("\n");
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}; last worker output:\n${logs}`);
}

async function waitForCompletion(runId: number, timeoutMs: number): Promise<void> {
  const status = await waitFor(`run ${runId} to finish`, timeoutMs, async () => {
    const run = await prisma().run.findUniqueOrThrow({ where: { id: runId }, select: { status: true } });
    return ["completed", "failed", "cancelled"].includes(run.status) ? run.status : undefined;
  });
  const run = await prisma().run.findUniqueOrThrow({ where: { id: runId }, select: { error: true } });
  expect({ runId, status, error: run.error }).toEqual({ runId, status: "completed", error: null });
}

async function metricValues(runId: number, name: string): Promise<Record<number, number>> {
  const rows = await prisma().metric.findMany({ where: { runId, name }, orderBy: { epoch: "asc" } });
  return Object.fromEntries(rows.map((row) => [row.epoch, row.value]));
}

async function traceLosses(runId: number): Promise<string[]> {
  const rows = await prisma().sampleTrace.findMany({ where: { runId }, orderBy: [{ epoch: "asc" }, { sampleId: "asc" }] });
  return rows.map((row) => `${row.epoch}:${row.sampleId}:${row.loss}:${row.weight}`);
}

async function translations(runId: number): Promise<string[]> {
  const rows = await prisma().translation.findMany({ where: { runId }, orderBy: [{ epoch: "asc" }, { sampleId: "asc" }] });
  return rows.map((row) => `${row.epoch}:${row.sampleId}:${row.hypothesis}`);
}

async function checkpointRows(runId: number) {
  return prisma().checkpoint.findMany({ where: { runId }, orderBy: { epoch: "asc" }, select: { epoch: true, path: true } });
}

beforeAll(async () => {
  stack = await createTestStack("resume");
  process.env.WINNOW_LOCK_DURATION_MS = String(LOCK_DURATION_MS);
  resetEnv();
  const pairs = await buildMulti30kRecipe(MULTI30K_DIR, RUN_DATA);
  datasetId = (await storeDataset("resume", "multi30k:test", pairs)).id;
});

afterAll(async () => {
  for (const worker of workers) {
    if (worker.child.pid === undefined) continue;
    try {
      process.kill(-worker.child.pid, "SIGKILL");
    } catch {
      // The group is gone already.
    }
  }
  await stack?.teardown();
});

describe("resume after a killed worker", () => {
  let runA: number;
  let runB: number;
  let killedAt: Date;
  let checkpointsAtKill: number[];
  let epochSecondsAtKill: Record<number, number>;

  beforeAll(async () => {
    const first = startWorkerGroup();
    runA = (await createRun({ datasetId, ...RUN_CONFIG })).id;
    await waitForCompletion(runA, 60_000);

    runB = (await createRun({ datasetId, ...RUN_CONFIG })).id;
    await waitFor(`run ${runB} to write its epoch 2 checkpoint`, 60_000, async () =>
      (await prisma().checkpoint.findUnique({ where: { runId_epoch: { runId: runB, epoch: 2 } } })) ?? undefined,
    );
    const groupId = first.child.pid as number;
    process.kill(-groupId, "SIGKILL");
    killedAt = new Date();
    await waitFor(`process group ${groupId} to die`, 10_000, async () => ((await liveProcessesInGroup(groupId)).length === 0 ? true : undefined));
    checkpointsAtKill = (await checkpointRows(runB)).map((row) => row.epoch);
    epochSecondsAtKill = await metricValues(runB, "epoch_seconds");

    startWorkerGroup();
    await waitForCompletion(runB, 60_000);
  }, 150_000);

  it("kills the worker while run B is in epoch 3", () => {
    expect(checkpointsAtKill).toEqual([1, 2]);
    expect(Object.keys(epochSecondsAtKill)).toEqual(["1", "2"]);
  });

  it("resumes from the epoch 2 checkpoint", async () => {
    expect(await metricValues(runB, "resumed_from_epoch")).toEqual({ 2: 2 });
    expect(await metricValues(runA, "resumed_from_epoch")).toEqual({});
  });

  it("does not train epochs 1 and 2 again", async () => {
    const epochSeconds = await metricValues(runB, "epoch_seconds");

    expect(Object.keys(epochSeconds)).toEqual(["1", "2", "3", "4"]);
    expect(epochSeconds[1]).toBe(epochSecondsAtKill[1]);
    expect(epochSeconds[2]).toBe(epochSecondsAtKill[2]);
  });

  it("keeps the first start time", async () => {
    const run = await prisma().run.findUniqueOrThrow({ where: { id: runB }, select: { startedAt: true } });

    expect(run.startedAt?.getTime()).toBeLessThan(killedAt.getTime());
  });

  it("matches run A's losses and BLEU exactly", async () => {
    const lossesA = await metricValues(runA, "train_loss");
    const bleuA = await metricValues(runA, "valid_bleu");

    expect(Object.keys(lossesA)).toEqual(["1", "2", "3", "4"]);
    expect(await metricValues(runB, "train_loss")).toEqual(lossesA);
    expect(await metricValues(runB, "valid_bleu")).toEqual(bleuA);
    expect(await metricValues(runB, "test_bleu")).toEqual(await metricValues(runA, "test_bleu"));
    expect(await metricValues(runB, "test_chrf")).toEqual(await metricValues(runA, "test_chrf"));
  });

  it("matches run A's per-sample traces", async () => {
    const tracesA = await traceLosses(runA);

    expect(tracesA).toHaveLength(300 * 4);
    expect(await traceLosses(runB)).toEqual(tracesA);
  });

  it("matches run A's translations", async () => {
    const translationsA = await translations(runA);

    // Per epoch: 20 validation pairs and 50 noisy pairs; after the last epoch also 20 test pairs.
    expect(translationsA).toHaveLength(70 * 4 + 20);
    expect(await translations(runB)).toEqual(translationsA);
  });

  it("keeps the last two checkpoints of each run", async () => {
    for (const runId of [runA, runB]) {
      const rows = await checkpointRows(runId);
      const runDir = path.dirname(rows[0].path);

      expect(rows.map((row) => row.epoch)).toEqual([3, 4]);
      expect(rows.map((row) => path.basename(row.path))).toEqual(["epoch-0003", "epoch-0004"]);
      expect((await readdir(runDir)).sort()).toEqual(["epoch-0003", "epoch-0004"]);
      for (const row of rows) expect(existsSync(path.join(row.path, "weights.bin"))).toBe(true);
    }
  });
});

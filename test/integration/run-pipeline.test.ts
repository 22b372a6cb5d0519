import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildMulti30kRecipe } from "../../lib/datasets/multi30k-recipe";
import { storeDataset } from "../../lib/datasets/store-dataset";
import { prisma } from "../../lib/db";
import { WinnowError } from "../../lib/errors";
import { createRun, requestCancel } from "../../lib/runs";
import { startWorkerProcess, type ManagedProcess } from "../../scripts/lib/processes";
import { createTestStack, type TestStack } from "../helpers/test-stack";

const MULTI30K_DIR = path.resolve(import.meta.dirname, "../../../shared/data/multi30k");
/** About 200 training pairs: enough to train for real, small enough for seconds per epoch. */
const PIPELINE_DATA = { clean: 100, noisy: 100, valid: 20, test: 20 };

let stack: TestStack;
let worker: ManagedProcess;
let datasetId: number;

async function waitForStatus(runId: number, wanted: string[], timeoutMs: number): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const run = await prisma().run.findUniqueOrThrow({ where: { id: runId }, select: { status: true } });
    if (seen.at(-1) !== run.status) seen.push(run.status);
    if (wanted.includes(run.status)) return seen;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`run ${runId} did not reach ${wanted.join("/")} within ${timeoutMs} ms; statuses seen: ${seen.join(" -> ")}`);
}

beforeAll(async () => {
  stack = await createTestStack("pipeline");
  const pairs = await buildMulti30kRecipe(MULTI30K_DIR, PIPELINE_DATA);
  datasetId = (await storeDataset("pipeline", "multi30k:test", pairs)).id;
  worker = startWorkerProcess({ quiet: true });
});

afterAll(async () => {
  await worker?.stop();
  await stack?.teardown();
});

describe("run pipeline", () => {
  describe("when a fixed-weight run is queued", () => {
    let runId: number;
    let statuses: string[];

    beforeAll(async () => {
      runId = (await createRun({ datasetId, strategy: "fixed-weight", strategyParams: { lambda: 0.25 }, preset: "micro", epochs: 2, seed: 7 })).id;
      statuses = await waitForStatus(runId, ["completed", "failed", "cancelled"], 240_000);
    }, 300_000);

    it("goes queued, running, completed", async () => {
      const run = await prisma().run.findUniqueOrThrow({ where: { id: runId } });
      expect(run.error).toBeNull();
      expect(statuses).toEqual(["queued", "running", "completed"]);
      expect(run.progress).toBe(1);
      expect(run.backend).toBeTruthy();
      expect(run.device).toBeTruthy();
      expect(run.finishedAt).not.toBeNull();
    });

    it("stores one metric of each kind per epoch", async () => {
      const rows = await prisma().metric.groupBy({ by: ["name"], where: { runId }, _count: true });
      const counts = Object.fromEntries(rows.map((row) => [row.name, row._count]));
      expect(counts.train_loss).toBe(2);
      expect(counts.valid_bleu).toBe(2);
      expect(counts.valid_chrf).toBe(2);
      expect(counts.test_bleu).toBe(1);
    });

    it("stores a trace per training pair and epoch", async () => {
      const traces = await prisma().sampleTrace.count({ where: { runId } });
      expect(traces).toBe(200 * 2);
    });

    it("weights noisy pairs by lambda and clean pairs by one", async () => {
      const traces = await prisma().sampleTrace.findMany({ where: { runId, epoch: 2 }, select: { weight: true, sample: { select: { noisy: true } } } });
      const noisyWeights = new Set(traces.filter((t) => t.sample.noisy).map((t) => t.weight));
      const cleanWeights = new Set(traces.filter((t) => !t.sample.noisy).map((t) => t.weight));
      expect([...noisyWeights]).toEqual([0.25]);
      expect([...cleanWeights]).toEqual([1]);
    });

    it("stores test scores and translations", async () => {
      const run = await prisma().run.findUniqueOrThrow({ where: { id: runId } });
      expect(run.testBleu).toBeGreaterThanOrEqual(0);
      expect(run.testChrf).toBeGreaterThan(0);
      const testOutputs = await prisma().translation.count({ where: { runId, sample: { split: "test" } } });
      expect(testOutputs).toBe(20);
    });
  });

  describe("when a run is cancelled while queued", () => {
    it("never trains", async () => {
      await worker.stop();
      const runId = (await createRun({ datasetId, strategy: "uniform", preset: "micro", epochs: 1 })).id;
      expect(await requestCancel(runId)).toEqual({ status: "cancelled" });
      worker = startWorkerProcess({ quiet: true });
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const run = await prisma().run.findUniqueOrThrow({ where: { id: runId } });
      expect(run.status).toBe("cancelled");
      expect(await prisma().metric.count({ where: { runId } })).toBe(0);
    });
  });

  describe("when the request is invalid", () => {
    it("names the bad field", async () => {
      await expect(createRun({ datasetId, strategy: "fixed-weight", strategyParams: { lambda: 2 } })).rejects.toThrow(/strategyParams.*lambda/);
      await expect(createRun({ datasetId, strategy: "no-such" })).rejects.toThrow(/strategy/);
      await expect(createRun({ datasetId, strategy: "uniform", epochs: 0 })).rejects.toThrow(/epochs/);
    });

    it("rejects an unknown dataset as not found", async () => {
      const error = await createRun({ datasetId: 999_999, strategy: "uniform" }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WinnowError);
      expect((error as WinnowError).code).toBe("not_found");
      expect((error as Error).message).toContain("999999");
    });
  });
});

describe("createRun", () => {
  describe("when an id is out of the integer range", () => {
    it("rejects it naming the field", async () => {
      await expect(createRun({ datasetId: 2 ** 31, strategy: "uniform" })).rejects.toThrow(/datasetId/);
      await expect(createRun({ datasetId, strategy: "uniform", sweepId: 2 ** 31 })).rejects.toThrow(/sweepId/);
    });
  });

  describe("when the sweep does not exist", () => {
    it("rejects it as not found", async () => {
      const error = await createRun({ datasetId, strategy: "uniform", sweepId: 123456 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WinnowError);
      expect((error as WinnowError).code).toBe("not_found");
      expect((error as Error).message).toContain("sweepId: sweep 123456 not found");
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueRun, runQueue } from "../../lib/queue";
import { createTestStack, type TestStack } from "../helpers/test-stack";

let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack("queue");
});

afterAll(async () => {
  await stack?.teardown();
});

describe("enqueueRun", () => {
  describe("when the same run is queued twice", () => {
    it("keeps one job", async () => {
      const run = { id: 41, createdAt: new Date("2026-01-01T00:00:00Z") };
      await enqueueRun(run, stack.queueName);
      await enqueueRun(run, stack.queueName);
      const jobs = await runQueue(stack.queueName).getJobs(["waiting"]);
      expect(jobs.filter((job) => job.data.runId === 41)).toHaveLength(1);
    });
  });

  describe("when a run id is reused after the database was recreated", () => {
    it("queues a new job", async () => {
      await enqueueRun({ id: 42, createdAt: new Date("2026-01-01T00:00:00Z") }, stack.queueName);
      const first = (await runQueue(stack.queueName).getJobs(["waiting"])).find((job) => job.data.runId === 42);
      await first?.remove();
      await enqueueRun({ id: 42, createdAt: new Date("2026-02-01T00:00:00Z") }, stack.queueName);
      const jobs = await runQueue(stack.queueName).getJobs(["waiting"]);
      expect(first).toBeDefined();
      expect(jobs.filter((job) => job.data.runId === 42)).toHaveLength(1);
    });

    it("queues it even while the old job is still kept as completed", async () => {
      await enqueueRun({ id: 43, createdAt: new Date("2026-01-01T00:00:00Z") }, stack.queueName);
      await enqueueRun({ id: 43, createdAt: new Date("2026-03-01T00:00:00Z") }, stack.queueName);
      const jobs = await runQueue(stack.queueName).getJobs(["waiting"]);
      expect(jobs.filter((job) => job.data.runId === 43)).toHaveLength(2);
    });
  });
});

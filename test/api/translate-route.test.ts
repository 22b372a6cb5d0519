import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as translateRun } from "../../app/api/runs/[id]/translate/route";
import type { ErrorBody } from "../../app/api/_lib/http";
import { prisma } from "../../lib/db";
import { resetEnv } from "../../lib/env";
import { requestTranslation, runQueue, translateQueueName } from "../../lib/queue";
import { createTestStack, type TestStack } from "../helpers/test-stack";

const BASE_URL = "http://127.0.0.1";
/** No worker runs in this file, so every request that reaches the queue times out this fast. */
const TIMEOUT_MS = 1000;

let stack: TestStack;
let datasetId: number;

function postTranslate(id: string, body: unknown): Promise<Response> {
  const request = new Request(`${BASE_URL}/api/runs/${id}/translate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return translateRun(request, { params: Promise.resolve({ id }) });
}

async function errorOf(response: Response): Promise<ErrorBody["error"]> {
  return ((await response.json()) as ErrorBody).error;
}

async function createRun(status: "queued" | "running" | "completed" | "failed" | "cancelled", error?: string): Promise<number> {
  const run = await prisma().run.create({
    data: { datasetId, strategy: "uniform", config: { preset: "micro", epochs: 2, strategyParams: {} }, seed: 1, status, error },
  });
  return run.id;
}

beforeAll(async () => {
  stack = await createTestStack("translate_api");
  process.env.WINNOW_TRANSLATE_TIMEOUT_MS = String(TIMEOUT_MS);
  resetEnv();
  const dataset = await prisma().dataset.create({
    data: { name: "translate-route-test", srcLang: "de", tgtLang: "en", source: "test", hash: "0" },
    select: { id: true },
  });
  datasetId = dataset.id;
});

afterAll(async () => {
  await runQueue(translateQueueName(stack?.queueName)).obliterate({ force: true }).catch(() => undefined);
  await stack?.teardown();
  delete process.env.WINNOW_TRANSLATE_TIMEOUT_MS;
  resetEnv();
});

describe("POST /api/runs/[id]/translate", () => {
  describe("when the request is invalid", () => {
    it("rejects an empty sentence list", async () => {
      const response = await postTranslate("1", { sentences: [] });
      const error = await errorOf(response);
      expect(response.status).toBe(400);
      expect(error.issues.map((issue) => issue.path)).toEqual(["sentences"]);
      expect(error.issues[0].message).toContain("at least one sentence");
    });

    it("rejects 21 sentences", async () => {
      const response = await postTranslate("1", { sentences: Array.from({ length: 21 }, (_, i) => `Satz ${i}`) });
      const error = await errorOf(response);
      expect(response.status).toBe(400);
      expect(error.issues[0].message).toContain("at most 20 sentences");
    });

    it("caps the reported issues at 20", async () => {
      // 20 empty sentences, a beam size of 0 and an unknown field: 22 issues.
      const response = await postTranslate("1", { sentences: Array.from({ length: 20 }, () => ""), beamSize: 0, extra: true });
      const error = await errorOf(response);

      expect(response.status).toBe(400);
      expect(error.issues).toHaveLength(20);
      expect(error.message).toMatch(/; and 2 more$/);
    });

    it("names a sentence over 500 characters", async () => {
      const response = await postTranslate("1", { sentences: ["kurz", "x".repeat(501)] });
      const error = await errorOf(response);
      expect(response.status).toBe(400);
      expect(error.issues.map((issue) => issue.path)).toEqual(["sentences.1"]);
      expect(error.issues[0].message).toBe("a sentence must have at most 500 characters, got 501 characters");
    });

    it("names an empty sentence", async () => {
      const error = await errorOf(await postTranslate("1", { sentences: ["gut", ""] }));
      expect(error.issues.map((issue) => issue.path)).toEqual(["sentences.1"]);
      expect(error.issues[0].message).toContain("must not be empty");
    });

    it("names a beam size above 10", async () => {
      const error = await errorOf(await postTranslate("1", { sentences: ["gut"], beamSize: 11 }));
      expect(error.issues.map((issue) => issue.path)).toEqual(["beamSize"]);
      expect(error.issues[0].message).toContain("got 11");
    });

    it("rejects unknown fields", async () => {
      const error = await errorOf(await postTranslate("1", { sentences: ["gut"], language: "fr" }));
      expect(error.code).toBe("invalid_input");
      expect(error.message).toContain("language");
    });

    it("rejects malformed JSON", async () => {
      const response = await postTranslate("1", "{no json");
      expect(response.status).toBe(400);
      expect((await errorOf(response)).message).toContain("invalid JSON");
    });

    it("rejects a run id that is not a number", async () => {
      const error = await errorOf(await postTranslate("abc", { sentences: ["gut"] }));
      expect(error.issues[0].path).toBe("id");
    });
  });

  describe("when the run cannot translate", () => {
    it("names an unknown run", async () => {
      const response = await postTranslate("424242", { sentences: ["Ein Hund."] });
      expect(response.status).toBe(404);
      expect((await errorOf(response)).message).toBe("run 424242 not found");
    });

    it("says a running run without checkpoint is still training", async () => {
      const runId = await createRun("running");
      const response = await postTranslate(String(runId), { sentences: ["Ein Hund."] });
      const error = await errorOf(response);
      expect(response.status).toBe(409);
      expect(error.code).toBe("conflict");
      expect(error.message).toBe(`run ${runId} has no checkpoint yet: it is still training; translate once its first epoch has finished`);
    });

    it("says a queued run is still queued", async () => {
      const runId = await createRun("queued");
      expect((await errorOf(await postTranslate(String(runId), { sentences: ["Ein Hund."] }))).message).toContain("still queued");
    });

    it("says a failed run failed, with its error", async () => {
      const runId = await createRun("failed", "out of memory");
      const response = await postTranslate(String(runId), { sentences: ["Ein Hund."] });
      expect(response.status).toBe(409);
      expect((await errorOf(response)).message).toBe(
        `run ${runId} has no checkpoint: it failed before its first epoch finished (out of memory)`,
      );
    });

    it("says a cancelled run was cancelled", async () => {
      const runId = await createRun("cancelled");
      expect((await errorOf(await postTranslate(String(runId), { sentences: ["Ein Hund."] }))).message).toContain("was cancelled");
    });
  });

  describe("when no worker answers", () => {
    let runId: number;

    beforeAll(async () => {
      runId = await createRun("completed");
      await prisma().checkpoint.create({ data: { runId, epoch: 2, path: "/nonexistent/epoch-0002" } });
    });

    it("times out with 503 naming the run", async () => {
      const startedAt = Date.now();
      const response = await postTranslate(String(runId), { sentences: ["Ein Hund."] });
      const error = await errorOf(response);
      expect(response.status).toBe(503);
      expect(error.code).toBe("unavailable");
      expect(error.message).toContain(`translation for run ${runId} timed out after ${TIMEOUT_MS} ms`);
      expect(error.message).toContain("npm run worker");
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(TIMEOUT_MS);
    });

    it("removes the job it gave up on", async () => {
      const counts = await runQueue(translateQueueName()).getJobCounts("waiting", "active", "delayed");
      expect(counts).toEqual({ waiting: 0, active: 0, delayed: 0 });
    });

    it("takes the timeout from the caller", async () => {
      const error = await requestTranslation(runId, { sentences: ["Ein Hund."], beamSize: 1 }, { timeoutMs: 300 }).catch((caught: unknown) => caught);
      expect((error as Error).message).toContain("timed out after 300 ms");
    });
  });
});

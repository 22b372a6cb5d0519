import { type Job, Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getRun } from "../../app/api/runs/[id]/route";
import { POST as cancelRun } from "../../app/api/runs/[id]/cancel/route";
import { GET as getSamples } from "../../app/api/runs/[id]/samples/route";
import { GET as getSample } from "../../app/api/runs/[id]/samples/[sampleId]/route";
import { GET as listRuns, POST as postRun } from "../../app/api/runs/route";
import type { ErrorBody } from "../../app/api/_lib/http";
import { prisma } from "../../lib/db";
import { enqueueRun, redisConnection, runQueue } from "../../lib/queue";
import { createTestStack, type TestStack } from "../helpers/test-stack";

const BASE_URL = "http://127.0.0.1";
const NOISY_PAIRS = 30;

let stack: TestStack;
let datasetId: number;

function postJson(body: unknown): Promise<Response> {
  const request = new Request(`${BASE_URL}/api/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return postRun(request);
}

function routeContext(id: string) {
  return { params: Promise.resolve({ id }) };
}

async function errorOf(response: Response): Promise<ErrorBody["error"]> {
  const body = (await response.json()) as ErrorBody;
  return body.error;
}

/** Inserts a dataset of 10 clean and NOISY_PAIRS noisy training pairs. */
async function insertDataset(): Promise<number> {
  const dataset = await prisma().dataset.create({
    data: { name: "api-route-test", srcLang: "de", tgtLang: "en", source: "test", hash: "0" },
    select: { id: true },
  });
  const pairs = Array.from({ length: 10 + NOISY_PAIRS }, (_, idx) => ({
    datasetId: dataset.id,
    split: "train" as const,
    idx,
    src: `Satz ${idx}`,
    tgt: `sentence ${idx}`,
    noisy: idx >= 10,
  }));
  await prisma().sample.createMany({ data: pairs });
  return dataset.id;
}

beforeAll(async () => {
  stack = await createTestStack("api");
  datasetId = await insertDataset();
});

afterAll(async () => {
  await stack?.teardown();
});

describe("POST /api/runs", () => {
  describe("when the request is invalid", () => {
    it("names an unknown strategy", async () => {
      const response = await postJson({ datasetId, strategy: "no-such-strategy" });
      const error = await errorOf(response);
      expect(response.status).toBe(400);
      expect(error.code).toBe("invalid_input");
      expect(error.issues.map((issue) => issue.path)).toEqual(["strategy"]);
      expect(error.message).toContain("strategy");
      expect(error.message).toContain('"no-such-strategy"');
    });

    it("names negative epochs with the value", async () => {
      const response = await postJson({ datasetId, strategy: "uniform", epochs: -3 });
      const error = await errorOf(response);
      expect(response.status).toBe(400);
      expect(error.issues).toHaveLength(1);
      expect(error.issues[0].path).toBe("epochs");
      expect(error.issues[0].message).toContain("got -3");
    });

    it("names an out-of-range strategy parameter", async () => {
      const response = await postJson({ datasetId, strategy: "fixed-weight", strategyParams: { lambda: 1.5 } });
      const error = await errorOf(response);
      expect(response.status).toBe(400);
      expect(error.issues.map((issue) => issue.path)).toEqual(["strategyParams.lambda"]);
      expect(error.issues[0].message).toContain("got 1.5");
    });

    it("names every invalid field at once", async () => {
      const response = await postJson({ datasetId, strategy: "fixed-weight", strategyParams: { lambda: 1.5 }, epochs: 0 });
      const error = await errorOf(response);

      expect(response.status).toBe(400);
      expect(error.issues.map((issue) => issue.path)).toEqual(["epochs", "strategyParams.lambda"]);
      expect(error.message).toContain("epochs");
      expect(error.message).toContain("strategyParams.lambda");
    });

    it("names unknown fields at their own path", async () => {
      const response = await postJson({ datasetId, strategy: "uniform", learningRate: 0.1, warmup: 2 });
      const error = await errorOf(response);

      expect(error.issues).toEqual([
        { path: "learningRate", message: "unknown field" },
        { path: "warmup", message: "unknown field" },
      ]);
    });

    it("names an unknown strategy parameter", async () => {
      const response = await postJson({ datasetId, strategy: "fixed-weight", strategyParams: { mu: 0.5 } });
      const error = await errorOf(response);

      expect(error.issues).toEqual([{ path: "strategyParams.mu", message: "unknown parameter for strategy fixed-weight; it takes lambda" }]);
    });

    it("reports huge epochs once", async () => {
      const response = await postJson(`{"datasetId": ${datasetId}, "strategy": "uniform", "epochs": 1e308}`);
      const error = await errorOf(response);

      expect(error.issues).toEqual([{ path: "epochs", message: "must be an integer from 1 to 500, got 1e+308" }]);
    });

    it("names the id limit", async () => {
      const response = await postJson({ datasetId: 10_000_000_000, strategy: "uniform", sweepId: 2 ** 31 });
      const error = await errorOf(response);

      expect(error.issues).toEqual([
        { path: "datasetId", message: "must be an integer from 1 to 2147483647, got 10000000000" },
        { path: "sweepId", message: "must be an integer from 1 to 2147483647, got 2147483648" },
      ]);
    });

    it("names an unknown datasetId", async () => {
      const response = await postJson({ datasetId: 999_999, strategy: "uniform" });
      const error = await errorOf(response);
      expect(response.status).toBe(404);
      expect(error.code).toBe("not_found");
      expect(error.issues.map((issue) => issue.path)).toEqual(["datasetId"]);
      expect(error.message).toContain("999999");
    });

    it("rejects malformed JSON", async () => {
      const response = await postJson("{not json");
      const error = await errorOf(response);
      expect(response.status).toBe(400);
      expect(error.message).toContain("invalid JSON");
    });

    it("stores no run", async () => {
      expect(await prisma().run.count()).toBe(0);
    });
  });

  describe("when the request is valid", () => {
    let runId: number;

    beforeAll(async () => {
      const response = await postJson({ datasetId, strategy: "fixed-weight", preset: "micro", epochs: 2, seed: 5 });
      expect(response.status).toBe(201);
      runId = ((await response.json()) as { run: { id: number } }).run.id;
    });

    it("stores a queued run with defaults filled in", async () => {
      const run = await prisma().run.findUniqueOrThrow({ where: { id: runId } });
      expect(run.status).toBe("queued");
      expect(run.strategy).toBe("fixed-weight");
      expect(run.seed).toBe(5);
      expect(run.config).toMatchObject({ preset: "micro", epochs: 2, strategyParams: { lambda: 0.3 } });
    });

    it("queues a training job for the run", async () => {
      const jobs = await runQueue(stack.queueName).getJobs(["waiting"]);
      expect(jobs.filter((job) => job.data.runId === runId)).toHaveLength(1);
    });

    it("lists the run", async () => {
      const body = (await (await listRuns()).json()) as { runs: { id: number; datasetName: string }[] };
      expect(body.runs.map((run) => run.id)).toContain(runId);
      expect(body.runs[0].datasetName).toBe("api-route-test");
    });
  });
});

describe("POST request checks", () => {
  function postRunRequest(init: { headers: Record<string, string>; body: BodyInit }): Promise<Response> {
    return postRun(new Request(`${BASE_URL}/api/runs`, { method: "POST", duplex: "half", ...init } as RequestInit));
  }

  const validBody = () => JSON.stringify({ datasetId, strategy: "uniform", preset: "micro", epochs: 1 });

  describe("when the body is too large", () => {
    it("rejects a body over 64 KiB", async () => {
      const body = JSON.stringify({ datasetId, strategy: "uniform", note: "x".repeat(70_000) });
      const response = await postRunRequest({ headers: { "content-type": "application/json" }, body });
      const error = await errorOf(response);

      expect(response.status).toBe(413);
      expect(error.code).toBe("payload_too_large");
      expect(error.message).toContain("65536 bytes (64 KiB)");
    });

    it("stops reading an endless body", async () => {
      const chunk = new TextEncoder().encode(" ".repeat(16 * 1024));
      let pulledChunks = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulledChunks += 1;
          controller.enqueue(chunk);
        },
      });
      const response = await postRunRequest({ headers: { "content-type": "application/json" }, body });

      expect(response.status).toBe(413);
      expect(pulledChunks).toBeLessThan(10);
    });
  });

  describe("when the body is not declared as JSON", () => {
    it("rejects text/plain", async () => {
      const response = await postRunRequest({ headers: { "content-type": "text/plain" }, body: validBody() });
      const error = await errorOf(response);

      expect(response.status).toBe(415);
      expect(error.code).toBe("unsupported_media_type");
      expect(error.message).toContain('"text/plain"');
    });

    it("rejects a body without content-type", async () => {
      const response = await postRunRequest({ headers: {}, body: new Blob([validBody()]) });

      expect(response.status).toBe(415);
      expect((await errorOf(response)).message).toContain("no content-type");
    });

    it("accepts a charset parameter", async () => {
      const response = await postRunRequest({ headers: { "content-type": "application/json; charset=utf-8" }, body: validBody() });

      expect(response.status).toBe(201);
    });
  });

  describe("when another site sends the request", () => {
    it("rejects a foreign Origin", async () => {
      const runsBefore = await prisma().run.count();
      const response = await postRunRequest({
        headers: { "content-type": "application/json", origin: "https://attacker.example" },
        body: validBody(),
      });
      const error = await errorOf(response);

      expect(response.status).toBe(403);
      expect(error.code).toBe("forbidden");
      expect(error.message).toContain("https://attacker.example");
      expect(await prisma().run.count()).toBe(runsBefore);
    });

    it("rejects the null Origin", async () => {
      const response = await postRunRequest({ headers: { "content-type": "application/json", origin: "null" }, body: validBody() });

      expect(response.status).toBe(403);
    });

    it("rejects a foreign cancel", async () => {
      const run = await prisma().run.create({ data: { datasetId, strategy: "uniform", config: {}, seed: 1 } });
      const request = new Request(`${BASE_URL}/api/runs/${run.id}/cancel`, { method: "POST", headers: { origin: "https://attacker.example" } });
      const response = await cancelRun(request, routeContext(String(run.id)));

      expect(response.status).toBe(403);
      expect((await prisma().run.findUniqueOrThrow({ where: { id: run.id } })).status).toBe("queued");
    });

    it("accepts the dashboard's own Origin", async () => {
      const response = await postRunRequest({ headers: { "content-type": "application/json", origin: BASE_URL }, body: validBody() });

      expect(response.status).toBe(201);
    });
  });
});

describe("GET /api/runs/[id]", () => {
  it("rejects an id that is not a number", async () => {
    const response = await getRun(new Request(`${BASE_URL}/api/runs/abc`), routeContext("abc"));
    const error = await errorOf(response);
    expect(response.status).toBe(400);
    expect(error.issues[0].path).toBe("id");
    expect(error.message).toContain('"abc"');
  });

  it("names an unknown run", async () => {
    const response = await getRun(new Request(`${BASE_URL}/api/runs/424242`), routeContext("424242"));
    const error = await errorOf(response);
    expect(response.status).toBe(404);
    expect(error.message).toBe("run 424242 not found");
  });

  it("returns metrics pivoted by epoch", async () => {
    const run = await prisma().run.create({
      data: { datasetId, strategy: "uniform", config: { preset: "micro", epochs: 2, strategyParams: {} }, seed: 1 },
    });
    await prisma().metric.createMany({
      data: [
        { runId: run.id, epoch: 1, step: 7, name: "train_loss", value: 5.5 },
        { runId: run.id, epoch: 1, step: 7, name: "valid_bleu", value: 1.25 },
        { runId: run.id, epoch: 2, step: 14, name: "train_loss", value: 4.5 },
        { runId: run.id, epoch: 2, step: 14, name: "valid_bleu", value: 2.5 },
        { runId: run.id, epoch: 2, step: 14, name: "valid_length_ratio", value: 0.9 },
      ],
    });

    const response = await getRun(new Request(`${BASE_URL}/api/runs/${run.id}`), routeContext(String(run.id)));
    const body = (await response.json()) as { run: { epochs: unknown[]; config: unknown } };
    expect(response.status).toBe(200);
    expect(body.run.config).toEqual({ preset: "micro", epochs: 2, strategyParams: {} });
    expect(body.run.epochs).toEqual([
      { epoch: 1, step: 7, trainLoss: 5.5, validBleu: 1.25, validChrf: null, validLengthRatio: null, validBp: null },
      { epoch: 2, step: 14, trainLoss: 4.5, validBleu: 2.5, validChrf: null, validLengthRatio: 0.9, validBp: null },
    ]);
  });
});

describe("GET /api/runs/[id] checkpoints", () => {
  it("returns the newest checkpoint epoch", async () => {
    const run = await prisma().run.create({ data: { datasetId, strategy: "uniform", config: {}, seed: 1, status: "running" } });
    const fetchRun = async () => {
      const response = await getRun(new Request(`${BASE_URL}/api/runs/${run.id}`), routeContext(String(run.id)));
      return ((await response.json()) as { run: { latestCheckpointEpoch: number | null } }).run;
    };
    expect((await fetchRun()).latestCheckpointEpoch).toBeNull();

    await prisma().checkpoint.createMany({
      data: [
        { runId: run.id, epoch: 1, path: "/checkpoints/epoch-0001" },
        { runId: run.id, epoch: 3, path: "/checkpoints/epoch-0003" },
        { runId: run.id, epoch: 2, path: "/checkpoints/epoch-0002" },
      ],
    });
    expect((await fetchRun()).latestCheckpointEpoch).toBe(3);
  });
});

describe("GET /api/runs/[id]/samples", () => {
  let runId: number;

  beforeAll(async () => {
    const run = await prisma().run.create({
      data: { datasetId, strategy: "fixed-weight", config: { strategyParams: { lambda: 0.3 } }, seed: 1 },
    });
    runId = run.id;
    const noisy = await prisma().sample.findMany({ where: { datasetId, noisy: true }, orderBy: { idx: "asc" } });
    const traces = noisy.flatMap((sample) => [
      { runId, sampleId: sample.id, epoch: 1, loss: 5, weight: 1, dropped: false },
      { runId, sampleId: sample.id, epoch: 2, loss: sample.idx / 10, weight: 0.3, dropped: sample.idx === 10 },
    ]);
    await prisma().sampleTrace.createMany({ data: traces });
  });

  function samplesRequest(query: string) {
    return getSamples(new Request(`${BASE_URL}/api/runs/${runId}/samples?${query}`), routeContext(String(runId)));
  }

  it("returns only noisy pairs with their latest trace", async () => {
    const response = await samplesRequest("noise=noisy&page=1&pageSize=4");
    const body = (await response.json()) as { total: number; samples: { idx: number; epoch: number; loss: number; weight: number; dropped: boolean }[] };
    expect(response.status).toBe(200);
    expect(body.total).toBe(NOISY_PAIRS);
    expect(body.samples.map((sample) => sample.idx)).toEqual([10, 11, 12, 13]);
    expect(body.samples[0]).toMatchObject({ epoch: 2, loss: 1, weight: 0.3, dropped: true });
    expect(body.samples[1]).toMatchObject({ epoch: 2, loss: 1.1, weight: 0.3, dropped: false });
  });

  it("pages on the server", async () => {
    const body = (await (await samplesRequest("noise=noisy&page=3&pageSize=12")).json()) as { page: number; samples: { idx: number }[] };
    expect(body.page).toBe(3);
    expect(body.samples.map((sample) => sample.idx)).toEqual([34, 35, 36, 37, 38, 39]);
  });

  it("names an invalid page", async () => {
    const response = await samplesRequest("page=0");
    const error = await errorOf(response);
    expect(response.status).toBe(400);
    expect(error.issues.map((issue) => issue.path)).toEqual(["page"]);
    expect(error.issues[0].message).toContain('got "0"');
  });

  it.each([
    ["page=", '""'],
    ["page=%20", '" "'],
    ["page=0x10", '"0x10"'],
    ["page=1.5", '"1.5"'],
    ["page=1e3", '"1e3"'],
    ["page=-1", '"-1"'],
    ["page=%2B1", '"+1"'],
  ])("rejects the query %s", async (query, quotedValue) => {
    const response = await samplesRequest(query);
    const error = await errorOf(response);

    expect(response.status).toBe(400);
    expect(error.issues.map((issue) => issue.path)).toEqual(["page"]);
    expect(error.issues[0].message).toContain("decimal digits");
    expect(error.issues[0].message).toContain(`got ${quotedValue}`);
  });

  it("returns no samples past the last page", async () => {
    const response = await samplesRequest("page=2147483647&pageSize=200");
    const body = (await response.json()) as { page: number; samples: unknown[] };

    expect(response.status).toBe(200);
    expect(body.page).toBe(2147483647);
    expect(body.samples).toEqual([]);
  });

  it("names a page size above the maximum", async () => {
    const error = await errorOf(await samplesRequest("pageSize=100000"));
    expect(error.issues.map((issue) => issue.path)).toEqual(["pageSize"]);
  });

  it("lists clean and noisy pairs unless filtered", async () => {
    const body = (await (await samplesRequest("pageSize=3")).json()) as { total: number; samples: { idx: number; noisy: boolean }[] };

    expect(body.total).toBe(10 + NOISY_PAIRS);
    expect(body.samples.map((sample) => sample.noisy)).toEqual([false, false, false]);
  });

  it("filters and sorts on the server", async () => {
    const response = await samplesRequest("view=dropped&droppedEpoch=2&sort=loss&order=desc");
    const body = (await response.json()) as { total: number; samples: { idx: number }[] };

    expect(response.status).toBe(200);
    expect(body.total).toBe(1);
    expect(body.samples.map((sample) => sample.idx)).toEqual([10]);
  });

  it("names an unknown parameter", async () => {
    const response = await samplesRequest("filter=noisy");
    const error = await errorOf(response);

    expect(response.status).toBe(400);
    expect(error.issues).toEqual([{ path: "filter", message: "unknown field" }]);
  });

  it("names a missing dropped epoch", async () => {
    const error = await errorOf(await samplesRequest("view=dropped"));

    expect(error.issues).toEqual([{ path: "droppedEpoch", message: "is required when view is dropped" }]);
  });
});

describe("GET /api/runs/[id]/samples/[sampleId]", () => {
  let runId: number;
  let noisySampleId: number;

  beforeAll(async () => {
    const run = await prisma().run.create({ data: { datasetId, strategy: "uniform", config: {}, seed: 1 } });
    runId = run.id;
    const sample = await prisma().sample.findFirstOrThrow({ where: { datasetId, noisy: true }, orderBy: { idx: "asc" } });
    noisySampleId = sample.id;
    await prisma().sampleTrace.create({ data: { runId, sampleId: sample.id, epoch: 1, loss: 2, weight: 1, tokenWeights: [1, 0.5] } });
  });

  function sampleRequest(id: string, sampleId: string) {
    const url = `${BASE_URL}/api/runs/${id}/samples/${sampleId}`;
    return getSample(new Request(url), { params: Promise.resolve({ id, sampleId }) });
  }

  it("returns the trace with token weights", async () => {
    const response = await sampleRequest(String(runId), String(noisySampleId));
    const body = (await response.json()) as { sample: { idx: number }; epochs: { epoch: number; tokenWeights: number[] | null }[]; targetPieces: unknown };

    expect(response.status).toBe(200);
    expect(body.sample.idx).toBe(10);
    expect(body.epochs).toEqual([{ epoch: 1, loss: 2, weight: 1, dropped: false, tokenWeights: [1, 0.5], hypothesis: null }]);
    expect(body.targetPieces).toEqual({ status: "unavailable", reason: "the run has no checkpoint yet" });
  });

  it("names a sample id that is not a number", async () => {
    const response = await sampleRequest(String(runId), "abc");
    const error = await errorOf(response);

    expect(response.status).toBe(400);
    expect(error.issues).toEqual([{ path: "sampleId", message: 'sample id must be an integer from 1 to 2147483647, got "abc"' }]);
  });

  it("names a sample outside the run", async () => {
    const response = await sampleRequest(String(runId), "999999");
    const error = await errorOf(response);

    expect(response.status).toBe(404);
    expect(error.message).toBe(`sample 999999 is not a training pair of run ${runId}`);
  });

  it("names a missing run", async () => {
    const error = await errorOf(await sampleRequest("999999", String(noisySampleId)));

    expect(error.message).toBe("run 999999 not found");
  });
});

describe("POST /api/runs/[id]/cancel", () => {
  it("cancels a queued run at once", async () => {
    const run = await prisma().run.create({ data: { datasetId, strategy: "uniform", config: {}, seed: 1 } });
    const response = await cancelRun(new Request(`${BASE_URL}/api/runs/${run.id}/cancel`, { method: "POST" }), routeContext(String(run.id)));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ run: { id: run.id, status: "cancelled" } });
    const stored = await prisma().run.findUniqueOrThrow({ where: { id: run.id } });
    expect(stored.status).toBe("cancelled");
  });

  it("names an unknown run", async () => {
    const response = await cancelRun(new Request(`${BASE_URL}/api/runs/424242/cancel`, { method: "POST" }), routeContext("424242"));
    expect(response.status).toBe(404);
    expect((await errorOf(response)).message).toContain("424242");
  });

  describe("when the run is running", () => {
    const workers: Worker[] = [];

    /** Stores a running run and queues its job, as a worker would find it. */
    async function runningRun(): Promise<{ id: number; createdAt: Date }> {
      const run = await prisma().run.create({
        data: { datasetId, strategy: "uniform", config: {}, seed: 1, status: "running", startedAt: new Date() },
        select: { id: true, createdAt: true },
      });
      await enqueueRun(run);
      return run;
    }

    /** Takes the next job the way a worker does, holding its lock for `lockDuration` ms without renewing it. */
    async function takeJob(runId: number, lockDuration: number) {
      const worker = new Worker(stack.queueName, null, { connection: redisConnection(), lockDuration, autorun: false });
      workers.push(worker);
      const token = `test-worker-${runId}`;
      const job = await worker.getNextJob(token);
      expect(job?.data.runId).toBe(runId);
      return { job: job as Job, token };
    }

    async function cancel(runId: number) {
      const response = await cancelRun(new Request(`${BASE_URL}/api/runs/${runId}/cancel`, { method: "POST" }), routeContext(String(runId)));
      expect(response.status).toBe(200);
      const body = (await response.json()) as { run: { status: string } };
      const stored = await prisma().run.findUniqueOrThrow({ where: { id: runId }, select: { status: true, cancelRequested: true } });
      return { answered: body.run.status, stored };
    }

    beforeAll(async () => {
      // Jobs queued by earlier tests would be taken before the ones these tests queue.
      await runQueue(stack.queueName).drain();
    });

    afterAll(async () => {
      for (const worker of workers) await worker.close();
    });

    it("flags a run whose job a worker holds", async () => {
      const run = await runningRun();
      await takeJob(run.id, 60_000);

      const { answered, stored } = await cancel(run.id);

      expect(answered).toBe("cancelling");
      expect(stored).toEqual({ status: "running", cancelRequested: true });
    });

    it("cancels a run whose worker died", async () => {
      const run = await runningRun();
      await takeJob(run.id, 500);
      await new Promise((resolve) => setTimeout(resolve, 1000));

      const { answered, stored } = await cancel(run.id);

      expect(answered).toBe("cancelled");
      expect(stored).toEqual({ status: "cancelled", cancelRequested: true });
    });

    it("cancels a run whose job BullMQ failed", async () => {
      const run = await runningRun();
      const { job, token } = await takeJob(run.id, 60_000);
      await job.moveToFailed(new Error("job stalled more than allowable limit"), token);

      const { answered, stored } = await cancel(run.id);

      expect(answered).toBe("cancelled");
      expect(stored).toEqual({ status: "cancelled", cancelRequested: true });
    });

    it("cancels a run without a job", async () => {
      const run = await prisma().run.create({ data: { datasetId, strategy: "uniform", config: {}, seed: 1, status: "running" } });

      const { answered, stored } = await cancel(run.id);

      expect(answered).toBe("cancelled");
      expect(stored).toEqual({ status: "cancelled", cancelRequested: true });
    });
  });
});

import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as translateRun } from "../../app/api/runs/[id]/translate/route";
import { buildMulti30kRecipe } from "../../lib/datasets/multi30k-recipe";
import { storeDataset } from "../../lib/datasets/store-dataset";
import { prisma } from "../../lib/db";
import { runQueue, translateQueueName } from "../../lib/queue";
import { createRun } from "../../lib/runs";
import type { Translations } from "../../lib/translate-request";
import { startWorkerProcess, type ManagedProcess } from "../../scripts/lib/processes";
import { DecodingModelCache } from "../../worker/decoding-model-cache";
import { type SentenceTranslations, translateSentences } from "../../worker/translate-run";
import { createTestStack, type TestStack } from "../helpers/test-stack";

const ROOT = path.resolve(import.meta.dirname, "../..");
const MULTI30K_DIR = path.resolve(ROOT, "../shared/data/multi30k");
const MICRO_DATA = { clean: 100, noisy: 100, valid: 20, test: 20 };
const EPOCHS = 2;
const RUN_TIMEOUT_MS = 240_000;
const SENTENCES = ["Ein Mann fährt Fahrrad.", "Zwei Hunde spielen im Schnee.", "Eine Frau mit einem roten Hut liest ein Buch."];

let stack: TestStack;
let worker: ManagedProcess;
let runId: number;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run translate` as a user would, with LOG_LEVEL unset, feeding `stdin` when given. */
function runCli(args: string[], stdin?: string): Promise<CliResult> {
  const env = { ...process.env };
  delete env.LOG_LEVEL;
  const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["scripts/translate.ts", ...args], {
    cwd: ROOT,
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  child.stdin.end(stdin ?? "");
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

function postTranslate(id: number, body: unknown): Promise<Response> {
  const request = new Request(`http://127.0.0.1/api/runs/${id}/translate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return translateRun(request, { params: Promise.resolve({ id: String(id) }) });
}

async function waitForCompletion(id: number): Promise<void> {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const run = await prisma().run.findUniqueOrThrow({ where: { id }, select: { status: true, error: true } });
    if (run.status === "completed") return;
    if (run.status === "failed" || run.status === "cancelled") throw new Error(`run ${id} ended ${run.status}: ${run.error}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`run ${id} did not complete within ${RUN_TIMEOUT_MS} ms`);
}

beforeAll(async () => {
  stack = await createTestStack("translate");
  const pairs = await buildMulti30kRecipe(MULTI30K_DIR, MICRO_DATA);
  const datasetId = (await storeDataset("translate", "multi30k:test", pairs)).id;
  worker = startWorkerProcess({ quiet: true });
  runId = (await createRun({ datasetId, strategy: "uniform", preset: "micro", epochs: EPOCHS, seed: 4 })).id;
  await waitForCompletion(runId);
}, 300_000);

afterAll(async () => {
  await worker?.stop();
  await runQueue(translateQueueName(stack?.queueName)).obliterate({ force: true }).catch(() => undefined);
  await stack?.teardown();
});

describe("translation of a trained run", () => {
  let direct: SentenceTranslations;

  beforeAll(async () => {
    direct = await translateSentences({ runId, sentences: SENTENCES, beamSize: 5 });
  });

  it("uses the final checkpoint", () => {
    expect(direct.runId).toBe(runId);
    expect(direct.epoch).toBe(EPOCHS);
    expect(direct.translations).toHaveLength(SENTENCES.length);
  });

  describe("through the API route", () => {
    it("returns the direct translations", async () => {
      const response = await postTranslate(runId, { sentences: SENTENCES });
      const body = (await response.json()) as Translations;
      expect(response.status).toBe(200);
      expect(body).toEqual({ runId, epoch: EPOCHS, beamSize: 5, translations: direct.translations });
    });

    it("names the run and folder of a checkpoint that cannot be loaded", async () => {
      const run = await prisma().run.findUniqueOrThrow({ where: { id: runId }, select: { datasetId: true } });
      const broken = await prisma().run.create({
        data: { datasetId: run.datasetId, strategy: "uniform", config: {}, seed: 1, status: "completed" },
      });
      const missing = path.join(stack.dataDir, "deleted", "epoch-0002");
      await prisma().checkpoint.create({ data: { runId: broken.id, epoch: 2, path: missing } });

      const response = await postTranslate(broken.id, { sentences: SENTENCES });
      const error = ((await response.json()) as { error: { code: string; message: string } }).error;
      expect(response.status).toBe(503);
      expect(error.code).toBe("unavailable");
      expect(error.message).toContain(`run ${broken.id}: translation with checkpoint ${missing} failed`);
    });

    it("decodes greedily for beam size 1", async () => {
      const greedy = await translateSentences({ runId, sentences: SENTENCES, beamSize: 1 });
      const response = await postTranslate(runId, { sentences: SENTENCES, beamSize: 1 });
      expect(((await response.json()) as Translations).translations).toEqual(greedy.translations);
    });
  });

  describe("through the CLI", () => {
    it("translates sentence arguments, one per line", async () => {
      const result = await runCli(["--run", String(runId), ...SENTENCES]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(direct.translations.map((line) => `${line}\n`).join(""));
    });

    it("translates a file, keeping blank lines", async () => {
      const file = path.join(stack.dataDir, "sentences.de");
      await writeFile(file, `${SENTENCES[0]}\n\n${SENTENCES[1]}\n`);
      const result = await runCli(["--run", String(runId), "--file", file]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${direct.translations[0]}\n\n${direct.translations[1]}\n`);
    });

    it("translates stdin", async () => {
      const result = await runCli(["--run", String(runId)], `${SENTENCES.join("\n")}\n`);
      expect(result.code).toBe(0);
      expect(result.stdout.split("\n").slice(0, -1)).toEqual(direct.translations);
    });

    it("translates with a checkpoint folder", async () => {
      const checkpoint = await prisma().checkpoint.findFirstOrThrow({ where: { runId, epoch: EPOCHS } });
      const result = await runCli(["--checkpoint", checkpoint.path, "--beam", "5", ...SENTENCES]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(direct.translations.map((line) => `${line}\n`).join(""));
    });

    it("names an unknown run", async () => {
      const result = await runCli(["--run", "999999", "Hallo"]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr.trim()).toBe("translate: run 999999 not found");
    });

    it("says a run without checkpoint is still training", async () => {
      const run = await prisma().run.findUniqueOrThrow({ where: { id: runId }, select: { datasetId: true } });
      const training = await prisma().run.create({
        data: { datasetId: run.datasetId, strategy: "uniform", config: {}, seed: 1, status: "running" },
      });
      const result = await runCli(["--run", String(training.id), "Hallo"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`run ${training.id} has no checkpoint yet: it is still training`);
    });

    it("rejects empty stdin with usage", async () => {
      const result = await runCli(["--run", String(runId)], "\n");
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("translate: no input: stdin contains no sentence to translate");
      expect(result.stderr).toContain("usage: npm run translate");
    });
  });

  describe("with a model cache of one", () => {
    it("evicts and disposes the older checkpoint", async () => {
      const checkpoints = await prisma().checkpoint.findMany({ where: { runId }, orderBy: { epoch: "asc" } });
      expect(checkpoints.map((checkpoint) => checkpoint.epoch)).toEqual([1, 2]);
      const tensorsBefore = tf.memory().numTensors;
      const models = new DecodingModelCache(1);

      const first = await translateSentences({ checkpointDir: checkpoints[0].path, sentences: SENTENCES, models });
      const tensorsWithOne = tf.memory().numTensors;
      const second = await translateSentences({ checkpointDir: checkpoints[1].path, sentences: SENTENCES, models });

      expect(first.epoch).toBe(1);
      expect(second.translations).toEqual(direct.translations);
      expect(models.checkpointDirs).toEqual([checkpoints[1].path]);
      expect(tf.memory().numTensors).toBe(tensorsWithOne);
      models.clear();
      await new Promise((resolve) => setImmediate(resolve));
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    });
  });
});

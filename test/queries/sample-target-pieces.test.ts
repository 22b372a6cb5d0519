import { cp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MANIFEST_FILE, TOKENIZER_FILE } from "../../lib/checkpoints/checkpoint-manifest";
import { clearCheckpointTokenizerCache, loadCheckpointTokenizer } from "../../lib/checkpoints/load-checkpoint-tokenizer";
import { prisma } from "../../lib/db";
import { MODEL_PRESETS } from "../../lib/presets";
import { getRunSample } from "../../lib/queries/get-run-sample";
import { detokenize } from "../../lib/tokenizer/pretokenize";
import { SubwordTokenizer } from "../../lib/tokenizer/subword-tokenizer";
import { recordCheckpoint, writeTraces } from "../../worker/run-store";
import { createTestStack, type TestStack } from "../helpers/test-stack";
import { type TokenizerCheckpoint, writeTokenizerCheckpoint } from "../helpers/tokenizer-checkpoint";

const MAX_LENGTH = MODEL_PRESETS.micro.maxLength;
/** "zebra" occurs once, so BPE, which merges only pairs seen at least twice, must split it. */
const SPLIT_PAIR = 5;
/** A target of more pieces than the micro preset's maximum length, so training cut it. */
const LONG_PAIR = 6;
const CLEAN_PAIR = 0;
const TARGETS = [
  "a dog runs on the grass",
  "a dog jumps over the fence",
  "two dogs play on the grass",
  "a man rides a horse over the fence",
  "a woman rides a horse on the grass",
  "a zebra runs over the grass",
  Array.from({ length: 12 }, () => "the dog runs").join(" "),
];

let stack: TestStack;
let checkpoint: TokenizerCheckpoint;
let sampleIds: number[];

function pieceStrings(tokenizer: SubwordTokenizer, ids: readonly number[]): string[] {
  return ids.map((id) => tokenizer.pieces[id]);
}

/** Stores a run of the dataset with one epoch of traces, where each noisy pair has one token weight per trained target token. */
async function storeRun(datasetId: number, checkpointPath: string | null): Promise<number> {
  const run = await prisma().run.create({
    data: { datasetId, strategy: "token-weighting", config: { preset: "micro", epochs: 1, strategyParams: {} }, seed: 1, status: "completed", progress: 1 },
  });
  await writeTraces(run.id, 1, sampleIds.map((sampleId, idx) => {
    const tokenWeights = idx === CLEAN_PAIR ? undefined : checkpoint.tgtIds[idx].map(() => 0.5).concat(1);
    return { sampleId, loss: 1, weight: 1, dropped: false, ...(tokenWeights ? { tokenWeights } : {}) };
  }));
  if (checkpointPath !== null) await recordCheckpoint(run.id, 1, checkpointPath);
  return run.id;
}

/** Copies the checkpoint folder, so a test can damage the copy and its path is new to the tokenizer cache. */
async function copyCheckpoint(name: string): Promise<string> {
  const copy = path.join(stack.dataDir, "copies", name);
  await cp(checkpoint.path, copy, { recursive: true });
  return copy;
}

beforeAll(async () => {
  stack = await createTestStack("target_pieces");
  const dataset = await prisma().dataset.create({
    data: { name: "target-pieces", srcLang: "de", tgtLang: "en", source: "test", hash: "a".repeat(64) },
    select: { id: true },
  });
  await prisma().sample.createMany({
    data: TARGETS.map((tgt, idx) => ({ datasetId: dataset.id, split: "train" as const, idx, src: `Satz ${idx}`, tgt, noisy: idx !== CLEAN_PAIR })),
  });
  const samples = await prisma().sample.findMany({ where: { datasetId: dataset.id }, orderBy: { idx: "asc" }, select: { id: true } });
  sampleIds = samples.map((sample) => sample.id);
  checkpoint = await writeTokenizerCheckpoint({
    runDir: path.join(stack.dataDir, "checkpoints", "target-pieces"),
    pairs: TARGETS.map((tgt, idx) => ({ sampleId: sampleIds[idx], src: `Satz ${idx}`, tgt, noisy: idx !== CLEAN_PAIR })),
    datasetHash: "a".repeat(64),
  });
});

afterAll(async () => {
  await stack?.teardown();
});

beforeEach(() => {
  clearCheckpointTokenizerCache();
});

describe("getRunSample target pieces", () => {
  let runId: number;

  beforeAll(async () => {
    const dataset = await prisma().sample.findUniqueOrThrow({ where: { id: sampleIds[0] }, select: { datasetId: true } });
    runId = await storeRun(dataset.datasetId, checkpoint.path);
  });

  it("labels tokens with the checkpoint's pieces", async () => {
    const detail = await getRunSample(runId, sampleIds[SPLIT_PAIR]);
    const expected = [...pieceStrings(checkpoint.tokenizer, checkpoint.tgtIds[SPLIT_PAIR]), "</s>"];

    expect(detail.targetPieces).toEqual({ status: "loaded", pieces: expected, checkpointEpoch: 1 });
    expect(expected.length).toBe(detail.epochs[0].tokenWeights?.length);
    expect(detokenize(expected.slice(0, -1))).toBe(TARGETS[SPLIT_PAIR]);
  });

  it("splits a word seen once into several pieces", async () => {
    const detail = await getRunSample(runId, sampleIds[SPLIT_PAIR]);
    const words = TARGETS[SPLIT_PAIR].split(" ");
    const pieces = detail.targetPieces?.status === "loaded" ? detail.targetPieces.pieces : [];

    expect(pieces.length).toBeGreaterThan(words.length + 1);
    expect(pieces).not.toContain("\u2581zebra");
  });

  it("cuts a long target as training did", async () => {
    const detail = await getRunSample(runId, sampleIds[LONG_PAIR]);
    const pieces = detail.targetPieces?.status === "loaded" ? detail.targetPieces.pieces : [];

    expect(checkpoint.tokenizer.encode(TARGETS[LONG_PAIR]).length).toBeGreaterThan(MAX_LENGTH);
    expect(pieces).toHaveLength(MAX_LENGTH);
    expect(pieces).toEqual([...pieceStrings(checkpoint.tokenizer, checkpoint.tgtIds[LONG_PAIR]), "</s>"]);
    expect(pieces.length).toBe(detail.epochs[0].tokenWeights?.length);
  });

  it("loads no tokenizer for a pair without token weights", async () => {
    const detail = await getRunSample(runId, sampleIds[CLEAN_PAIR]);

    expect(detail.targetPieces).toBeNull();
  });
});

describe("getRunSample without a tokenizer", () => {
  let datasetId: number;

  beforeAll(async () => {
    ({ datasetId } = await prisma().sample.findUniqueOrThrow({ where: { id: sampleIds[0] }, select: { datasetId: true } }));
  });

  it("says when the run has no checkpoint", async () => {
    const runId = await storeRun(datasetId, null);
    const detail = await getRunSample(runId, sampleIds[SPLIT_PAIR]);

    expect(detail.targetPieces).toEqual({ status: "unavailable", reason: "the run has no checkpoint yet" });
  });

  it("says when the checkpoint folder is gone", async () => {
    const deleted = await copyCheckpoint("deleted");
    await rm(deleted, { recursive: true });
    const runId = await storeRun(datasetId, deleted);
    const detail = await getRunSample(runId, sampleIds[SPLIT_PAIR]);

    expect(detail.targetPieces?.status).toBe("unavailable");
    expect(detail.targetPieces).toMatchObject({
      reason: expect.stringMatching(/^the tokenizer of the epoch 1 checkpoint could not be loaded: checkpoint manifest .+ could not be read: ENOENT/),
    });
  });
});

describe("loadCheckpointTokenizer", () => {
  it("reads the checkpoint's tokenizer file", async () => {
    const loaded = await loadCheckpointTokenizer(checkpoint.path);

    expect(loaded.file).toBe(path.join(checkpoint.path, TOKENIZER_FILE));
    expect(loaded.tokenizer.toJson()).toEqual(checkpoint.tokenizer.toJson());
    expect(loaded.maxLength).toBe(MAX_LENGTH);
    expect(loaded.epoch).toBe(1);
  });

  it("keeps a loaded tokenizer in memory", async () => {
    const folder = await copyCheckpoint("cached");
    const first = await loadCheckpointTokenizer(folder);
    await rm(path.join(folder, TOKENIZER_FILE));
    const second = await loadCheckpointTokenizer(folder);

    expect(second.tokenizer).toBe(first.tokenizer);
    expect(second.file).toBe(first.file);
  });

  it("falls back to the cache file the manifest names", async () => {
    const folder = await copyCheckpoint("no-tokenizer-file");
    await rm(path.join(folder, TOKENIZER_FILE));
    const manifest = JSON.parse(await readFile(path.join(folder, MANIFEST_FILE), "utf8")) as { tokenizer: { cacheFile: string | null } };
    const loaded = await loadCheckpointTokenizer(folder);

    expect(manifest.tokenizer.cacheFile).toMatch(/^.+\/tokenizers\/bpe-400-[0-9a-f]+\.json$/);
    expect(loaded.file).toBe(manifest.tokenizer.cacheFile);
    expect(loaded.tokenizer.toJson()).toEqual(checkpoint.tokenizer.toJson());
  });

  it("rejects another tokenizer when no cache file is left", async () => {
    const folder = await copyCheckpoint("other-tokenizer");
    const other = SubwordTokenizer.train({ texts: ["a cat sleeps on a mat"], vocabSize: 40 });
    await writeFile(path.join(folder, TOKENIZER_FILE), JSON.stringify(other.toJson()));
    const manifestFile = path.join(folder, MANIFEST_FILE);
    const manifest = JSON.parse(await readFile(manifestFile, "utf8")) as { tokenizer: { cacheFile: string | null } };
    manifest.tokenizer.cacheFile = path.join(folder, "missing-cache.json");
    await writeFile(manifestFile, JSON.stringify(manifest));
    const load = loadCheckpointTokenizer(folder);

    await expect(load).rejects.toThrow(/checkpoint tokenizer .+ has SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}/);
    await expect(load).rejects.toThrow(/tokenizer cache file .+missing-cache\.json could not be read/);
  });
});

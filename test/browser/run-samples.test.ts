import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../lib/db";
import { WORD_START } from "../../lib/tokenizer/pretokenize";
import { recordCheckpoint, writeTraces, writeTranslations } from "../../worker/run-store";
import { createTestStack, type TestStack } from "../helpers/test-stack";
import { writeTokenizerCheckpoint } from "../helpers/tokenizer-checkpoint";
import { ensureDashboardBuild } from "./dashboard-build";
import { dashboardEnv, startDashboard, type Dashboard } from "./dashboard-server";
import type { ManagedChild } from "./managed-child";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SCREENSHOT_DIR = path.join(ROOT, "test-results/browser");
const CHROMIUM_PATH = process.env.WINNOW_TEST_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const CLEAN_PAIRS = 10;
const NOISY_PAIRS = 20;
const PAIRS = CLEAN_PAIRS + NOISY_PAIRS;
const EPOCHS = 3;
/** Rows per page of the samples tab unless the URL sets pageSize. */
const PAGE_SIZE = 25;

let stack: TestStack;
let browser: Browser | undefined;
let page: Page;
let dashboard: Dashboard;
let runId: number;
/** Sample id of each training pair, by idx. */
let sampleIds: number[];
const servers: ManagedChild[] = [];

/** Targets of the run with a checkpoint. "zebra" occurs once, so BPE splits it into several pieces. */
const PIECE_TARGETS = ["a dog runs on the grass", "two dogs play on the grass", "a horse runs over the grass", "a zebra runs over the grass"];
const SPLIT_PAIR = 3;
/** A pair whose stored token weights are one too many for its pieces. */
const MISMATCH_PAIR = 0;
/** The run with a checkpoint, its sample ids by idx, and the pieces of the split pair's target. */
let pieceRun: { runId: number; sampleIds: number[]; splitPieces: string[] };

/**
 * Weight of a pair in an epoch. Clean pairs keep 1. Noisy pair k (idx CLEAN_PAIRS + k) keeps 1 in
 * epoch 1 and then loses k / 20 per epoch, so in epoch 3 the pairs with k >= 10 reach 0 and are
 * dropped, and those with k >= 5 are below 0.5.
 */
function weightOf(idx: number, epoch: number): number {
  if (idx < CLEAN_PAIRS) return 1;
  const k = idx - CLEAN_PAIRS;
  return Math.max(0, 1 - (k / 20) * (epoch - 1));
}

/** Token weights of a noisy target "noisy caption k": one per word and one for end-of-sentence. */
function tokenWeightsOf(idx: number, epoch: number): number[] | undefined {
  if (idx < CLEAN_PAIRS) return undefined;
  return [1, weightOf(idx, epoch), 0.25, 1];
}

async function storeTracedRun(): Promise<void> {
  const dataset = await prisma().dataset.create({
    data: { name: "samples-tab", srcLang: "de", tgtLang: "en", source: "test", hash: "0" },
    select: { id: true },
  });
  await prisma().sample.createMany({
    data: Array.from({ length: PAIRS }, (_, idx) => ({
      datasetId: dataset.id,
      split: "train" as const,
      idx,
      src: `Quelle ${idx}`,
      tgt: idx < CLEAN_PAIRS ? `clean sentence ${idx}` : `noisy caption ${idx - CLEAN_PAIRS}`,
      noisy: idx >= CLEAN_PAIRS,
    })),
  });
  const samples = await prisma().sample.findMany({ where: { datasetId: dataset.id }, orderBy: { idx: "asc" }, select: { id: true } });
  sampleIds = samples.map((sample) => sample.id);
  const run = await prisma().run.create({
    data: { datasetId: dataset.id, strategy: "token-weighting", config: { preset: "micro", epochs: EPOCHS, strategyParams: {} }, seed: 1, status: "completed", progress: 1 },
  });
  runId = run.id;

  for (let epoch = 1; epoch <= EPOCHS; epoch += 1) {
    await writeTraces(runId, epoch, sampleIds.map((sampleId, idx) => {
      const weight = weightOf(idx, epoch);
      const tokenWeights = tokenWeightsOf(idx, epoch);
      return { sampleId, loss: 2 + idx / 10, weight, dropped: weight === 0, ...(tokenWeights ? { tokenWeights } : {}) };
    }));
    await writeTranslations(runId, epoch, [{ sampleId: sampleIds[CLEAN_PAIRS], hypothesis: `guess after epoch ${epoch}` }]);
  }
}

/**
 * Stores a token-weighting run whose epoch 1 checkpoint is written by the worker's own code, with
 * one token weight per trained target token, except for MISMATCH_PAIR, which has one more.
 */
async function storeRunWithCheckpoint(): Promise<void> {
  const dataset = await prisma().dataset.create({
    data: { name: "sample-pieces", srcLang: "de", tgtLang: "en", source: "test", hash: "1" },
    select: { id: true },
  });
  await prisma().sample.createMany({
    data: PIECE_TARGETS.map((tgt, idx) => ({ datasetId: dataset.id, split: "train" as const, idx, src: `Quelle ${idx}`, tgt, noisy: true })),
  });
  const samples = await prisma().sample.findMany({ where: { datasetId: dataset.id }, orderBy: { idx: "asc" }, select: { id: true } });
  const ids = samples.map((sample) => sample.id);
  const checkpoint = await writeTokenizerCheckpoint({
    runDir: path.join(stack.dataDir, "checkpoints", "sample-pieces"),
    pairs: PIECE_TARGETS.map((tgt, idx) => ({ sampleId: ids[idx], src: `Quelle ${idx}`, tgt, noisy: true })),
  });
  const run = await prisma().run.create({
    data: { datasetId: dataset.id, strategy: "token-weighting", config: { preset: "micro", epochs: 1, strategyParams: {} }, seed: 1, status: "completed", progress: 1 },
  });
  await writeTraces(run.id, 1, ids.map((sampleId, idx) => {
    const extra = idx === MISMATCH_PAIR ? [1] : [];
    const tokenWeights = [...checkpoint.tgtIds[idx].map((_, position) => (position % 2 === 0 ? 0.5 : 1)), 1, ...extra];
    return { sampleId, loss: 2, weight: 1, dropped: false, tokenWeights };
  }));
  await recordCheckpoint(run.id, 1, checkpoint.path);
  const splitPieces = [...checkpoint.tgtIds[SPLIT_PAIR].map((id) => checkpoint.tokenizer.pieces[id]), "</s>"];
  pieceRun = { runId: run.id, sampleIds: ids, splitPieces };
}

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Waits until the pager shows `text`, which the server renders for each new query. */
async function waitForPager(text: string): Promise<void> {
  await expect.poll(() => page.getByTestId("samples-page").textContent()).toBe(text);
}

function rowIndexes(): Promise<number[]> {
  return page.getByTestId("sample-link").allTextContents().then((texts) => texts.map(Number));
}

beforeAll(async () => {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  stack = await createTestStack("samples_tab");
  await storeTracedRun();
  await storeRunWithCheckpoint();
  const env = dashboardEnv(stack.databaseUrl, stack.queueName);
  await ensureDashboardBuild(ROOT, env);
  dashboard = await startDashboard(env, servers);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(30_000);
});

afterAll(async () => {
  await browser?.close();
  for (const server of servers) await server.stop();
  await stack?.teardown();
});

describe("run page samples tab", () => {
  it("lists clean and noisy pairs with traces", async () => {
    await page.goto(`${dashboard.baseUrl}/runs/${runId}`);
    await page.getByTestId("samples-tab-link").click();
    await waitForPager(`Page 1 of 2 (${PAIRS} pairs)`);

    expect(await page.getByTestId("sample-row").count()).toBe(PAGE_SIZE);
    expect(await rowIndexes()).toEqual(Array.from({ length: PAGE_SIZE }, (_, idx) => idx));
    expect(await page.getByTestId("weight-sparkline").first().getAttribute("aria-label")).toBe("weight by epoch: 1, 1, 1");
    const noisyRow = page.locator(`[data-sample-id="${sampleIds[CLEAN_PAIRS + 2]}"]`);
    expect(await noisyRow.getByTestId("weight-sparkline").getAttribute("aria-label")).toBe("weight by epoch: 1, 0.9, 0.8");
    expect(await noisyRow.getByTestId("sample-weight-change").textContent()).toBe("-0.200");
    const firstNoisy = page.locator(`[data-sample-id="${sampleIds[CLEAN_PAIRS]}"]`);
    expect(await firstNoisy.getByTestId("sample-output").textContent()).toBe(`guess after epoch ${EPOCHS}`);
    await screenshot("samples-tab");
  });

  it("pages on the server", async () => {
    await page.getByRole("link", { name: "Next" }).click();
    await waitForPager(`Page 2 of 2 (${PAIRS} pairs)`);

    expect(await rowIndexes()).toEqual([25, 26, 27, 28, 29]);
    expect(page.url()).toContain("page=2");
    expect(await page.getByRole("link", { name: "Next" }).count()).toBe(0);
  });

  it("filters noisy pairs only", async () => {
    await page.getByLabel("Pairs").selectOption("noisy");
    await page.getByRole("button", { name: "Apply" }).click();
    await waitForPager(`Page 1 of 1 (${NOISY_PAIRS} pairs)`);

    expect(new Set(await page.getByTestId("sample-kind").allTextContents())).toEqual(new Set(["noisy"]));
    expect((await rowIndexes())[0]).toBe(CLEAN_PAIRS);
  });

  it("filters clean pairs only", async () => {
    await page.getByLabel("Pairs").selectOption("clean");
    await page.getByRole("button", { name: "Apply" }).click();
    await waitForPager(`Page 1 of 1 (${CLEAN_PAIRS} pairs)`);

    expect(new Set(await page.getByTestId("sample-kind").allTextContents())).toEqual(new Set(["clean"]));
  });

  it("lists pairs dropped at a chosen epoch", async () => {
    await page.getByLabel("Pairs").selectOption("all");
    await page.getByLabel("Show").selectOption("dropped");
    await page.getByLabel("Dropped epoch").fill("3");
    await page.getByRole("button", { name: "Apply" }).click();
    // The clean-only page before also had 10 pairs, so the rows show when the new page is in.
    await expect.poll(rowIndexes).toEqual(Array.from({ length: 10 }, (_, k) => CLEAN_PAIRS + 10 + k));
    expect(await page.getByTestId("samples-page").textContent()).toBe("Page 1 of 1 (10 pairs)");
    expect(page.url()).toContain("droppedEpoch=3");
  });

  it("sorts the most down-weighted first within a weight range", async () => {
    await page.getByLabel("Show").selectOption("down-weighted");
    await page.getByLabel("Min weight").fill("0.15");
    await page.getByLabel("Max weight").fill("0.5");
    await page.getByRole("button", { name: "Apply" }).click();
    // Epoch 3 weights 1 - k/10 from 0.15 to 0.5 are pairs k = 5 to 8, lowest weight first. The
    // bound is below 0.2 because 1 - 8/20 * 2 is 0.19999999999999996 in floating point.
    await waitForPager("Page 1 of 1 (4 pairs)");

    expect(await rowIndexes()).toEqual([18, 17, 16, 15]);
    expect(await page.getByTestId("sample-weight").first().textContent()).toContain("0.200");
  });

  it("sorts by weight change", async () => {
    await page.goto(`${dashboard.baseUrl}/runs/${runId}?tab=samples&sort=weight-change&order=desc&pageSize=3`);
    await waitForPager(`Page 1 of 10 (${PAIRS} pairs)`);

    expect(await rowIndexes()).toEqual([0, 1, 2]);
    await page.goto(`${dashboard.baseUrl}/runs/${runId}?tab=samples&sort=weight-change&order=asc&pageSize=3`);
    await waitForPager(`Page 1 of 10 (${PAIRS} pairs)`);
    expect(await rowIndexes()).toEqual([20, 21, 22]);
  });

  it("names an invalid filter in the address", async () => {
    await page.goto(`${dashboard.baseUrl}/runs/${runId}?tab=samples&minWeight=heavy`);
    const error = page.getByTestId("samples-query-error");

    expect(await error.textContent()).toContain("minWeight: must be a non-negative decimal number");
  });

  it("moves the weight histogram between epochs", async () => {
    await page.goto(`${dashboard.baseUrl}/runs/${runId}?tab=samples`);
    const histogram = page.getByTestId("weight-histogram");
    await histogram.locator(".recharts-bar-rectangle").first().waitFor();
    const barShapes = () => histogram.locator(".recharts-bar-rectangle path").evaluateAll((paths) => paths.map((path) => path.getAttribute("d")));

    expect(await histogram.getByTestId("histogram-epoch").textContent()).toBe(String(EPOCHS));
    expect(await histogram.getByTestId("histogram-totals").textContent()).toBe(`${CLEAN_PAIRS} clean, ${NOISY_PAIRS} noisy pairs`);
    const lastEpochBars = await barShapes();

    await histogram.getByLabel("Epoch").fill("0");
    await expect.poll(() => histogram.getByTestId("histogram-epoch").textContent()).toBe("1");
    // In epoch 1 every weight is 1, so only the last bin has bars.
    await expect.poll(barShapes).not.toEqual(lastEpochBars);
    await screenshot("samples-histogram-epoch-1");
  });
});

describe("sample page", () => {
  it("shows the trace and token weights", async () => {
    await page.goto(`${dashboard.baseUrl}/runs/${runId}?tab=samples&noise=noisy`);
    await page.locator(`[data-sample-id="${sampleIds[CLEAN_PAIRS + 4]}"]`).getByTestId("sample-link").click();
    await page.getByTestId("token-weights").waitFor();

    expect(await page.getByTestId("sample-target").textContent()).toBe("noisy caption 4");
    expect(await page.getByTestId("sample-epoch-row").count()).toBe(EPOCHS);
    expect(await page.getByTestId("dropped-epochs").textContent()).toBe("Never dropped.");
    const tokens = page.getByTestId("token");
    expect(await tokens.locator("span").allTextContents()).toEqual(["noisy", "1.00", "caption", "0.60", "4", "0.25", "</s>", "1.00"]);
    expect(await page.getByTestId("token-labels-note").textContent()).toBe(
      "Tokens are labelled by word or position instead of subword pieces because the run has no checkpoint yet.",
    );
    const shades = await tokens.evaluateAll((elements) => elements.map((element) => getComputedStyle(element).backgroundColor));
    expect(shades[0]).not.toBe(shades[1]);
    expect(shades[0]).toBe(shades[3]);

    await page.getByLabel("Epoch").selectOption("1");
    await expect.poll(() => tokens.nth(1).locator(".token-weight").textContent()).toBe("1.00");
    await screenshot("sample-page");
  });

  it("labels token weights with the tokenizer's pieces", async () => {
    await page.goto(`${dashboard.baseUrl}/runs/${pieceRun.runId}/samples/${pieceRun.sampleIds[SPLIT_PAIR]}`);
    await page.getByTestId("token-weights").waitFor();
    const tokens = page.getByTestId("token");
    const words = PIECE_TARGETS[SPLIT_PAIR].split(" ");

    expect(pieceRun.splitPieces.length).toBeGreaterThan(words.length + 1);
    // A piece that is only the word-start marker keeps it; other pieces are shown without it.
    const shown = pieceRun.splitPieces.map((piece) => (piece === WORD_START ? piece : piece.replace(WORD_START, "")));
    expect(await tokens.locator(".token-label").allTextContents()).toEqual(shown);
    expect(await tokens.evaluateAll((elements) => elements.filter((element) => element.classList.contains("word-start")).length)).toBe(words.length);
    expect(await tokens.first().getAttribute("title")).toBe(`${pieceRun.splitPieces[0]}: weight 0.5`);
    expect(await page.getByTestId("token-labels-note").textContent()).toBe(
      "Subword pieces of the run's tokenizer (epoch 1 checkpoint). A wider gap marks the start of a word.",
    );
    await screenshot("sample-page-pieces");
  });

  it("says when pieces and weights differ in number", async () => {
    await page.goto(`${dashboard.baseUrl}/runs/${pieceRun.runId}/samples/${pieceRun.sampleIds[MISMATCH_PAIR]}`);
    const note = page.getByTestId("token-labels-note");
    await note.waitFor();
    const weightCount = await page.getByTestId("token").count();

    expect(await note.textContent()).toBe(
      `The run's tokenizer splits the target into ${weightCount - 1} pieces, but epoch 1 stored ${weightCount} token weights, so tokens are labelled by word or position.`,
    );
    expect(await page.getByTestId("token").last().locator(".token-label").textContent()).toBe("</s>");
  });

  it("lists dropped epochs and stored outputs", async () => {
    await page.goto(`${dashboard.baseUrl}/runs/${runId}/samples/${sampleIds[CLEAN_PAIRS + 19]}`);
    expect(await page.getByTestId("dropped-epochs").textContent()).toBe("Dropped in epoch 3.");

    await page.goto(`${dashboard.baseUrl}/runs/${runId}/samples/${sampleIds[CLEAN_PAIRS]}`);
    const outputs = await page.getByTestId("sample-epoch-row").locator("td:last-child").allTextContents();
    expect(outputs).toEqual(["guess after epoch 1", "guess after epoch 2", "guess after epoch 3"]);
  });

  it("shows no token weights for a clean pair", async () => {
    await page.goto(`${dashboard.baseUrl}/runs/${runId}/samples/${sampleIds[0]}`);

    expect(await page.getByTestId("token-weights-none").count()).toBe(1);
  });

  it("names a sample id that is not a number", async () => {
    const response = await page.goto(`${dashboard.baseUrl}/runs/${runId}/samples/abc`);
    const reason = page.getByTestId("sample-not-found-reason");
    await reason.waitFor();

    expect(response?.status()).toBe(404);
    expect(await reason.textContent()).toContain('sample id must be an integer from 1 to 2147483647, got "abc"');
  });

  it("names a sample outside the run", async () => {
    const response = await page.goto(`${dashboard.baseUrl}/runs/${runId}/samples/999999`);
    const reason = page.getByTestId("sample-not-found-reason");
    await reason.waitFor();

    expect(response?.status()).toBe(404);
    expect(await reason.textContent()).toBe(`sample 999999 is not a training pair of run ${runId}`);
  });
});

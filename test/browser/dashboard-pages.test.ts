import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../lib/db";
import { degrade, makeReferences } from "../comparison/comparison-fixtures";
import { storeComparisonDataset, storeComparisonRun } from "../comparison/stored-runs";
import { createTestStack, type TestStack } from "../helpers/test-stack";
import { ensureDashboardBuild } from "./dashboard-build";
import { dashboardEnv, startDashboard as startDashboardServer, type Dashboard } from "./dashboard-server";
import type { ManagedChild } from "./managed-child";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SCREENSHOT_DIR = path.join(ROOT, "test-results/browser");
const POSTGRES_SERVER = process.env.WINNOW_TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const CHROMIUM_PATH = process.env.WINNOW_TEST_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
/** The compare page refreshes every 2 s while a run is active; this leaves room for a slow machine. */
const REFRESH_TIMEOUT_MS = 15_000;
/** A noisy pair without spaces, as a scraped URL or a tokenizer bug can produce. */
const LONG_SOURCE = `Ein${"x".repeat(600)}`;
const LONG_TARGET = `https://example.org/${"a".repeat(600)}`;

let stack: TestStack;
let browser: Browser | undefined;
let page: Page;
const servers: ManagedChild[] = [];
const extraDatabases: string[] = [];

function startDashboard(databaseUrl: string): Promise<Dashboard> {
  return startDashboardServer(dashboardEnv(databaseUrl, stack.queueName), servers);
}

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Stores a dataset whose noisy pairs include one long unbroken pair, and a completed run on it. */
async function storeRunWithLongPair(): Promise<{ runId: number; datasetId: number }> {
  const dataset = await prisma().dataset.create({
    data: { name: "long-strings", srcLang: "de", tgtLang: "en", source: "test", hash: "0" },
    select: { id: true },
  });
  await prisma().sample.createMany({
    data: [
      { datasetId: dataset.id, split: "train", idx: 0, src: "Ein Hund läuft.", tgt: "A dog runs.", noisy: false },
      { datasetId: dataset.id, split: "train", idx: 1, src: LONG_SOURCE, tgt: LONG_TARGET, noisy: true },
      { datasetId: dataset.id, split: "train", idx: 2, src: "Zwei Katzen.", tgt: "Two cats sleep.", noisy: true },
    ],
  });
  const run = await prisma().run.create({
    data: {
      datasetId: dataset.id,
      strategy: "uniform",
      config: { preset: "micro", epochs: 1, strategyParams: {} },
      seed: 1,
      status: "completed",
      progress: 1,
    },
  });
  const noisy = await prisma().sample.findMany({ where: { datasetId: dataset.id, noisy: true }, select: { id: true } });
  await prisma().sampleTrace.createMany({
    data: noisy.map((sample) => ({ runId: run.id, sampleId: sample.id, epoch: 1, loss: 12.3456, weight: 1 })),
  });
  return { runId: run.id, datasetId: dataset.id };
}

/** Returns how many lines of text an element's content takes up. */
function renderedLines(element: Element): number {
  const range = document.createRange();
  range.selectNodeContents(element);
  return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
}

async function createEmptyDatabase(): Promise<string> {
  const name = `winnow_test_unmigrated_${randomBytes(4).toString("hex")}`;
  const client = new pg.Client({ connectionString: POSTGRES_SERVER });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  extraDatabases.push(name);
  return Object.assign(new URL(POSTGRES_SERVER), { pathname: `/${name}` }).toString();
}

async function dropExtraDatabases(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_SERVER });
  await client.connect();
  try {
    for (const name of extraDatabases) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

let dashboard: Dashboard;
let longRunId: number;
let datasetId: number;

beforeAll(async () => {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  stack = await createTestStack("pages");
  ({ runId: longRunId, datasetId } = await storeRunWithLongPair());
  await ensureDashboardBuild(ROOT, dashboardEnv(stack.databaseUrl, stack.queueName));
  dashboard = await startDashboard(stack.databaseUrl);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(30_000);
});

afterAll(async () => {
  await browser?.close();
  for (const server of servers) await server.stop();
  await dropExtraDatabases();
  await stack?.teardown();
});

describe("samples tab", () => {
  it("wraps long unbroken strings", async () => {
    await page.goto(`${dashboard.baseUrl}/runs/${longRunId}?tab=samples&noise=noisy`);
    const table = page.getByTestId("samples-table");
    await table.waitFor();

    const widths = await table.evaluate((element) => ({
      table: element.getBoundingClientRect().width,
      wrap: (element.parentElement as HTMLElement).clientWidth,
      scroll: (element.parentElement as HTMLElement).scrollWidth,
    }));
    const longRow = page.getByTestId("sample-row").first();

    expect(widths.table).toBeLessThanOrEqual(widths.wrap);
    expect(widths.scroll).toBeLessThanOrEqual(widths.wrap);
    expect(await longRow.getByTestId("sample-src").textContent()).toBe(LONG_SOURCE);
    expect(await longRow.getByTestId("sample-src").evaluate(renderedLines)).toBeGreaterThan(5);
    // The number columns keep one line beside the wrapped text.
    expect(await longRow.getByTestId("sample-weight").textContent()).toBe("1.000");
    expect(await longRow.getByTestId("sample-weight").evaluate(renderedLines)).toBe(1);
    expect(await longRow.getByTestId("sample-loss").evaluate(renderedLines)).toBe(1);
    await screenshot("run-page-long-strings");
  });
});

describe("compare page", () => {
  it("refreshes while a run is active", async () => {
    const active = await prisma().run.create({
      data: { datasetId, strategy: "uniform", config: { preset: "micro", epochs: 1, strategyParams: {} }, seed: 2 },
    });
    await page.goto(`${dashboard.baseUrl}/compare?runs=${active.id},${longRunId}`);
    const status = page.getByTestId(`compare-row-${active.id}`).locator(".status");
    expect(await status.textContent()).toBe("queued");
    expect(await page.getByTestId("compare-refreshing").count()).toBe(1);

    await prisma().run.update({ where: { id: active.id }, data: { status: "completed", progress: 1 } });

    await expect.poll(() => status.textContent(), { timeout: REFRESH_TIMEOUT_MS }).toBe("completed");
    expect(await page.getByTestId("compare-refreshing").count()).toBe(0);
  });

  it("names a missing run beside the others", async () => {
    const response = await page.goto(`${dashboard.baseUrl}/compare?runs=${longRunId},999999`);

    expect(response?.status()).toBe(200);
    expect(await page.getByTestId(`compare-row-${longRunId}`).count()).toBe(1);
    expect(await page.getByTestId("compare-missing").textContent()).toBe(
      "No run exists with id #999999; the comparison shows the other runs.",
    );
  });
});

describe("compare page by strategy", () => {
  const references = makeReferences(200);
  let runIds: number[];

  beforeAll(async () => {
    const dataset = await storeComparisonDataset("strategies", references);
    const specs = [
      { strategy: "uniform", seed: 1, validBleu: [10, 20, 24], test: { bleu: 30, chrf: 50, hypotheses: degrade(references, 3, 0) } },
      { strategy: "uniform", seed: 2, validBleu: [12, 22, 26], test: { bleu: 32, chrf: 52, hypotheses: degrade(references, 3, 1) } },
      { strategy: "clean-only", seed: 1, validBleu: [14, 25, 29], test: { bleu: 35, chrf: 55, hypotheses: degrade(references, 9, 0) } },
      { strategy: "clean-only", seed: 2, validBleu: [16, 27, 31], test: { bleu: 37, chrf: 56, hypotheses: degrade(references, 8, 0) } },
      { strategy: "clean-only", seed: 3, validBleu: [15] },
    ];
    runIds = [];
    for (const spec of specs) runIds.push(await storeComparisonRun(dataset, spec));
  });

  it("shows strategy bands and p-values", async () => {
    await page.goto(`${dashboard.baseUrl}/compare?runs=${runIds.join(",")}&baseline=strategy:uniform`);
    const cleanRow = page.getByTestId("strategy-row-1");
    await cleanRow.waitFor();

    expect(await page.getByTestId("strategy-chart").locator(".recharts-area").count()).toBe(2);
    expect(await cleanRow.getAttribute("data-strategy")).toBe("clean-only");
    expect(await cleanRow.getByTestId("strategy-test-bleu").textContent()).toBe("36.00 ± 1.41");
    expect(await cleanRow.getByTestId("strategy-p-bleu").textContent()).toMatch(/^0\.\d{4}$/);
    expect(await page.getByTestId("strategy-row-0").textContent()).toContain("(baseline)");
    expect(await page.getByTestId("comparison-notes").textContent()).toContain(
      `Run #${runIds[4]} (clean-only, seed 3) is running, so it is left out of the statistics.`,
    );
    await screenshot("compare-by-strategy");
  });

  it("switches the baseline to one run", async () => {
    await page.goto(`${dashboard.baseUrl}/compare?runs=${runIds.join(",")}`);
    await page.getByTestId("compare-baseline").selectOption(`run:${runIds[0]}`);
    await page.waitForURL(/baseline=run/);
    const runRow = page.getByTestId(`run-significance-${runIds[3]}`);
    await runRow.waitFor();

    expect(await runRow.locator("td").nth(3).textContent()).toBe(`against #${runIds[0]}`);
    expect(await runRow.getByTestId("run-p-bleu").textContent()).toMatch(/^0\.\d{4}$/);
  });

  it("names a baseline run not compared", async () => {
    await page.goto(`${dashboard.baseUrl}/compare?runs=${runIds.join(",")}&baseline=run:999999`);

    expect(await page.getByTestId("compare-baseline-error").textContent()).toBe(
      `baseline run 999999 is not among the compared runs (${runIds.join(", ")}); the baseline is uniform instead.`,
    );
  });
});

describe("dashboard without a usable database", () => {
  describe("when the database is not migrated", () => {
    let unmigrated: Dashboard;

    beforeAll(async () => {
      unmigrated = await startDashboard(await createEmptyDatabase());
    });

    it("returns a JSON error naming the fix", async () => {
      const response = await fetch(`${unmigrated.baseUrl}/api/runs`);
      const body = (await response.json()) as { error: { code: string; message: string } };

      expect(response.status).toBe(503);
      expect(body.error.code).toBe("unavailable");
      expect(body.error.message).toContain("run npm run migrate");
    });

    it("shows the error page", async () => {
      await page.goto(unmigrated.baseUrl);

      const diagnosis = page.getByTestId("error-diagnosis");
      await diagnosis.waitFor();

      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("This page could not be loaded");
      expect(await diagnosis.textContent()).toContain("the database schema is missing or out of date");
      expect(await diagnosis.textContent()).toContain("run npm run migrate");
      await screenshot("error-page-unmigrated");
    });
  });

  describe("when DATABASE_URL is not a Postgres URL", () => {
    let misconfigured: Dashboard;

    beforeAll(async () => {
      misconfigured = await startDashboard("mysql://winnow:secret-password@127.0.0.1:3306/winnow");
    });

    it("returns a JSON error naming the variable", async () => {
      const response = await fetch(`${misconfigured.baseUrl}/api/runs`);
      const body = (await response.json()) as { error: { code: string; message: string } };

      expect(response.status).toBe(500);
      expect(body.error.message).toContain("DATABASE_URL must use the postgres:// or postgresql:// scheme, got mysql://");
      expect(body.error.message).not.toContain("secret-password");
    });

    it("shows the error page", async () => {
      await page.goto(misconfigured.baseUrl);

      const diagnosis = page.getByTestId("error-diagnosis");
      await diagnosis.waitFor();

      expect(await diagnosis.textContent()).toContain("DATABASE_URL must use the postgres:// or postgresql:// scheme");
    });
  });
});

import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { chromium, type Browser, type Page } from "playwright-core";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDashboardBuild } from "./dashboard-build";
import { findFreePort } from "./free-port";
import { runChild, startChild, type ManagedChild } from "./managed-child";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "node_modules/.bin");
const SCREENSHOT_DIR = path.join(ROOT, "test-results/browser");
const POSTGRES_SERVER = process.env.WINNOW_TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.WINNOW_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const CHROMIUM_PATH = process.env.WINNOW_TEST_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** The micro data preset's noisy training pairs, and the table's page size. */
const MICRO_NOISY_PAIRS = 100;
const SAMPLES_PAGE_SIZE = 25;
/** Micro epochs take about a second; after 8 the model writes non-empty, if poor, translations. */
const TRAINED_EPOCHS = 8;
const SERVER_START_TIMEOUT_MS = 60_000;
/** Eight micro epochs take seconds on a CPU; the large margin keeps a loaded CI machine from failing the test. */
const RUN_TIMEOUT_MS = 240_000;
/** The first translation starts the worker's translate child process and loads the checkpoint. */
const TRANSLATE_TIMEOUT_MS = 90_000;
const TRY_IT_SENTENCE = "Ein Mann fährt mit dem Fahrrad.";

const suffix = randomBytes(4).toString("hex");
const databaseUrl = Object.assign(new URL(POSTGRES_SERVER), { pathname: `/winnow_test_browser_${suffix}` }).toString();
const queueName = `test-browser-${suffix}`;
const childEnv: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: databaseUrl,
  REDIS_URL,
  WINNOW_QUEUE: queueName,
  LOG_LEVEL: "warn",
  NEXT_TELEMETRY_DISABLED: "1",
  // vitest sets NODE_ENV=test, a value Next.js warns against; the children run as in production.
  NODE_ENV: "production",
};

const children: ManagedChild[] = [];
let browser: Browser | undefined;
let page: Page;
let baseUrl: string;

function describeChildren(): string {
  return children.map((child) => child.outputTail()).join("\n");
}

async function dropDatabase(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_SERVER });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${new URL(databaseUrl).pathname.slice(1)}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

async function waitForServer(web: ManagedChild): Promise<void> {
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (web.hasExited()) throw new Error(`the dashboard exited before it responded:\n${web.outputTail()}`);
    const response = await fetch(`${baseUrl}/api/datasets`).catch(() => null);
    if (response?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the dashboard did not respond at ${baseUrl} within ${SERVER_START_TIMEOUT_MS} ms:\n${web.outputTail()}`);
}

async function countRuns(): Promise<number> {
  const body = (await (await fetch(`${baseUrl}/api/runs`)).json()) as { runs: unknown[] };
  return body.runs.length;
}

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Migrates and fills the database with the scripts users run, then starts the worker and the dashboard. */
async function startStack(): Promise<string> {
  await runChild("migrate", path.join(BIN, "tsx"), ["scripts/migrate.ts"], { cwd: ROOT, env: childEnv });
  const importOutput = await runChild("import", path.join(BIN, "tsx"), ["scripts/import-multi30k.ts", "--preset", "micro"], { cwd: ROOT, env: childEnv });
  const datasetId = importOutput.trim().split("\n").at(-1) ?? "";
  expect(datasetId).toMatch(/^\d+$/);

  await ensureDashboardBuild(ROOT, childEnv);
  const port = await findFreePort();
  baseUrl = `http://127.0.0.1:${port}`;
  children.push(startChild("worker", path.join(BIN, "tsx"), ["worker/main.ts"], { cwd: ROOT, env: childEnv }));
  const web = startChild("web", path.join(BIN, "next"), ["start", "--hostname", "127.0.0.1", "--port", String(port)], { cwd: ROOT, env: childEnv });
  children.push(web);
  await waitForServer(web);
  return datasetId;
}

/**
 * Closes the browser, stops the children, and removes the queue and the database. Each step runs
 * even when an earlier one fails, and the failures are thrown together at the end.
 */
async function stopStack(): Promise<void> {
  const failures: unknown[] = [];
  const attempt = async (step: () => unknown) => {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  };

  await attempt(() => browser?.close());
  for (const child of [...children].reverse()) {
    await attempt(() => child.stop());
  }

  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection: redis });
  await attempt(() => queue.obliterate({ force: true }));
  await attempt(() => queue.close());
  await attempt(() => redis.disconnect());
  await attempt(() => dropDatabase());
  if (failures.length > 0) throw new AggregateError(failures, `cleanup of database ${new URL(databaseUrl).pathname.slice(1)} and queue ${queueName} failed`);
}

let datasetId: string;

// afterAll runs even when beforeAll fails part-way, so every child started so far is stopped.
beforeAll(async () => {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  datasetId = await startStack();
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(30_000);
});

afterAll(async () => {
  await stopStack();
});

describe("new-run page", () => {
  let runId: string;

  it("shows API field errors beside inputs", async () => {
    await page.goto(`${baseUrl}/runs/new`);
    await page.getByLabel("Dataset").selectOption(datasetId);
    await page.getByLabel("Strategy").selectOption("fixed-weight");
    await page.getByLabel("Epochs").fill("0");
    await page.getByRole("button", { name: "Launch run" }).click();

    const epochsError = page.locator(".field.invalid", { has: page.getByLabel("Epochs") }).getByRole("alert");
    await expect.poll(() => epochsError.textContent()).toContain("got 0");
    expect(await page.getByTestId("form-error").textContent()).toContain("epochs");
    expect(new URL(page.url()).pathname).toBe("/runs/new");
    await screenshot("new-run-field-error");
  });

  it("rejects text in number fields", async () => {
    const runsBefore = await countRuns();
    await page.goto(`${baseUrl}/runs/new`);
    await page.getByLabel("Dataset").selectOption(datasetId);
    await page.getByLabel("Strategy").selectOption("fixed-weight");
    await page.getByLabel("lambda").fill("");
    await page.getByLabel("lambda").pressSequentially("e");
    await page.getByLabel("Epochs").pressSequentially("e");
    await page.getByLabel("Seed").fill("");
    await page.getByLabel("Seed").pressSequentially("--7");
    await page.getByRole("button", { name: "Launch run" }).click();

    const fieldError = (label: string) => page.locator(".field.invalid", { has: page.getByLabel(label) }).getByRole("alert");
    await expect.poll(() => fieldError("Epochs").textContent()).toBe("Epochs must be a number, such as 10");
    expect(await fieldError("Seed").textContent()).toBe("Seed must be a number, such as 10");
    expect(await fieldError("lambda").textContent()).toBe("lambda must be a number, such as 0.5");
    expect(await page.getByTestId("form-error").textContent()).toContain("Epochs must be a number");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(new URL(page.url()).pathname).toBe("/runs/new");
    expect(await countRuns()).toBe(runsBefore);
    await screenshot("new-run-unreadable-number");
  });

  it("renders lambda from the strategy schema", async () => {
    await page.goto(`${baseUrl}/runs/new`);
    await page.getByLabel("Strategy").selectOption("fixed-weight");
    const lambda = page.getByLabel("lambda");
    expect(await lambda.inputValue()).toBe("0.3");
    expect(await lambda.getAttribute("min")).toBe("0");
    expect(await lambda.getAttribute("max")).toBe("1");
    const help = await page.locator(".field", { has: lambda }).locator(".help").textContent();
    expect(help).toContain("Weight of every noisy pair");
  });

  it("opens the run page after launch", async () => {
    await page.getByLabel("Preset").selectOption("micro");
    await page.getByLabel("Epochs").fill(String(TRAINED_EPOCHS));
    await page.getByRole("button", { name: "Launch run" }).click();

    await page.waitForURL(/\/runs\/\d+$/);
    runId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(`Run #${runId}`);
    expect(await page.getByTestId("run-strategy").textContent()).toBe("fixed-weight");
    expect(await page.getByTestId("run-preset").textContent()).toBe("micro");
    expect(await page.getByTestId("run-epochs").textContent()).toBe(String(TRAINED_EPOCHS));
  });

  it("shows the run completed on the runs list", async () => {
    await page.goto(baseUrl);
    const status = page.getByTestId(`run-status-${runId}`);
    // The list refreshes itself while a run is active; no reload happens here.
    await expect
      .poll(async () => {
        const text = await status.textContent();
        if (text === "failed" || text === "cancelled") throw new Error(`run ${runId} ended ${text}:\n${describeChildren()}`);
        return text;
      }, { timeout: RUN_TIMEOUT_MS, interval: 1000, message: `run ${runId} did not complete:\n${describeChildren()}` })
      .toBe("completed");
    const row = page.getByTestId(`run-row-${runId}`);
    expect(await row.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("100");
    await screenshot("runs-list");
  });

  it("charts loss and BLEU per epoch", async () => {
    await page.goto(`${baseUrl}/runs/${runId}`);
    expect(await page.getByTestId("run-status").textContent()).toBe("completed");

    const epochRows = page.getByTestId("epoch-metrics-table").locator("tbody tr");
    expect(await epochRows.count()).toBe(TRAINED_EPOCHS);
    const losses = (await page.getByTestId("epoch-train-loss").allTextContents()).map(Number);
    const bleus = (await page.getByTestId("epoch-valid-bleu").allTextContents()).map(Number);
    for (const loss of losses) expect(loss).toBeGreaterThan(0);
    for (const bleu of bleus) expect(bleu).toBeGreaterThanOrEqual(0);

    for (const chartId of ["chart-train-loss", "chart-valid-bleu"]) {
      const chart = page.getByTestId(chartId);
      const curve = chart.locator("path.recharts-line-curve").first();
      expect(await curve.getAttribute("d")).toMatch(/^M[\d.]+,[\d.]+[LC][\d.]+,[\d.]+/);
      expect(await chart.locator(".recharts-line-dots").first().locator("circle").count()).toBe(TRAINED_EPOCHS);
    }
  });

  it("shows test BLEU, chrF and backend", async () => {
    // A micro model trained for seconds writes poor translations, so 0.00 is a valid score here.
    expect(await page.getByTestId("test-bleu").textContent()).toMatch(/^\d+\.\d{2}$/);
    expect(await page.getByTestId("test-chrf").textContent()).toMatch(/^\d+\.\d{2}$/);
    expect(await page.getByTestId("run-backend").textContent()).not.toBe("–");
  });

  it("translates a sentence in the Try-it box", async () => {
    const box = page.getByTestId("try-it");
    await box.getByLabel("Sentences to translate, one per line (at most 20)").fill(TRY_IT_SENTENCE);
    await box.getByRole("button", { name: "Translate" }).click();

    const translation = box.getByTestId("try-it-translation");
    await translation.waitFor({ timeout: TRANSLATE_TIMEOUT_MS });
    expect(await box.getByTestId("try-it-error").count()).toBe(0);
    expect(await box.locator("caption").textContent()).toBe(`Translated with the checkpoint of epoch ${TRAINED_EPOCHS}`);
    expect(await box.locator("tbody td").first().textContent()).toBe(TRY_IT_SENTENCE);

    // The box shows what the API returns for the same sentence, now that the model is loaded.
    const response = await fetch(`${baseUrl}/api/runs/${runId}/translate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sentences: [TRY_IT_SENTENCE] }),
    });
    const expected = (await response.json()) as { translations: string[] };
    expect(expected.translations[0]).not.toBe("");
    expect(await translation.textContent()).toBe(expected.translations[0]);
    await screenshot("try-it");
  });

  it("lists noisy pairs with their weights", async () => {
    await page.goto(`${baseUrl}/runs/${runId}?tab=samples&noise=noisy`);
    const rows = page.getByTestId("sample-row");
    expect(await rows.count()).toBe(SAMPLES_PAGE_SIZE);
    const weights = await page.getByTestId("sample-weight").allTextContents();
    expect(new Set(weights)).toEqual(new Set(["0.300"]));
    const losses = (await page.getByTestId("sample-loss").allTextContents()).map(Number);
    for (const loss of losses) expect(loss).toBeGreaterThan(0);
    const pageCount = Math.ceil(MICRO_NOISY_PAIRS / SAMPLES_PAGE_SIZE);
    expect(await page.getByTestId("samples-page").textContent()).toBe(`Page 1 of ${pageCount} (${MICRO_NOISY_PAIRS} pairs)`);
    await screenshot("run-page");
  });

  it("pages the noisy pairs on the server", async () => {
    const firstSource = await page.getByTestId("sample-src").first().textContent();
    await page.getByRole("link", { name: "Next" }).click();
    await expect.poll(() => page.getByTestId("samples-page").textContent()).toContain("Page 2 of");
    expect(await page.getByTestId("sample-row").count()).toBe(SAMPLES_PAGE_SIZE);
    expect(await page.getByTestId("sample-src").first().textContent()).not.toBe(firstSource);
  });

  it("overlays the run on the compare page", async () => {
    await page.goto(`${baseUrl}/compare?runs=${runId}`);
    expect(await page.getByTestId(`compare-row-${runId}`).count()).toBe(1);
    const chart = page.getByTestId("compare-chart");
    const legend = await chart.locator(".recharts-legend-item-text").allTextContents();
    expect(legend).toEqual([`#${runId} fixed-weight (lambda=0.3), seed 1`]);
    expect(await chart.locator(".recharts-line-dots circle").count()).toBe(TRAINED_EPOCHS);
    await screenshot("compare");
  });

  it("names a missing run beside the others", async () => {
    const response = await page.goto(`${baseUrl}/compare?runs=${runId},999999`);

    expect(response?.status()).toBe(200);
    expect(await page.getByTestId(`compare-row-${runId}`).count()).toBe(1);
    expect(await page.getByTestId("compare-missing").textContent()).toContain("#999999");
    expect(await page.getByTestId("compare-missing").textContent()).not.toContain(`#${runId}`);
  });

  it("returns 404 for unknown run ids", async () => {
    expect((await page.goto(`${baseUrl}/runs/999999`))?.status()).toBe(404);
    expect((await page.goto(`${baseUrl}/compare?runs=999998,999999`))?.status()).toBe(404);
  });

  it("renders curriculum mode as a select", async () => {
    await page.goto(`${baseUrl}/runs/new`);
    await page.getByLabel("Strategy").selectOption("curriculum");
    const mode = page.getByLabel("mode", { exact: true });

    expect(await mode.evaluate((element) => element.tagName)).toBe("SELECT");
    expect(await mode.locator("option").allTextContents()).toEqual(["anneal", "gradual"]);
    expect(await mode.inputValue()).toBe("anneal");
    const help = await page.locator(".field", { has: mode }).locator(".help").textContent();
    expect(help).toContain("anneal: noisy weight falls from lambda0 to 0 over the epochs.");
    expect(help).toContain("gradual: each epoch keeps a shrinking share of the noisy pairs");
  });
});

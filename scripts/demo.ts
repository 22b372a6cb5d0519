import { existsSync, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { closeDatabase, prisma } from "../lib/db";
import { closeQueues } from "../lib/queue";
import { createRun } from "../lib/runs";
import type { StrategyName } from "../lib/strategies";
import { prepare } from "./lib/prepare";
import {
  assertPortFree, NEXT_BIN, PROJECT_ROOT, runToEnd, startDashboard, startWorkerProcess, waitForHttp, type ManagedProcess,
} from "./lib/processes";
import { formatRunTable, loadRunReports, waitForRuns } from "./lib/run-report";

const USAGE = `usage: npm run demo -- [--port 3000] [--exit-when-done]
Starts Postgres and Redis if needed, migrates, imports the Multi30k tiny recipe, builds and
serves the dashboard, starts a worker and trains uniform, clean-only and fixed-weight runs.
  --port            dashboard port on 127.0.0.1 (default 3000)
  --exit-when-done  stop everything once the runs finish instead of serving until Ctrl-C`;

const DEMO_STRATEGIES: StrategyName[] = ["uniform", "clean-only", "fixed-weight"];
const DEMO_PRESET = "tiny";
const DASHBOARD_START_TIMEOUT_MS = 60_000;
const log = (line: string) => console.error(`[demo] ${line}`);

async function newestSourceTime(dir: string): Promise<number> {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds the dashboard when there is no build yet or app/, components/ or lib/ changed since. */
async function buildDashboardIfStale(): Promise<void> {
  const buildId = path.join(PROJECT_ROOT, ".next/BUILD_ID");
  const builtAt = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
  const sources = await Promise.all(["app", "components", "lib"].map((dir) => newestSourceTime(path.join(PROJECT_ROOT, dir))));
  if (builtAt > Math.max(...sources)) return;
  log("building the dashboard (next build)");
  await runToEnd("build", NEXT_BIN, ["build"]);
}

/** Queues the demo runs, reusing runs of the same strategy that a previous demo left. */
async function queueDemoRuns(datasetId: number): Promise<number[]> {
  const runIds: number[] = [];
  for (const strategy of DEMO_STRATEGIES) {
    const existing = await prisma().run.findFirst({
      where: { datasetId, strategy, seed: 1, status: { in: ["queued", "running", "completed"] }, config: { path: ["preset"], equals: DEMO_PRESET } },
      select: { id: true },
      orderBy: { id: "desc" },
    });
    if (existing) {
      log(`run ${existing.id} (${strategy}) exists from an earlier demo; reusing it`);
      runIds.push(existing.id);
      continue;
    }
    const run = await createRun({ datasetId, strategy, preset: DEMO_PRESET, seed: 1 });
    log(`queued run ${run.id}: ${strategy}`);
    runIds.push(run.id);
  }
  return runIds;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: "string", default: "3000" }, "exit-when-done": { type: "boolean", default: false }, help: { type: "boolean", default: false } } });
  if (values.help) return console.log(USAGE);
  const port = Number(values.port);
  if (!/^[0-9]+$/.test(values.port) || port < 1 || port > 65535) {
    throw new Error(`--port must be an integer from 1 to 65535, got ${values.port}`);
  }
  await assertPortFree(port);

  const { services, datasetId } = await prepare(DEMO_PRESET, log);
  const children: ManagedProcess[] = [];
  const shutdown = async () => {
    for (const child of children.reverse()) await child.stop();
    await closeQueues();
    await closeDatabase();
    await services.stop();
  };
  process.once("SIGINT", () => void shutdown().finally(() => process.exit(0)));
  process.once("SIGTERM", () => void shutdown().finally(() => process.exit(0)));
  try {
    await buildDashboardIfStale();
    const dashboard = startDashboard(port, { quiet: true });
    children.push(dashboard);
    await waitForHttp(`http://127.0.0.1:${port}/`, dashboard, DASHBOARD_START_TIMEOUT_MS);
    log(`dashboard: http://127.0.0.1:${port}`);
    const worker = startWorkerProcess();
    children.push(worker);
    const runIds = await queueDemoRuns(datasetId);
    await waitForRuns(runIds, log, { pollMs: 5000, worker });
    console.log(formatRunTable(await loadRunReports(runIds)));
    if (values["exit-when-done"]) return await shutdown();
    log(`runs finished; the dashboard stays up at http://127.0.0.1:${port} until Ctrl-C`);
  } catch (error) {
    await shutdown();
    throw error;
  }
}

try {
  await main();
} catch (error) {
  console.error(`demo failed: ${(error as Error).message}`);
  process.exit(1);
}

import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { closeDatabase, prisma } from "../lib/db";
import { exitWithError } from "../lib/exit-with-error";
import { closeQueues } from "../lib/queue";
import { listStudyCells } from "./lib/plan-study";
import { prepare } from "./lib/prepare";
import { reconcileStudy } from "./lib/reconcile-study";
import { waitForRuns } from "./lib/run-report";
import { parseStudyOptions, STUDY_USAGE, type StudyOptions } from "./lib/study-options";
import { createStudyProgress } from "./lib/study-progress";
import { buildStudyReport } from "./lib/study-report";
import { checkWritable } from "./lib/training-options";
import type { Services } from "./lib/services";
import { startWorkerPool, type WorkerPool } from "./lib/worker-pool";

/** Exit code after Ctrl-C or SIGTERM, as shells report a process ended by SIGINT. */
const INTERRUPTED_EXIT_CODE = 130;

const log = (line: string) => console.error(`[study] ${line}`);

/** Processes and services the study started, for the cleanup that runs at the end or on Ctrl-C. */
interface Started {
  services?: Services;
  workers?: WorkerPool;
}

/** Stops what the study started, one step at a time, so that one failure does not skip the rest. */
async function stopAll(started: Started): Promise<void> {
  const steps: [string, () => Promise<unknown> | undefined][] = [
    ["stop the workers", () => started.workers?.stop()],
    ["close the queues", () => closeQueues()],
    ["close the database", () => closeDatabase()],
    ["stop the services", () => started.services?.stop()],
  ];
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (error) {
      log(`${name} failed: ${(error as Error).message}`);
    }
  }
}

/** Creates the output folder when it is the default one, and checks it can be written. */
async function prepareOutput(options: StudyOptions): Promise<void> {
  if (!options.outGiven) await mkdir(path.dirname(options.out), { recursive: true });
  await checkWritable("--out", options.out);
}

/** Starts the workers for the runs still to train and waits for every run to finish. */
async function trainPending(runIds: number[], pending: number, options: StudyOptions, started: Started, signal: AbortSignal): Promise<void> {
  const size = Math.min(options.workers, pending);
  log(`starting ${size} worker process${size === 1 ? "" : "es"} for ${pending} run${pending === 1 ? "" : "s"} to train`);
  started.workers = startWorkerPool({ size, cores: os.availableParallelism(), log });
  await waitForRuns(runIds, log, { worker: started.workers, signal, formatProgress: createStudyProgress(runIds.length) });
  await started.workers.stop();
}

/** Lists the runs that did not complete, with their status and error. */
async function describeUnfinished(runIds: number[]): Promise<string[]> {
  const runs = await prisma().run.findMany({
    where: { id: { in: runIds }, status: { not: "completed" } },
    select: { id: true, strategy: true, seed: true, status: true, error: true },
    orderBy: { id: "asc" },
  });
  return runs.map((run) => `run ${run.id} (${run.strategy}, seed ${run.seed}) ${run.status}${run.error ? `: ${run.error}` : ""}`);
}

async function runStudy(options: StudyOptions, started: Started, signal: AbortSignal): Promise<number> {
  await prepareOutput(options);
  const prepared = await prepare(options.data, log);
  started.services = prepared.services;
  signal.throwIfAborted();

  const cells = listStudyCells(options.strategies, options.seeds);
  const settings = { datasetId: prepared.datasetId, preset: options.preset, epochs: options.epochs };
  const study = await reconcileStudy({ name: options.name, cells, settings, log });
  log(`${cells.length} runs: ${study.keptCount} completed and kept, ${study.waitingCount} queued or running, ${study.queuedCount} newly queued`);
  const pending = study.waitingCount + study.queuedCount;
  if (pending > 0) await trainPending(study.runIds, pending, options, started, signal);

  const report = await buildStudyReport({
    title: `Study ${options.name}`,
    settings: [
      `Sweep ${study.sweepId} "${options.name}": model preset ${options.preset}, data preset ${options.data} (dataset ${prepared.datasetId}), ${options.epochs} epochs, seeds 1 to ${options.seeds}.`,
      `Runs: ${study.runIds.join(", ")}.`,
    ],
    strategies: options.strategies,
    runIds: study.runIds,
  });
  console.log(report.text);
  await writeFile(options.out, report.markdown);
  log(`saved the table to ${options.out}`);

  const unfinished = await describeUnfinished(study.runIds);
  if (unfinished.length === 0) return 0;
  log(`${unfinished.length} run${unfinished.length === 1 ? "" : "s"} did not complete; run the same command again to queue them again:\n  ${unfinished.join("\n  ")}`);
  return 1;
}

/**
 * Entry point of `npm run study`. Ctrl-C (or SIGTERM) stops the workers this command started and
 * exits without waiting for training: their runs stay running, and the next start of the same
 * command resumes them from their newest checkpoints. A second Ctrl-C exits at once.
 */
async function main(): Promise<void> {
  let options: StudyOptions | undefined;
  try {
    options = parseStudyOptions(process.argv.slice(2));
  } catch (error) {
    exitWithError("study", error);
  }
  if (!options) {
    console.log(STUDY_USAGE);
    return;
  }

  const started: Started = {};
  const interruption = new AbortController();
  const interrupt = (signal: NodeJS.Signals) => {
    if (interruption.signal.aborted) process.exit(INTERRUPTED_EXIT_CODE);
    log(`${signal}: stopping the workers; unfinished runs stay in the sweep, and the same command resumes them`);
    interruption.abort(new Error(`interrupted by ${signal}`));
    void stopAll(started).finally(() => process.exit(INTERRUPTED_EXIT_CODE));
  };
  process.on("SIGINT", interrupt);
  process.on("SIGTERM", interrupt);

  try {
    process.exitCode = await runStudy(options, started, interruption.signal);
  } catch (error) {
    // After an interruption, errors come from the cleanup pulling services away; interrupt() exits.
    if (interruption.signal.aborted) return;
    await stopAll(started);
    exitWithError("study", error);
  }
  await stopAll(started);
}

await main();

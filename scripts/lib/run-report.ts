import { z } from "zod";
import { prisma } from "../../lib/db";

/** One row of the experiment table: a run's strategy and its parameters, seed, curves and final scores. */
export interface RunReport {
  runId: number;
  strategy: string;
  /** The strategy's hyperparameters with defaults filled in, as the run trained with them. */
  strategyParams: Record<string, StrategyParamValue>;
  seed: number;
  status: string;
  error: string | null;
  validBleuByEpoch: number[];
  bestValidBleu: number | null;
  testBleu: number | null;
  testChrf: number | null;
  testLengthRatio: number | null;
  wallSeconds: number | null;
  backend: string | null;
}

/** A strategy parameter as Run.config stores it: a number, or a choice such as curriculum's mode. */
type StrategyParamValue = number | string | boolean;

// Run.config stores the parsed run config, whose strategyParams have their defaults filled in.
const storedParamsSchema = z.object({
  strategyParams: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
});

/** Reads the runs' rows and metrics and shapes them as report rows, in the order given. */
export async function loadRunReports(runIds: number[]): Promise<RunReport[]> {
  const runs = await prisma().run.findMany({
    where: { id: { in: runIds } },
    select: {
      id: true, strategy: true, config: true, seed: true, status: true, error: true, bestValidBleu: true,
      testBleu: true, testChrf: true, startedAt: true, finishedAt: true, backend: true,
      metrics: { where: { name: { in: ["valid_bleu", "test_length_ratio"] } }, select: { name: true, epoch: true, value: true }, orderBy: { epoch: "asc" } },
    },
  });
  const byId = new Map(runs.map((run) => [run.id, run]));
  return runIds.flatMap((id) => {
    const run = byId.get(id);
    if (!run) return [];
    const wallSeconds = run.startedAt && run.finishedAt ? (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000 : null;
    return [{
      runId: run.id,
      strategy: run.strategy,
      strategyParams: storedParamsSchema.parse(run.config).strategyParams,
      seed: run.seed,
      status: run.status,
      error: run.error,
      validBleuByEpoch: run.metrics.filter((m) => m.name === "valid_bleu").map((m) => m.value),
      bestValidBleu: run.bestValidBleu,
      testBleu: run.testBleu,
      testChrf: run.testChrf,
      testLengthRatio: run.metrics.find((m) => m.name === "test_length_ratio")?.value ?? null,
      wallSeconds,
      backend: run.backend,
    }];
  });
}

const fixed = (value: number | null, digits = 2) => (value === null ? "-" : value.toFixed(digits));

/** Formats a strategy with its parameters, as "fixed-weight(lambda=0.3)" or "uniform". */
export function formatStrategy(strategy: string, params: Record<string, StrategyParamValue>): string {
  const entries = Object.entries(params).map(([name, value]) => `${name}=${value}`);
  return entries.length > 0 ? `${strategy}(${entries.join(",")})` : strategy;
}

/** Formats the reports as an aligned plain-text table. */
export function formatRunTable(reports: RunReport[]): string {
  const header = ["run", "strategy", "seed", "status", "valid BLEU per epoch", "test BLEU", "chrF", "len ratio", "wall s"];
  const rows = reports.map((report) => [
    String(report.runId), formatStrategy(report.strategy, report.strategyParams), String(report.seed), report.status,
    report.validBleuByEpoch.map((bleu) => bleu.toFixed(1)).join(" "),
    fixed(report.testBleu), fixed(report.testChrf), fixed(report.testLengthRatio, 3), fixed(report.wallSeconds, 0),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join("  ").trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

const FINISHED = new Set(["completed", "failed", "cancelled"]);

/** A run's state as waitForRuns polls it. */
export interface RunProgress {
  id: number;
  status: string;
  /** Fraction of training steps done, 0 to 1. */
  progress: number;
}

export interface WaitForRunsOptions {
  /** Milliseconds between two polls of Postgres. Default 2000. */
  pollMs?: number;
  /** The process that trains the runs: when it exits first, waiting stops with an error instead of hanging. */
  worker?: { exitedWith(): string | undefined };
  /** Stops the waiting: it rejects with the signal's reason at the next poll. */
  signal?: AbortSignal;
  /** Formats the progress line, which is printed when it changes. Default: each run's status and progress. */
  formatProgress?: (runs: RunProgress[]) => string;
}

const formatEachRun = (runs: RunProgress[]) => runs.map((run) => `run ${run.id} ${run.status} ${Math.round(run.progress * 100)}%`).join(", ");

/** Polls Postgres until every run has finished, printing progress when it changes. */
export async function waitForRuns(runIds: number[], log: (line: string) => void, options: WaitForRunsOptions = {}): Promise<void> {
  const pollMs = options.pollMs ?? 2000;
  const formatProgress = options.formatProgress ?? formatEachRun;
  let last = "";
  for (;;) {
    options.signal?.throwIfAborted();
    const workerExit = options.worker?.exitedWith();
    if (workerExit) throw new Error(`the worker stopped (${workerExit}) before runs ${runIds.join(", ")} finished`);
    const runs = await prisma().run.findMany({ where: { id: { in: runIds } }, select: { id: true, status: true, progress: true }, orderBy: { id: "asc" } });
    const summary = formatProgress(runs);
    if (summary !== last) log(summary);
    last = summary;
    if (runs.length === runIds.length && runs.every((run) => FINISHED.has(run.status))) return;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

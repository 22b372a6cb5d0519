import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { closeDatabase } from "../lib/db";
import { closeQueues } from "../lib/queue";
import { DATA_PRESETS, MODEL_PRESETS } from "../lib/presets";
import { createRun } from "../lib/runs";
import { STRATEGY_NAMES } from "../lib/strategies";
import { prepare } from "./lib/prepare";
import { startWorkerProcess } from "./lib/processes";
import { formatRunTable, loadRunReports, waitForRuns } from "./lib/run-report";
import { checkWritable, parseTrainingOptions } from "./lib/training-options";

const USAGE = `usage: npm run experiment -- [--preset tiny] [--data NAME] [--strategies a,b,...] [--seeds 1] [--epochs N] [--json FILE]
Trains one run per strategy and seed through the BullMQ queue with a local worker, waits, and
prints a table of validation BLEU per epoch, final test BLEU, chrF and wall time.
  --preset      model preset: ${Object.keys(MODEL_PRESETS).join(", ")} (default tiny); the data size follows it
  --data        data preset instead of the model preset's: ${Object.keys(DATA_PRESETS).join(", ")}
  --strategies  comma-separated, from: ${STRATEGY_NAMES.join(", ")} (default uniform,clean-only,fixed-weight)
  --seeds       seeds per strategy, 1..N (default 1)
  --epochs      epochs per run (default: the preset's)
  --json        also write the table as JSON to FILE
Exits with 0 only when every run completed.`;

const log = (line: string) => console.error(line);

function parseOptions() {
  const { values } = parseArgs({
    options: {
      preset: { type: "string", default: "tiny" },
      data: { type: "string" },
      strategies: { type: "string", default: "uniform,clean-only,fixed-weight" },
      seeds: { type: "string", default: "1" },
      epochs: { type: "string" },
      json: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return { ...parseTrainingOptions(values), json: values.json };
}

async function main(): Promise<number> {
  const options = parseOptions();
  if (options.json) await checkWritable("--json", options.json);
  const started = Date.now();
  const { services, datasetId } = await prepare(options.data, log);
  const worker = startWorkerProcess();
  // Ctrl-C stops the worker this script started too, rather than leaving it training unattended.
  const interrupt = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the worker; queued and running runs stay in the queue for the next worker`);
    void worker.stop().finally(() => process.exit(130));
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  try {
    const runIds: number[] = [];
    for (let seed = 1; seed <= options.seeds; seed++) {
      for (const strategy of options.strategies) {
        const run = await createRun({ datasetId, strategy, preset: options.preset, epochs: options.epochs, seed });
        log(`queued run ${run.id}: ${strategy}, seed ${seed}`);
        runIds.push(run.id);
      }
    }
    await waitForRuns(runIds, log, { worker });
    const reports = await loadRunReports(runIds);
    console.log(formatRunTable(reports));
    const wallSeconds = (Date.now() - started) / 1000;
    console.log(`wall time: ${wallSeconds.toFixed(0)} s`);
    if (options.json) {
      await writeFile(options.json, `${JSON.stringify({ preset: options.preset, data: options.data, datasetId, wallSeconds, runs: reports }, null, 2)}\n`);
    }
    return reports.every((report) => report.status === "completed") ? 0 : 1;
  } finally {
    await worker.stop();
    await closeQueues();
    await closeDatabase();
    await services.stop();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`experiment failed: ${(error as Error).message}`);
  process.exitCode = 1;
}

import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { DATA_PRESETS, MODEL_PRESETS } from "../../lib/presets";
import { STRATEGY_NAMES } from "../../lib/strategies";
import { MAX_SEEDS, parseTrainingOptions, parseWholeNumber, type TrainingOptions } from "./training-options";

export const STUDY_USAGE = `usage: npm run study -- [--preset compact] --seeds N [--strategies a,b,...] [--epochs E] [--data NAME]
                       [--workers K] [--name NAME] [--out FILE]
Trains every strategy with seeds 1..N on the Multi30k clean+noisy recipe through the BullMQ queue,
with local worker processes, and prints and saves the comparison table: per strategy the seeds,
mean and standard deviation of test BLEU and chrF2, and paired bootstrap p-values and 95% CIs
against clean-only and against uniform. The study is stored as a sweep: running the same command
again keeps its completed runs, waits for its queued and running ones, and queues failed or
cancelled ones again. Ctrl-C stops the workers and leaves the runs to the next start.
  --preset      model preset: ${Object.keys(MODEL_PRESETS).join(", ")} (default compact)
  --seeds       seeds per strategy, 1 to ${MAX_SEEDS} (required)
  --strategies  comma-separated, from: ${STRATEGY_NAMES.join(", ")} (default: all)
  --epochs      epochs per run, 1 to 500 (default: the preset's)
  --data        data preset: ${Object.keys(DATA_PRESETS).join(", ")} (default: the preset's, small for compact)
  --workers     worker processes, each training one run at a time (default: one per CPU core, ${os.availableParallelism()} here)
  --name        name of the study's sweep (default: <preset>-<data>-<epochs>ep)
  --out         file for the Markdown table (default: studies/<name>.md)
Exits with 0 only when every run completed, and with 130 after Ctrl-C.`;

/** Maximum worker processes: far more than the cores of one machine would only slow every run. */
export const MAX_WORKERS = 256;

/** Maximum length of a sweep name, which becomes the default file name too. */
export const MAX_STUDY_NAME_LENGTH = 200;

/** Folder for the tables of studies saved without --out, relative to the working directory. */
export const STUDIES_DIR = "studies";

export interface StudyOptions extends TrainingOptions {
  /** Epochs per run, resolved to the model preset's when --epochs is not given. */
  epochs: number;
  workers: number;
  name: string;
  /** Path of the Markdown table file. */
  out: string;
  /** True when --out was given; the default folder is created when missing. */
  outGiven: boolean;
}

function parseWorkers(text: string | undefined): number {
  if (text === undefined) return os.availableParallelism();
  const workers = parseWholeNumber(text);
  if (!Number.isSafeInteger(workers) || workers < 1) throw new Error(`--workers must be a positive integer, got ${text}`);
  if (workers > MAX_WORKERS) throw new Error(`--workers must be at most ${MAX_WORKERS}, got ${text}`);
  return workers;
}

function parseName(text: string): string {
  if (text.trim() === "" || text.length > MAX_STUDY_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(text)) {
    throw new Error(`--name must be 1 to ${MAX_STUDY_NAME_LENGTH} characters without control characters, got ${JSON.stringify(text.slice(0, 40))}`);
  }
  return text;
}

/** Turns a sweep name into a file name: characters other than letters, digits, ".", "_" and "-" become "-". */
export function studyFileName(name: string): string {
  return `${name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[.-]+/, "") || "study"}.md`;
}

/**
 * Parses the command line of `npm run study`. Returns undefined for --help. Every error names the
 * option and the value it got.
 */
export function parseStudyOptions(args: string[]): StudyOptions | undefined {
  const { values } = parseArgs({
    args,
    options: {
      preset: { type: "string", default: "compact" },
      seeds: { type: "string" },
      strategies: { type: "string", default: STRATEGY_NAMES.join(",") },
      epochs: { type: "string" },
      data: { type: "string" },
      workers: { type: "string" },
      name: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return undefined;
  if (values.seeds === undefined) throw new Error("--seeds is required: the number of seeds per strategy, such as --seeds 3");

  const training = parseTrainingOptions({ ...values, seeds: values.seeds });
  const epochs = training.epochs ?? MODEL_PRESETS[training.preset].epochs;
  const workers = parseWorkers(values.workers);
  const name = parseName(values.name ?? `${training.preset}-${training.data}-${epochs}ep`);
  const out = values.out ?? path.join(STUDIES_DIR, studyFileName(name));
  return { ...training, epochs, workers, name, out, outGiven: values.out !== undefined };
}

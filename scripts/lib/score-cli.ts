import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { WinnowError } from "../../lib/errors";
import { corpusBleu, createBleuMetric } from "../../lib/metrics/bleu";
import { corpusChrf, createChrfMetric } from "../../lib/metrics/chrf";
import {
  DEFAULT_RANDOMIZATION_TRIALS,
  pairedApproximateRandomization,
} from "../../lib/metrics/paired-approximate-randomization";
import { DEFAULT_BOOTSTRAP_RESAMPLES, pairedBootstrap } from "../../lib/metrics/paired-bootstrap";
import { DEFAULT_PAIRED_TEST_SEED, type NamedSystem } from "../../lib/metrics/paired-test";
import type { SegmentMetric } from "../../lib/metrics/segment-metric";
import { trimTrailingWhitespace } from "../../lib/metrics/split-whitespace";
import { type CorpusScore, formatScoreReport, type ScoreOutcome } from "./score-report";

const METRIC_NAMES = ["bleu", "chrf"] as const;

type MetricName = (typeof METRIC_NAMES)[number];

const DEFAULT_METRICS = "bleu,chrf";

export const SCORE_USAGE = `usage: npm run score -- --ref REF --hyp SYS [SYS...] [--metrics ${DEFAULT_METRICS}]
                       [--paired-bs | --paired-ar] [--paired-bs-n N] [--paired-ar-n N] [--seed N] [--json]
Scores system outputs against references as sacreBLEU 2.6.0 does. Files have one sentence a line.
  --ref REF          reference file; repeat --ref for several references per sentence
  --hyp SYS [SYS...] system output files, each with one line per reference line
  --metrics LIST     comma-separated metrics from ${METRIC_NAMES.join(", ")} (default ${DEFAULT_METRICS})
  --paired-bs        paired bootstrap resampling test: the first --hyp is the baseline
  --paired-ar        paired approximate randomization test: the first --hyp is the baseline
  --paired-bs-n N    bootstrap resamples, a positive integer (default ${DEFAULT_BOOTSTRAP_RESAMPLES})
  --paired-ar-n N    randomization trials, a positive integer (default ${DEFAULT_RANDOMIZATION_TRIALS})
  --seed N           seed of winnow's random generator for a paired test, 0 to 4294967295
                     (default ${DEFAULT_PAIRED_TEST_SEED}); the draws differ from sacreBLEU's for the same seed
  --json             print JSON: for a paired test sacreBLEU's list of {score, p_value, mean, ci}
                     per system and metric, otherwise {score, signature} per system and metric
Without a paired test, one system prints sacreBLEU's score lines and several print a table.`;

export interface ScoreCliOptions {
  referencePaths: string[];
  /** System output files in command-line order. In a paired test the first is the baseline. */
  hypothesisPaths: string[];
  metrics: MetricName[];
  test: { kind: "bs" | "ar"; samples: number; seed: number } | null;
  json: boolean;
}

const POSITIVE_INTEGER = /^[1-9]\d*$/;

const UNSIGNED_INTEGER = /^(0|[1-9]\d*)$/;

const MAX_SEED = 2 ** 32 - 1;

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      tokens: true,
      options: {
        ref: { type: "string", multiple: true },
        hyp: { type: "string", multiple: true },
        metrics: { type: "string", default: DEFAULT_METRICS },
        "paired-bs": { type: "boolean", default: false },
        "paired-ar": { type: "boolean", default: false },
        "paired-bs-n": { type: "string" },
        "paired-ar-n": { type: "string" },
        seed: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    // parseArgs names an unknown option or a missing value, so its message is kept.
    throw new WinnowError("invalid_input", `invalid arguments: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Collects the system files in command-line order: the values of --hyp and the positional
 * arguments after the first --hyp, so `--hyp a.txt b.txt` and `--hyp a.txt --hyp b.txt` both work.
 */
function collectHypothesisPaths(tokens: NonNullable<ReturnType<typeof parseCommandLine>["tokens"]>): string[] {
  const paths: string[] = [];
  for (const token of tokens) {
    if (token.kind === "option" && token.name === "hyp" && token.value !== undefined) {
      paths.push(token.value);
    } else if (token.kind === "positional") {
      if (paths.length === 0) {
        throw new WinnowError("invalid_input", `unexpected argument ${JSON.stringify(token.value)}: system files follow --hyp`);
      }
      paths.push(token.value);
    }
  }
  return paths;
}

function parseMetricList(list: string): MetricName[] {
  const names = list.split(",").map((name) => name.trim().toLowerCase());
  for (const name of names) {
    if (!(METRIC_NAMES as readonly string[]).includes(name)) {
      const known = METRIC_NAMES.join(", ");
      throw new WinnowError("invalid_input", `--metrics must list metrics from ${known}, got ${JSON.stringify(name)}`);
    }
  }
  return [...new Set(names as MetricName[])];
}

function parseInteger(option: string, value: string, pattern: RegExp, range: string, max = Number.MAX_SAFE_INTEGER): number {
  const number = Number(value);
  if (!pattern.test(value) || number > max) {
    throw new WinnowError("invalid_input", `${option} must be ${range}, got ${JSON.stringify(value)}`);
  }
  return number;
}

type ParsedValues = ReturnType<typeof parseCommandLine>["values"];

/** Reads the paired-test options, rejecting the ones that have no effect without their test. */
function parsePairedTest(values: ParsedValues): ScoreCliOptions["test"] {
  if (values["paired-bs"] && values["paired-ar"]) {
    throw new WinnowError("invalid_input", "give either --paired-bs or --paired-ar, not both");
  }
  if (values["paired-bs-n"] !== undefined && !values["paired-bs"]) {
    throw new WinnowError("invalid_input", "--paired-bs-n sets the resamples of --paired-bs, which is not given");
  }
  if (values["paired-ar-n"] !== undefined && !values["paired-ar"]) {
    throw new WinnowError("invalid_input", "--paired-ar-n sets the trials of --paired-ar, which is not given");
  }
  if (!values["paired-bs"] && !values["paired-ar"]) {
    if (values.seed !== undefined) throw new WinnowError("invalid_input", "--seed applies only to --paired-bs or --paired-ar");
    return null;
  }

  const seed =
    values.seed === undefined
      ? DEFAULT_PAIRED_TEST_SEED
      : parseInteger("--seed", values.seed, UNSIGNED_INTEGER, `an integer from 0 to ${MAX_SEED}`, MAX_SEED);
  if (values["paired-bs"]) {
    const samples = values["paired-bs-n"] ?? String(DEFAULT_BOOTSTRAP_RESAMPLES);
    return { kind: "bs", samples: parseInteger("--paired-bs-n", samples, POSITIVE_INTEGER, "a positive integer"), seed };
  }
  const samples = values["paired-ar-n"] ?? String(DEFAULT_RANDOMIZATION_TRIALS);
  return { kind: "ar", samples: parseInteger("--paired-ar-n", samples, POSITIVE_INTEGER, "a positive integer"), seed };
}

/**
 * Parses the command line of `npm run score` (without node and the script). Returns "help" for
 * --help. Throws an invalid_input WinnowError that names the bad option and its value.
 */
export function parseScoreArgs(argv: string[]): ScoreCliOptions | "help" {
  const { values, tokens } = parseCommandLine(argv);
  if (values.help) return "help";

  const referencePaths = values.ref ?? [];
  if (referencePaths.length === 0) throw new WinnowError("invalid_input", "missing --ref REF: which file has the references?");
  const hypothesisPaths = collectHypothesisPaths(tokens ?? []);
  if (hypothesisPaths.length === 0) throw new WinnowError("invalid_input", "missing --hyp SYS: which files should be scored?");

  return {
    referencePaths,
    hypothesisPaths,
    metrics: parseMetricList(values.metrics),
    test: parsePairedTest(values),
    json: values.json,
  };
}

/**
 * Splits a file into lines as sacreBLEU reads it: "\r\n" and "\r" end lines like "\n" (Python's
 * universal newlines), a final line break adds no line, and trailing whitespace is stripped.
 */
export function splitFileLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.map(trimTrailingWhitespace);
}

/** Reads one file's lines. Throws an invalid_input WinnowError for an unreadable or empty file. */
async function readLines(option: string, path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new WinnowError("invalid_input", `${option} ${path} could not be read: ${(error as Error).message}`, { cause: error });
  }

  const lines = splitFileLines(text);
  if (lines.length === 0) throw new WinnowError("invalid_input", `${option} ${path} is empty: it has no lines to score`);
  return lines;
}

/** Reads each system's output, named by its path, and checks its line count against the references. */
async function readSystems(paths: readonly string[], referencePath: string, referenceCount: number): Promise<NamedSystem[]> {
  const systems: NamedSystem[] = [];
  for (const path of paths) {
    const hypotheses = await readLines("--hyp", path);
    if (hypotheses.length !== referenceCount) {
      throw new WinnowError(
        "invalid_input",
        `--hyp ${path} has ${hypotheses.length} lines but --ref ${referencePath} has ${referenceCount}; ` +
          "each system file needs one line per reference line",
      );
    }
    systems.push({ name: path, hypotheses });
  }
  return systems;
}

/** Reads the references as streams and checks that all reference files have the same line count. */
async function readReferences(paths: readonly string[]): Promise<string[][]> {
  const streams: string[][] = [];
  for (const path of paths) {
    const lines = await readLines("--ref", path);
    if (streams.length > 0 && lines.length !== streams[0].length) {
      const message = `--ref ${path} has ${lines.length} lines but --ref ${paths[0]} has ${streams[0].length}`;
      throw new WinnowError("invalid_input", message);
    }
    streams.push(lines);
  }
  return streams;
}

/**
 * Removes repeated system files. As in sacreBLEU, a paired test skips a later copy of the
 * baseline's file, and any other repeat is an error because two systems would share a name.
 */
function distinctSystemPaths(paths: readonly string[], paired: boolean): string[] {
  const distinct: string[] = [];
  for (const path of paths) {
    if (!distinct.includes(path)) {
      distinct.push(path);
    } else if (!(paired && path === distinct[0])) {
      throw new WinnowError("invalid_input", `--hyp ${path} is given twice, but each system file may appear only once`);
    }
  }
  return distinct;
}

function createMetric(name: MetricName, references: string[][]): SegmentMetric {
  return name === "bleu" ? createBleuMetric(references) : createChrfMetric(references);
}

function scoreSystem(system: NamedSystem, metrics: readonly MetricName[], references: string[][]): CorpusScore[] {
  return metrics.map((metric) => {
    if (metric === "bleu") {
      const bleu = corpusBleu(system.hypotheses, references);
      return { name: "BLEU", signature: bleu.signature, score: bleu.score, bleu };
    }
    const chrf = corpusChrf(system.hypotheses, references);
    return { name: chrf.name, signature: chrf.signature, score: chrf.score };
  });
}

/** Reads the files, scores the systems or runs the paired test, and returns what to print. */
export async function runScore(options: ScoreCliOptions): Promise<ScoreOutcome> {
  const references = await readReferences(options.referencePaths);
  const paths = distinctSystemPaths(options.hypothesisPaths, options.test !== null);
  const systems = await readSystems(paths, options.referencePaths[0], references[0].length);

  if (options.test === null) {
    const scored = systems.map((system) => ({ name: system.name, scores: scoreSystem(system, options.metrics, references) }));
    return { kind: "scores", systems: scored };
  }

  if (systems.length < 2) {
    throw new WinnowError(
      "invalid_input",
      "a paired test needs a baseline and at least one system: give two or more --hyp files",
    );
  }
  const [baseline, ...others] = systems;
  const input = {
    baseline: { name: `Baseline: ${baseline.name}`, hypotheses: baseline.hypotheses },
    systems: others,
    metrics: options.metrics.map((name) => createMetric(name, references)),
  };
  const { kind, samples, seed } = options.test;
  const report =
    kind === "bs"
      ? pairedBootstrap(input, { resamples: samples, seed })
      : pairedApproximateRandomization(input, { trials: samples, seed });
  return { kind: "paired", report };
}

/**
 * Runs `npm run score`: prints the scores or the paired test on stdout, or the error on stderr.
 * Returns the exit code: 0 on success, 2 for invalid arguments or input, 1 otherwise.
 */
export async function runScoreCli(argv: string[]): Promise<number> {
  try {
    const options = parseScoreArgs(argv);
    if (options === "help") {
      console.log(SCORE_USAGE);
      return 0;
    }
    const outcome = await runScore(options);
    console.log(formatScoreReport(outcome, options.json ? "json" : "text"));
    return 0;
  } catch (error) {
    const invalid = error instanceof WinnowError && error.code === "invalid_input";
    console.error(`score: ${(error as Error).message}${invalid ? `\n${SCORE_USAGE}` : ""}`);
    return invalid ? 2 : 1;
  }
}

import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";
import { DATA_PRESETS, type DataPresetName, MODEL_PRESETS, type ModelPresetName } from "../../lib/presets";
import { MAX_EPOCHS } from "../../lib/run-config";
import { STRATEGY_NAMES, type StrategyName, strategyNameSchema } from "../../lib/strategies";
import { DATA_FOR_MODEL_PRESET } from "./prepare";

/** The command-line options that `npm run experiment` and `npm run study` share, as typed. */
export interface TrainingOptionsInput {
  preset: string;
  data?: string;
  strategies: string;
  seeds: string;
  epochs?: string;
}

export interface TrainingOptions {
  preset: ModelPresetName;
  data: DataPresetName;
  strategies: StrategyName[];
  /** Seeds 1 to `seeds` are trained for each strategy. */
  seeds: number;
  /** Epochs per run; undefined trains the model preset's. */
  epochs: number | undefined;
}

/** Maximum seeds per strategy: a guard against a typo that would queue millions of runs. */
export const MAX_SEEDS = 1000;

function parsePreset(text: string): ModelPresetName {
  if (!Object.hasOwn(MODEL_PRESETS, text)) {
    throw new Error(`--preset: unknown preset "${text}"; expected one of ${Object.keys(MODEL_PRESETS).join(", ")}`);
  }
  return text as ModelPresetName;
}

function parseDataPreset(text: string | undefined, preset: ModelPresetName): DataPresetName {
  if (text === undefined) return DATA_FOR_MODEL_PRESET[preset];
  if (!Object.hasOwn(DATA_PRESETS, text)) {
    throw new Error(`--data: unknown data preset "${text}"; expected one of ${Object.keys(DATA_PRESETS).join(", ")}`);
  }
  return text as DataPresetName;
}

function parseStrategies(text: string): StrategyName[] {
  const strategies = text.split(",").map((name) => {
    const parsed = strategyNameSchema.safeParse(name.trim());
    if (!parsed.success) throw new Error(`--strategies: unknown strategy "${name}"; expected one of ${STRATEGY_NAMES.join(", ")}`);
    return parsed.data;
  });
  const repeated = strategies.find((strategy, index) => strategies.indexOf(strategy) !== index);
  if (repeated) throw new Error(`--strategies: "${repeated}" is listed twice`);
  return strategies;
}

/** Parses a whole decimal number, so that "1e3", "0x10" and "2.0" are rejected rather than converted. */
export function parseWholeNumber(text: string): number {
  return /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
}

function parseSeeds(text: string): number {
  const seeds = parseWholeNumber(text);
  if (!Number.isSafeInteger(seeds) || seeds < 1) throw new Error(`--seeds must be a positive integer, got ${text}`);
  if (seeds > MAX_SEEDS) throw new Error(`--seeds must be at most ${MAX_SEEDS}, got ${text}`);
  return seeds;
}

function parseEpochs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const epochs = parseWholeNumber(text);
  if (!Number.isSafeInteger(epochs) || epochs < 1 || epochs > MAX_EPOCHS) {
    throw new Error(`--epochs must be an integer from 1 to ${MAX_EPOCHS}, got ${text}`);
  }
  return epochs;
}

/** Validates the shared options; each error names the option and the value it got. */
export function parseTrainingOptions(input: TrainingOptionsInput): TrainingOptions {
  const preset = parsePreset(input.preset);
  return {
    preset,
    data: parseDataPreset(input.data, preset),
    strategies: parseStrategies(input.strategies),
    seeds: parseSeeds(input.seeds),
    epochs: parseEpochs(input.epochs),
  };
}

/** Fails early when `file` cannot be written, rather than after hours of training. */
export async function checkWritable(option: string, file: string): Promise<void> {
  const resolved = path.resolve(file);
  const folder = path.dirname(resolved);
  try {
    await access(folder, constants.W_OK);
  } catch {
    throw new Error(`${option}: cannot write ${file}: its folder ${folder} is missing or not writable`);
  }
  const existing = await stat(resolved).catch(() => null);
  if (existing?.isDirectory()) throw new Error(`${option}: ${file} is a folder; give the path of a file to write`);
}

import { z } from "zod";
import { MODEL_PRESETS, type ModelPresetName, PRESET_NAMES } from "./presets";
import { parseStrategyParams, strategyNameSchema, strategyParamSchemas } from "./strategies";
import { listParseProblems } from "./zod-issues";

/** Largest id Postgres' integer columns hold (ids are SERIAL, a 32-bit signed integer). */
export const MAX_ROW_ID = 2 ** 31 - 1;

/** Most epochs a run may ask for. */
export const MAX_EPOCHS = 500;

/** Largest seed, so that it fits the Run.seed integer column. */
export const MAX_SEED = 2 ** 31 - 1;

/**
 * Returns the schema of an integer from `min` to `max` that reports any violation as one issue,
 * "must be an integer from 1 to 500". Zod's own int() and max() would report 1e308 twice, once
 * against the safe-integer limit rather than `max`.
 */
function integerInRange(min: number, max: number) {
  return z.number().refine((value) => Number.isInteger(value) && value >= min && value <= max, {
    error: `must be an integer from ${min} to ${max}`,
  });
}

const runConfigFields = z
  .object({
    datasetId: integerInRange(1, MAX_ROW_ID),
    strategy: strategyNameSchema,
    strategyParams: z.record(z.string(), z.unknown()).default({}),
    preset: z.enum(PRESET_NAMES as [ModelPresetName, ...ModelPresetName[]]).default("tiny"),
    /** Training epochs; unset takes the model preset's. */
    epochs: integerInRange(1, MAX_EPOCHS).optional(),
    seed: integerInRange(0, MAX_SEED).default(1),
    sweepId: integerInRange(1, MAX_ROW_ID).optional(),
  })
  .strict();

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Adds one issue per invalid strategy parameter, at "strategyParams.<name>". It runs even when
 * other fields are invalid too, so one response lists every problem, and it is skipped when the
 * strategy itself is unknown, since its parameters then cannot be checked.
 */
function checkStrategyParams(config: { strategy: unknown; strategyParams: unknown }, ctx: z.RefinementCtx): void {
  const strategy = strategyNameSchema.safeParse(config.strategy);
  if (!strategy.success || !isPlainObject(config.strategyParams)) return;
  const parsed = strategyParamSchemas[strategy.data].safeParse(config.strategyParams, { reportInput: true });
  if (parsed.success) return;

  const known = Object.keys(strategyParamSchemas[strategy.data].shape);
  const takes = known.length > 0 ? `it takes ${known.join(", ")}` : "it takes no parameters";
  for (const problem of listParseProblems(parsed.error)) {
    const path = ["strategyParams", ...problem.path];
    if (problem.unknownKey) {
      ctx.addIssue({ code: "custom", path, message: `unknown parameter for strategy ${strategy.data}; ${takes}` });
    } else {
      ctx.addIssue({ code: "custom", path, message: problem.message, ...("input" in problem ? { input: problem.input } : {}) });
    }
  }
}

/**
 * Schema of a run request. The same schema checks the app's request body,
 * the stored Run.config and the worker's job payload.
 */
export const runConfigSchema = runConfigFields
  .superRefine(checkStrategyParams, {
    when: ({ value }) => isPlainObject(value),
  })
  .transform((config) => ({
    ...config,
    strategyParams: parseStrategyParams(config.strategy, config.strategyParams),
    epochs: config.epochs ?? MODEL_PRESETS[config.preset].epochs,
  }));

export type RunConfigInput = z.input<typeof runConfigSchema>;
export type RunConfig = z.output<typeof runConfigSchema>;

/** Formats zod issues as "field: message" lines, for API errors and CLI output. */
export function describeIssues(error: z.ZodError): string {
  return listParseProblems(error).map((problem) => `${problem.path.join(".") || "(root)"}: ${problem.message}`).join("; ");
}

/** Parses a run configuration, throwing an Error that names each invalid field. */
export function parseRunConfig(input: unknown): RunConfig {
  const parsed = runConfigSchema.safeParse(input);
  if (!parsed.success) throw new Error(`invalid run config: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

import { z } from "zod";
import { MODEL_PRESETS, type ModelPresetName, PRESET_NAMES } from "./presets";
import { parseStrategyParams, strategyNameSchema } from "./strategies";

/** Largest id Postgres' integer columns hold (ids are SERIAL, a 32-bit signed integer). */
export const MAX_ROW_ID = 2 ** 31 - 1;

/** Most epochs a run may ask for. */
export const MAX_EPOCHS = 500;

/**
 * Schema of a run request. The same schema checks the app's request body,
 * the stored Run.config and the worker's job payload.
 */
export const runConfigSchema = z
  .object({
    datasetId: z.number().int().positive().max(MAX_ROW_ID),
    strategy: strategyNameSchema,
    strategyParams: z.record(z.string(), z.unknown()).default({}),
    preset: z.enum(PRESET_NAMES as [ModelPresetName, ...ModelPresetName[]]).default("tiny"),
    /** Training epochs; unset takes the model preset's. */
    epochs: z.number().int().min(1).max(MAX_EPOCHS).optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    sweepId: z.number().int().positive().max(MAX_ROW_ID).optional(),
  })
  .strict()
  .transform((config, ctx) => {
    try {
      const strategyParams = parseStrategyParams(config.strategy, config.strategyParams);
      return { ...config, strategyParams, epochs: config.epochs ?? MODEL_PRESETS[config.preset].epochs };
    } catch (error) {
      ctx.addIssue({ code: "custom", path: ["strategyParams"], message: (error as Error).message });
      return z.NEVER;
    }
  });

export type RunConfigInput = z.input<typeof runConfigSchema>;
export type RunConfig = z.output<typeof runConfigSchema>;

/** Formats zod issues as "field: message" lines, for API errors and CLI output. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
}

/** Parses a run configuration, throwing an Error that names each invalid field. */
export function parseRunConfig(input: unknown): RunConfig {
  const parsed = runConfigSchema.safeParse(input);
  if (!parsed.success) throw new Error(`invalid run config: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

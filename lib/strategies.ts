import { z } from "zod";

/**
 * Noise strategies and their hyperparameters. The schemas are shared: the app renders the
 * new-run form from them and validates requests, and the worker validates job payloads.
 */
export const strategyParamSchemas = {
  uniform: z.object({}).strict(),
  "clean-only": z.object({}).strict(),
  "fixed-weight": z
    .object({
      lambda: z
        .number()
        .min(0)
        .max(1)
        .default(0.3)
        .describe("Weight of every noisy pair, from 0 (ignored) to 1 (trusted like clean). Default 0.3."),
    })
    .strict(),
} as const;

export type StrategyName = keyof typeof strategyParamSchemas;

export const STRATEGY_NAMES = Object.keys(strategyParamSchemas) as StrategyName[];

export const strategyNameSchema = z.enum(STRATEGY_NAMES as [StrategyName, ...StrategyName[]]);

/** One line per strategy for the form and the README: what it does and where it comes from. */
export const STRATEGY_DESCRIPTIONS: Record<StrategyName, string> = {
  uniform: "Every pair weighs 1: noisy pairs are trusted like clean ones.",
  "clean-only": "Noisy pairs weigh 0: the model learns from clean pairs only.",
  "fixed-weight":
    "Noisy pairs weigh a fixed lambda (Wang, Utiyama et al., EMNLP 2017, instance weighting).",
};

/** Validates `params` for `strategy` and fills defaults; the error names the strategy and field. */
export function parseStrategyParams(strategy: StrategyName, params: unknown) {
  const parsed = strategyParamSchemas[strategy].safeParse(params ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "params"}: ${issue.message}`)
      .join("; ");
    throw new Error(`invalid parameters for strategy ${strategy}: ${detail}`);
  }
  return parsed.data as Record<string, number>;
}

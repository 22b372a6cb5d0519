import { z } from "zod";

/** An epoch count parameter: whole epochs from 0 to 50. */
const epochCount = (fallback: number, text: string) => z.number().int().min(0).max(50).default(fallback).describe(text);

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
  tagged: z.object({}).strict(),
  curriculum: z
    .object({
      mode: z
        .enum(["anneal", "gradual"])
        .default("anneal")
        .describe("anneal: noisy weight falls from lambda0 to 0 over the epochs. gradual: each epoch keeps a shrinking share of the noisy pairs with the lowest loss (van der Wees et al.)."),
      lambda0: z.number().min(0).max(1).default(1).describe("anneal: noisy weight in the first epoch, from 0 to 1. Default 1."),
      cleanEpochs: epochCount(1, "anneal: clean-only fine-tuning epochs at the end, 0 to 50. Default 1."),
      alpha: z.number().gt(0).max(1).default(0.5).describe("gradual: share of noisy pairs kept before the first shrink. Epoch e keeps alpha * beta^floor((e - 1) / eta) of them, but epoch 1 keeps all. Above 0 and at most 1. Default 0.5."),
      beta: z.number().gt(0).max(1).default(0.7).describe("gradual: factor the kept share shrinks by every eta epochs, above 0 and at most 1. Default 0.7."),
      eta: z.number().int().min(1).max(50).default(2).describe("gradual: epochs between two shrinks, 1 to 50. Default 2."),
    })
    .strict(),
  "loss-truncation": z
    .object({
      c: z.number().min(0).max(0.99).default(0.3).describe("Share of noisy pairs dropped: those above the running (1 - c) quantile of noisy losses, 0 to 0.99. Default 0.3."),
      warmupEpochs: epochCount(1, "Epochs that train on every pair before dropping starts, 0 to 50. Default 1."),
      window: z.number().int().min(16).max(100000).default(4096).describe("Recent noisy losses the running quantile is taken over, 16 to 100000. Default 4096."),
    })
    .strict(),
  "trusted-selection": z
    .object({
      keep: z.number().gt(0).max(1).default(0.5).describe("Share of noisy pairs kept each epoch, those the clean-tuned model prefers most, above 0 and at most 1. Default 0.5."),
      warmupEpochs: epochCount(1, "Epochs that train on every pair before selection starts, 0 to 50. Default 1."),
      fineTuneSteps: z.number().int().min(1).max(5000).default(100).describe("Steps of fine-tuning on clean pairs for the trusted model, refreshed each epoch, 1 to 5000. Default 100."),
    })
    .strict(),
  "gradient-alignment": z
    .object({
      maxWeight: z.number().gt(0).max(10).default(1).describe("Largest weight of a noisy pair, reached when its output-layer gradient aligns with the clean pairs' as well as a typical clean pair's does; above 0, at most 10. Default 1."),
    })
    .strict(),
  "co-teaching": z
    .object({
      tau: z.number().min(0).max(1).default(0.5).describe("Share of noisy pairs each model finally discards as large-loss, 0 to 1. Default 0.5."),
      rampEpochs: z.number().int().min(1).max(50).default(2).describe("Epochs over which the discarded share grows from 0 to tau (T_k), 1 to 50. Default 2."),
    })
    .strict(),
  "token-weighting": z
    .object({
      beta: z.number().min(0).max(4).default(0.5).describe("Exponent on the model's probability of a noisy target token: weight p^beta, 0 to 4. Default 0.5."),
      floor: z.number().min(0).max(1).default(0).describe("Noisy target tokens with probability under this get weight 0, 0 to 1. Default 0 (none)."),
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
  tagged:
    "Every pair is kept at weight 1, and the source starts with a <clean> or <noisy> tag; decoding uses <clean> (Caswell et al., WMT 2019).",
  curriculum:
    "Noisy pairs matter less epoch by epoch: a weight annealed to 0, or a shrinking selection (van der Wees et al., EMNLP 2017).",
  "loss-truncation":
    "After warm-up, noisy pairs whose loss is above a running quantile are dropped (Kang and Hashimoto, ACL 2020).",
  "trusted-selection":
    "Each epoch keeps the noisy pairs that a copy fine-tuned on clean pairs likes better than the current model (Wang, Watanabe et al., WMT 2018).",
  "gradient-alignment":
    "Noisy pairs weigh by how well their output-layer gradient agrees with the clean pairs' (first-order Learning to Reweight, Ren et al., ICML 2018).",
  "co-teaching":
    "Two models; each trains the other on the noisy pairs it finds easiest (Han et al., NeurIPS 2018). Twice the cost.",
  "token-weighting":
    "Noisy target tokens weigh the model's own probability p^beta, so wrong words count less (after Gu et al., EMNLP 2020).",
};

/** Validates `params` for `strategy` and fills defaults; the error names the strategy and field. */
export function parseStrategyParams<Name extends StrategyName>(
  strategy: Name,
  params: unknown,
): z.output<(typeof strategyParamSchemas)[Name]> {
  const parsed = strategyParamSchemas[strategy].safeParse(params ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "params"}: ${issue.message}`)
      .join("; ");
    throw new Error(`invalid parameters for strategy ${strategy}: ${detail}`);
  }
  return parsed.data as z.output<(typeof strategyParamSchemas)[Name]>;
}

import type { StrategyName } from "../../lib/strategies";
import { createCleanOnly } from "./clean-only";
import { createFixedWeight } from "./fixed-weight";
import type { Strategy } from "./strategy";
import { createUniform } from "./uniform";

export type { SampleWeights, Strategy, StrategyBatch, StrategySample } from "./strategy";

/** Factories by strategy name; each validates its own parameters. */
const STRATEGY_FACTORIES: Record<StrategyName, (params: unknown) => Strategy> = {
  uniform: createUniform,
  "clean-only": createCleanOnly,
  "fixed-weight": createFixedWeight,
};

/** Creates the strategy `name` with `params` (validated against its schema in lib/strategies.ts). */
export function createStrategy(name: StrategyName, params: unknown): Strategy {
  const factory = STRATEGY_FACTORIES[name];
  if (!factory) throw new Error(`unknown strategy "${String(name)}", expected one of ${Object.keys(STRATEGY_FACTORIES).join(", ")}`);
  return factory(params);
}

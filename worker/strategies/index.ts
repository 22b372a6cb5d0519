import type { StrategyName } from "../../lib/strategies";
import { createCleanOnly } from "./clean-only";
import { createCoTeaching } from "./co-teaching";
import { createCurriculum } from "./curriculum";
import { createGradientAlignment } from "./gradient-alignment";
import { createFixedWeight } from "./fixed-weight";
import { createLossTruncation } from "./loss-truncation";
import type { Strategy } from "./strategy";
import { createTagged } from "./tagged";
import { createTokenWeighting } from "./token-weighting";
import { createTrustedSelection } from "./trusted-selection";
import { createUniform } from "./uniform";

export type { SampleWeights, Strategy, StrategyBatch, StrategySample } from "./strategy";

/** Factories by strategy name; each validates its own parameters. */
const STRATEGY_FACTORIES: Partial<Record<StrategyName, (params: unknown) => Strategy>> = {
  uniform: createUniform,
  "clean-only": createCleanOnly,
  "fixed-weight": createFixedWeight,
  tagged: createTagged,
  curriculum: createCurriculum,
  "loss-truncation": createLossTruncation,
  "trusted-selection": createTrustedSelection,
  "gradient-alignment": createGradientAlignment,
  "co-teaching": createCoTeaching,
  "token-weighting": createTokenWeighting,
};

/** Creates the strategy `name` with `params` (validated against its schema in lib/strategies.ts). */
export function createStrategy(name: StrategyName, params: unknown): Strategy {
  const factory = STRATEGY_FACTORIES[name];
  // LIMITATION: strategies of lib/strategies.ts without a factory here are not implemented yet;
  // implementing them in worker/strategies lifts this.
  if (!factory) throw new Error(`strategy "${String(name)}" is not available in this worker; available: ${Object.keys(STRATEGY_FACTORIES).join(", ")}`);
  return factory(params);
}

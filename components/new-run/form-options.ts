import { MODEL_PRESETS, PRESET_NAMES } from "../../lib/presets";
import { STRATEGY_DESCRIPTIONS, STRATEGY_NAMES, strategyParamSchemas } from "../../lib/strategies";
import { describeParamFields, type ParamField } from "./param-field-specs";

export interface StrategyOption {
  name: string;
  description: string;
  params: ParamField[];
}

export interface PresetOption {
  name: string;
  /** For example "d_model 32, 1+1 layers, batch 32". */
  summary: string;
  /** Epochs a run with this preset trains when the form leaves epochs empty. */
  epochs: number;
}

/** Lists the strategies with their parameter fields, in the order of lib/strategies.ts. */
export function strategyOptions(): StrategyOption[] {
  return STRATEGY_NAMES.map((name) => ({
    name,
    description: STRATEGY_DESCRIPTIONS[name],
    params: describeParamFields(name, strategyParamSchemas[name]),
  }));
}

export function presetOptions(): PresetOption[] {
  return PRESET_NAMES.map((name) => {
    const preset = MODEL_PRESETS[name];
    const layers = `${preset.encoderLayers}+${preset.decoderLayers} layers`;
    return {
      name,
      summary: `d_model ${preset.dModel}, ${layers}, batch ${preset.batchSize}`,
      epochs: preset.epochs,
    };
  });
}

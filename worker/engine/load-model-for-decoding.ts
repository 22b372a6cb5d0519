import { parseRunConfig, type RunConfig } from "../../lib/run-config";
import { createStrategy } from "../strategies";
import { loadCheckpoint } from "./checkpoint";
import type { CheckpointManifest } from "../../lib/checkpoints/checkpoint-manifest";
import { Random } from "../../lib/random";
import { assignModelTensors } from "./restore-checkpoint";
import type { SubwordTokenizer } from "../../lib/tokenizer/subword-tokenizer";
import { Transformer } from "./transformer";

/** A trained model rebuilt from a checkpoint, ready for greedy or beam decoding. */
export interface DecodingModel {
  model: Transformer;
  tokenizer: SubwordTokenizer;
  /**
   * Maximum sequence length in pieces that training used (the preset's maxLength, eos
   * included), so outputs should stop at maxLength - 1 pieces. It is also the size of the
   * model's position table.
   */
  maxLength: number;
  /** The run configuration the model was trained with: strategy, preset, seed, epochs. */
  config: RunConfig;
  /**
   * Rewrites a source sentence before it is encoded, as the run's strategy did for validation
   * and test. The tagged strategy puts `<clean>` first, and most strategies change nothing.
   */
  decodeSource(src: string): string;
  /** Epochs trained when the checkpoint was written. */
  epoch: number;
  /** True when the checkpoint is from the run's last epoch. */
  final: boolean;
  manifest: CheckpointManifest;
  /** Frees the model's tensors. */
  dispose(): void;
}

/**
 * Rebuilds the model and tokenizer of a checkpoint folder for decoding, as `saveCheckpoint`
 * wrote it (a run's latest is the highest epoch in the Checkpoint table). It reads only the model
 * section of weights.bin, not the optimizer's moments, and checks its SHA-256.
 * A tfjs backend must be active, as `selectBackend` leaves it; outputs match the training run's
 * bit for bit only on the backend that trained it. The caller must call `dispose`.
 */
export async function loadModelForDecoding(dir: string): Promise<DecodingModel> {
  const checkpoint = await loadCheckpoint(dir, { optimizer: false });
  const { manifest } = checkpoint;
  const config = parseRunConfig(manifest.config);
  if (manifest.model.vocabSize !== checkpoint.tokenizer.vocabSize) {
    throw new Error(`checkpoint ${dir}: model vocabSize ${manifest.model.vocabSize} differs from the tokenizer's ${checkpoint.tokenizer.vocabSize}`);
  }
  const strategy = createStrategy(config.strategy, config.strategyParams);
  // The init stream only fills the variables before the checkpoint's values replace them.
  const model = new Transformer(manifest.model, new Random(config.seed, "init"));
  try {
    assignModelTensors(model, checkpoint);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return {
    model,
    tokenizer: checkpoint.tokenizer,
    maxLength: manifest.maxLength,
    config,
    decodeSource: (src) => strategy.decodeSource?.(src) ?? src,
    epoch: manifest.epoch,
    final: manifest.final,
    manifest,
    dispose: () => model.dispose(),
  };
}

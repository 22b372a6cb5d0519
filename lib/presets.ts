/**
 * Named sizes for data and models. A data preset sets how many Multi30k pairs the recipe takes,
 * and a model preset fixes the Transformer and its training schedule.
 */

export interface DataPreset {
  /** Clean training pairs, from task1 (professional translations). */
  clean: number;
  /** Noisy training pairs, from task2 captions of other images than the clean ones. */
  noisy: number;
  /** Validation pairs from task1 val, decoded greedily after every epoch. */
  valid: number;
  /** Test pairs from test2016, decoded once at the end. */
  test: number;
}

export const DATA_PRESETS = {
  /** For integration tests: a run finishes in seconds. */
  micro: { clean: 100, noisy: 100, valid: 20, test: 20 },
  tiny: { clean: 1000, noisy: 2000, valid: 200, test: 1000 },
  small: { clean: 5000, noisy: 20000, valid: 1014, test: 1000 },
  full: { clean: 14500, noisy: 72500, valid: 1014, test: 1000 },
  /** Every task1 pair and no noisy pair: the clean baseline that published results train on. */
  "clean-full": { clean: 29000, noisy: 0, valid: 1014, test: 1000 },
} as const satisfies Record<string, DataPreset>;

export type DataPresetName = keyof typeof DATA_PRESETS;

export interface ModelPreset {
  /** Subword vocabulary size, shared by source and target. */
  vocabSize: number;
  dModel: number;
  ffDim: number;
  heads: number;
  encoderLayers: number;
  decoderLayers: number;
  dropout: number;
  labelSmoothing: number;
  /** Peak learning rate reached after warm-up. */
  learningRate: number;
  warmupSteps: number;
  /** Maximum pairs in a training batch. */
  batchSize: number;
  /**
   * Maximum tokens in a training batch, padding included (pairs times the longest pair's length).
   * Batches are cut from pairs of similar length, so short pairs fill larger batches.
   */
  batchTokens: number;
  /** Maximum source or target length in subword tokens. Longer pairs are cut to it. */
  maxLength: number;
  epochs: number;
}

export const MODEL_PRESETS = {
  micro: {
    vocabSize: 400, dModel: 32, ffDim: 64, heads: 2, encoderLayers: 1, decoderLayers: 1,
    dropout: 0, labelSmoothing: 0.1, learningRate: 3e-3, warmupSteps: 20, batchSize: 32,
    batchTokens: 1024, maxLength: 32, epochs: 2,
  },
  tiny: {
    vocabSize: 1000, dModel: 64, ffDim: 128, heads: 4, encoderLayers: 2, decoderLayers: 2,
    dropout: 0.1, labelSmoothing: 0.1, learningRate: 2e-3, warmupSteps: 100, batchSize: 32,
    batchTokens: 1280, maxLength: 40, epochs: 6,
  },
  compact: {
    vocabSize: 8000, dModel: 256, ffDim: 1024, heads: 4, encoderLayers: 3, decoderLayers: 3,
    dropout: 0.1, labelSmoothing: 0.1, learningRate: 1e-3, warmupSteps: 800, batchSize: 96,
    batchTokens: 1536, maxLength: 60, epochs: 20,
  },
  base: {
    vocabSize: 10000, dModel: 512, ffDim: 2048, heads: 8, encoderLayers: 6, decoderLayers: 6,
    dropout: 0.1, labelSmoothing: 0.1, learningRate: 7e-4, warmupSteps: 4000, batchSize: 256,
    batchTokens: 4096, maxLength: 80, epochs: 30,
  },
} as const satisfies Record<string, ModelPreset>;

export type ModelPresetName = keyof typeof MODEL_PRESETS;

export const PRESET_NAMES = Object.keys(MODEL_PRESETS) as ModelPresetName[];

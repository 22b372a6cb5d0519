import { MODEL_PRESETS, type ModelPreset } from "../../lib/presets";
import { createStrategy } from "../strategies";
import type { Strategy } from "../strategies/strategy";
import { AdamOptimizer } from "./adam-optimizer";
import type { EncodedPair } from "./batches";
import { Random } from "./random";
import { EOS_ID, SubwordTokenizer } from "./subword-tokenizer";
import { Transformer } from "./transformer";
import type { EvalPair, TrainingPair, TrainOptions } from "./types";

/** The noisy training pairs translated after each epoch, at most this many, in input order. */
export const MAX_NOISY_TRANSLATIONS = 50;

/** State of one training run between steps: data, strategy, model, optimizer and random streams. */
export interface TrainingRun {
  options: TrainOptions;
  preset: ModelPreset;
  strategy: Strategy;
  tokenizer: SubwordTokenizer;
  model: Transformer;
  optimizer: AdamOptimizer;
  /** Training pairs after the strategy's transform; `EncodedPair.index` points here. */
  trainPairs: TrainingPair[];
  train: EncodedPair[];
  valid: EncodedPair[];
  test: EncodedPair[];
  /** Noisy training pairs whose translations each epoch reports; indices point into `trainPairs`. */
  noisySample: EncodedPair[];
  shuffleRandom: Random;
  dropoutRandom: Random;
  /** Optimizer updates so far, over all epochs. */
  step: number;
}

/**
 * Builds the tokenizer, the encoded data, the strategy, the model and the optimizer of a run.
 * The caller owns the result and must call `disposeRun`.
 */
export function prepareRun(options: TrainOptions): TrainingRun {
  const { config } = options;
  const preset = MODEL_PRESETS[config.preset];
  const strategy = createStrategy(config.strategy, config.strategyParams);
  const trainPairs = strategy.transformPairs?.(options.data.train) ?? [...options.data.train];
  const tokenizer = SubwordTokenizer.train({
    texts: trainPairs.flatMap((pair) => [pair.src, pair.tgt]),
    vocabSize: preset.vocabSize,
  });
  const encode = (pairs: readonly (TrainingPair | EvalPair)[]) => encodePairs(tokenizer, pairs, preset.maxLength);
  const train = encode(trainPairs);

  const model = new Transformer(
    { ...preset, vocabSize: tokenizer.vocabSize, maxPositions: preset.maxLength },
    new Random(config.seed, "init"),
  );
  return {
    options,
    preset,
    strategy,
    tokenizer,
    model,
    optimizer: new AdamOptimizer(model.variables),
    trainPairs,
    train,
    valid: encode(options.data.valid),
    test: encode(options.data.test),
    noisySample: train.filter((pair) => trainPairs[pair.index].noisy).slice(0, MAX_NOISY_TRANSLATIONS),
    shuffleRandom: new Random(config.seed, "shuffle"),
    dropoutRandom: new Random(config.seed, "dropout"),
    step: 0,
  };
}

export function disposeRun(run: TrainingRun): void {
  run.optimizer.dispose();
  run.model.dispose();
}

/** Tokenizes pairs, cutting source and target to `maxLength` pieces including eos. */
function encodePairs(
  tokenizer: SubwordTokenizer,
  pairs: readonly (TrainingPair | EvalPair)[],
  maxLength: number,
): EncodedPair[] {
  return pairs.map((pair, index) => ({
    index,
    srcIds: [...tokenizer.encode(pair.src).slice(0, maxLength - 1), EOS_ID],
    tgtIds: tokenizer.encode(pair.tgt).slice(0, maxLength - 1),
  }));
}

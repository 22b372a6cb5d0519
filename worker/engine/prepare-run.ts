import path from "node:path";
import { env } from "../../lib/env";
import { MODEL_PRESETS, type ModelPreset } from "../../lib/presets";
import { createStrategy } from "../strategies";
import type { Strategy } from "../strategies/strategy";
import { AdamOptimizer } from "./adam-optimizer";
import type { EncodedPair } from "./batches";
import { Random } from "../../lib/random";
import { encodeTruncated } from "../../lib/tokenizer/encode-truncated";
import { EOS_ID, type SubwordTokenizer } from "../../lib/tokenizer/subword-tokenizer";
import { loadOrTrainTokenizer, tokenizerHash } from "../../lib/tokenizer/tokenizer-cache";
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
  /** The stream that drew the initial parameters; unused after that, but checkpointed like every stream. */
  initRandom: Random;
  shuffleRandom: Random;
  dropoutRandom: Random;
  /** Optimizer updates so far, over all epochs. */
  step: number;
  /** The second model of strategies that train two (co-teaching), with its own optimizer and streams. */
  peer?: PeerModel;
  /** SHA-256 of the tokenizer's JSON, and the cache file it was read from or written to, if any. */
  tokenizerInfo: { hash: string; cacheFile: string | null };
}

export interface PeerModel {
  model: Transformer;
  optimizer: AdamOptimizer;
  initRandom: Random;
  dropoutRandom: Random;
}

export interface PrepareRunOptions {
  /** The tokenizer of a checkpoint, which a resumed run must use instead of the cache. */
  tokenizer?: { tokenizer: SubwordTokenizer; cacheFile: string | null };
}

/**
 * Builds the tokenizer, the encoded data, the strategy, the model and the optimizer of a run.
 * The tokenizer comes from `prepared.tokenizer`, else from the tokenizer cache when the data has
 * a dataset hash, else from training. The caller owns the result and must call `disposeRun`.
 */
export function prepareRun(options: TrainOptions, prepared: PrepareRunOptions = {}): TrainingRun {
  const { config } = options;
  const preset = MODEL_PRESETS[config.preset];
  const strategy = createStrategy(config.strategy, config.strategyParams);
  const trainPairs = strategy.transformPairs?.(options.data.train) ?? [...options.data.train];
  const { tokenizer, tokenizerInfo } = prepared.tokenizer
    ? { tokenizer: prepared.tokenizer.tokenizer, tokenizerInfo: { hash: tokenizerHash(prepared.tokenizer.tokenizer), cacheFile: prepared.tokenizer.cacheFile } }
    : runTokenizer(options, strategy, trainPairs);
  const encode = (pairs: readonly (TrainingPair | EvalPair)[]) => encodePairs(tokenizer, pairs, preset.maxLength);
  // Validation and test sources get the strategy's decoding rewrite (such as a tag), as translate requests do.
  const decodeSources = (pairs: readonly EvalPair[]) => pairs.map((pair) => ({ ...pair, src: strategy.decodeSource?.(pair.src) ?? pair.src }));
  const train = encode(trainPairs);

  const initRandom = new Random(config.seed, "init");
  const model = new Transformer({ ...preset, vocabSize: tokenizer.vocabSize, maxPositions: preset.maxLength }, initRandom);
  return {
    options,
    preset,
    strategy,
    tokenizer,
    tokenizerInfo,
    model,
    optimizer: new AdamOptimizer(model.variables),
    trainPairs,
    train,
    valid: encode(decodeSources(options.data.valid)),
    test: encode(decodeSources(options.data.test)),
    noisySample: train.filter((pair) => trainPairs[pair.index].noisy).slice(0, MAX_NOISY_TRANSLATIONS),
    initRandom,
    shuffleRandom: new Random(config.seed, "shuffle"),
    dropoutRandom: new Random(config.seed, "dropout"),
    step: 0,
    peer: strategy.peerModel ? createPeer(model, config.seed) : undefined,
  };
}

/** Creates a second model of the same shape from its own random stream, so the two start apart. */
function createPeer(model: Transformer, seed: number): PeerModel {
  const initRandom = new Random(seed, "peer-init");
  const peer = new Transformer(model.config, initRandom);
  return { model: peer, optimizer: new AdamOptimizer(peer.variables), initRandom, dropoutRandom: new Random(seed, "peer-dropout") };
}

/**
 * Returns every random stream of a run by name. Checkpoints save and restore exactly these, so a new
 * stream must be listed here for a resumed run to repeat an uninterrupted one.
 */
export function randomStreams(run: TrainingRun): Record<string, Random> {
  const streams: Record<string, Random> = { init: run.initRandom, shuffle: run.shuffleRandom, dropout: run.dropoutRandom };
  if (run.peer) Object.assign(streams, { peerInit: run.peer.initRandom, peerDropout: run.peer.dropoutRandom });
  return streams;
}

/** Folder of the tokenizer cache: `<WINNOW_DATA_DIR>/tokenizers`. */
export function tokenizerCacheDir(): string {
  return path.join(env().WINNOW_DATA_DIR, "tokenizers");
}

/**
 * Loads the run's tokenizer from the cache, keyed by dataset hash, vocabulary size and the
 * strategy's transform, or trains it. Without a dataset hash it is trained and not cached.
 */
function runTokenizer(options: TrainOptions, strategy: Strategy, trainPairs: readonly TrainingPair[]) {
  const { vocabSize } = MODEL_PRESETS[options.config.preset];
  const { datasetHash } = options.data;
  const transform = strategy.transformPairs ? (strategy.transformId ?? strategy.name) : "none";
  const { tokenizer, hash, source } = loadOrTrainTokenizer({
    texts: () => trainPairs.flatMap((pair) => [pair.src, pair.tgt]),
    vocabSize,
    cache: datasetHash === undefined ? undefined : { dir: tokenizerCacheDir(), key: { datasetHash, vocabSize, transform } },
  });
  return { tokenizer, tokenizerInfo: { hash, cacheFile: source.status === "uncached" ? null : source.file } };
}

export function disposeRun(run: TrainingRun): void {
  run.optimizer.dispose();
  run.model.dispose();
  run.peer?.optimizer.dispose();
  run.peer?.model.dispose();
}

/** Tokenizes pairs, cutting source and target to `maxLength` pieces including eos. */
function encodePairs(
  tokenizer: SubwordTokenizer,
  pairs: readonly (TrainingPair | EvalPair)[],
  maxLength: number,
): EncodedPair[] {
  return pairs.map((pair, index) => ({
    index,
    srcIds: [...encodeTruncated(tokenizer, pair.src, maxLength), EOS_ID],
    tgtIds: encodeTruncated(tokenizer, pair.tgt, maxLength),
  }));
}

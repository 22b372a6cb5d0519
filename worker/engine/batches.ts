import * as tf from "@tensorflow/tfjs-core";
import type { Random } from "../../lib/random";
import { BOS_ID, EOS_ID, PAD_ID } from "../../lib/tokenizer/subword-tokenizer";

/** A pair after tokenization; `index` points into the array the pairs came from. */
export interface EncodedPair {
  index: number;
  /** Source piece ids ending in eos. */
  srcIds: number[];
  /** Target piece ids without bos or eos. */
  tgtIds: number[];
}

/** Tensors of one padded batch; callers dispose them, or build them inside `tf.tidy`. */
export interface BatchTensors {
  /** Int32 [batch, srcLength]. */
  srcIds: tf.Tensor2D;
  /** 1 for real source tokens, 0 for padding, [batch, srcLength]. */
  srcMask: tf.Tensor2D;
  /** Decoder input: bos then the target, int32 [batch, tgtLength]. */
  tgtInput: tf.Tensor2D;
  /** Decoder output: the target then eos, int32 [batch, tgtLength]. */
  tgtOutput: tf.Tensor2D;
  tgtMask: tf.Tensor2D;
}

/** Batches in a pool are sorted by length together, so a batch contains pairs of similar length. */
const POOL_BATCHES = 50;

/**
 * Splits pairs into batches for one epoch: shuffle, sort each pool of 50 batches by length to cut
 * padding, cut the pool into batches, then shuffle the batch order. A batch takes at most
 * `batchSize` pairs and, when `maxTokens` is set, at most that many tokens counted with padding
 * (pairs times the longest pair), so batches of short pairs hold more of them. A pair longer than
 * `maxTokens` gets a batch of its own. Deterministic for a given `random` state.
 */
export function makeBatches(options: { pairs: EncodedPair[]; batchSize: number; maxTokens?: number; random: Random }): EncodedPair[][] {
  const { batchSize, random } = options;
  const maxTokens = options.maxTokens ?? Number.POSITIVE_INFINITY;
  const shuffled = random.shuffle([...options.pairs]);
  const batches: EncodedPair[][] = [];
  const poolSize = batchSize * POOL_BATCHES;

  for (let start = 0; start < shuffled.length; start += poolSize) {
    const pool = shuffled.slice(start, start + poolSize);
    pool.sort((a, b) => pairLength(a) - pairLength(b) || a.index - b.index);
    batches.push(...cutByTokens(pool, batchSize, maxTokens));
  }
  return random.shuffle(batches);
}

/** Cuts pairs sorted by length into consecutive batches within both limits. */
function cutByTokens(sorted: EncodedPair[], batchSize: number, maxTokens: number): EncodedPair[][] {
  const batches: EncodedPair[][] = [];
  let current: EncodedPair[] = [];
  let longest = 0;
  for (const pair of sorted) {
    const length = Math.max(longest, pairLength(pair));
    if (current.length > 0 && (current.length >= batchSize || (current.length + 1) * length > maxTokens)) {
      batches.push(current);
      current = [];
    }
    longest = current.length === 0 ? pairLength(pair) : length;
    current.push(pair);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Splits pairs into batches of similar source length in a fixed order, for scoring and decoding. */
export function makeOrderedBatches(pairs: EncodedPair[], batchSize: number): EncodedPair[][] {
  const sorted = [...pairs].sort((a, b) => a.srcIds.length - b.srcIds.length || a.index - b.index);
  const batches: EncodedPair[][] = [];
  for (let offset = 0; offset < sorted.length; offset += batchSize) {
    batches.push(sorted.slice(offset, offset + batchSize));
  }
  return batches;
}

/** Pads a batch into tensors. */
export function toBatchTensors(batch: EncodedPair[]): BatchTensors {
  const source = padRows(batch.map((pair) => pair.srcIds));
  const tgtInput = padRows(batch.map((pair) => [BOS_ID, ...pair.tgtIds]));
  const tgtOutput = padRows(batch.map((pair) => [...pair.tgtIds, EOS_ID]));
  return {
    srcIds: source.ids,
    srcMask: source.mask,
    tgtInput: tgtInput.ids,
    tgtOutput: tgtOutput.ids,
    tgtMask: tgtOutput.mask,
  };
}

/** Pads source rows only, for decoding. */
export function toSourceTensors(batch: EncodedPair[]): { srcIds: tf.Tensor2D; srcMask: tf.Tensor2D } {
  const source = padRows(batch.map((pair) => pair.srcIds));
  return { srcIds: source.ids, srcMask: source.mask };
}

function padRows(rows: number[][]): { ids: tf.Tensor2D; mask: tf.Tensor2D } {
  const width = Math.max(1, ...rows.map((row) => row.length));
  const ids = new Int32Array(rows.length * width).fill(PAD_ID);
  const mask = new Float32Array(rows.length * width);
  rows.forEach((row, r) => {
    ids.set(row, r * width);
    mask.fill(1, r * width, r * width + row.length);
  });
  return { ids: tf.tensor2d(ids, [rows.length, width], "int32"), mask: tf.tensor2d(mask, [rows.length, width]) };
}

function pairLength(pair: EncodedPair): number {
  return Math.max(pair.srcIds.length, pair.tgtIds.length + 1);
}

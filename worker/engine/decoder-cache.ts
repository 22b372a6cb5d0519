import * as tf from "@tensorflow/tfjs-core";
import { type EncodedPair, toSourceTensors } from "./batches";
import { type DecoderCache, paddingBias, type Transformer } from "./transformer";

/**
 * Encodes the sources of `batch` once and returns the cache for decoding it step by step with
 * `beamWidth` decoder rows per sentence. The caller owns the cache and disposes it with
 * `disposeDecoderCache`.
 */
export function startDecoderCache(model: Transformer, batch: EncodedPair[], beamWidth: number): DecoderCache {
  const tensors = tf.tidy(() => {
    const { srcIds, srcMask } = toSourceTensors(batch);
    const srcBias = paddingBias(srcMask);
    const memory = model.encode(srcIds, srcBias, null);
    const { crossKeys, crossValues } = model.startDecoding({ memory, srcBias, beamWidth });
    return { srcBias, crossKeys, crossValues };
  });
  return { ...tensors, selfKeys: [], selfValues: [], beamWidth };
}

/**
 * Decodes one step and returns the next-token logits [rows, vocabSize] with the advanced cache.
 * The self-attention tensors of `cache` are disposed, so only the returned cache stays valid; the
 * caller disposes the logits.
 */
export function stepDecoderCache(options: {
  model: Transformer;
  cache: DecoderCache;
  tokens: ArrayLike<number>;
  position: number;
}): { logits: tf.Tensor2D; cache: DecoderCache } {
  const { model, cache, position } = options;
  const step = tf.tidy(() => {
    const result = model.decodeStep(cache, tf.tensor1d(Int32Array.from(options.tokens), "int32"), position);
    return { logits: result.logits as tf.Tensor2D, selfKeys: result.cache.selfKeys, selfValues: result.cache.selfValues };
  });
  tf.dispose([...cache.selfKeys, ...cache.selfValues]);
  return { logits: step.logits, cache: { ...cache, selfKeys: step.selfKeys, selfValues: step.selfValues } };
}

/**
 * Rearranges the cache for the next step: new sentence j is old sentence `sentences[j]`, and new
 * decoder row r continues old row `rows[r]` (a beam hypothesis extending its parent). The new
 * cache has `beamWidth` rows per sentence (default: unchanged). Tensors that change are gathered
 * and the old ones disposed; an unchanged sentence order keeps the cross-attention tensors.
 */
export function selectDecoderRows(
  cache: DecoderCache,
  selection: { sentences: number[]; rows: number[]; beamWidth?: number },
): DecoderCache {
  const { sentences, rows } = selection;
  const beamWidth = selection.beamWidth ?? cache.beamWidth;
  if (rows.length !== sentences.length * beamWidth) {
    throw new Error(`selectDecoderRows expected ${sentences.length * beamWidth} rows for ${sentences.length} sentences, got ${rows.length}`);
  }
  const sameSentences = isIdentity(sentences, cache.srcBias.shape[0]);
  const sameRows = isIdentity(rows, cache.srcBias.shape[0] * cache.beamWidth);
  if (sameSentences && sameRows) return cache;

  const next = tf.tidy(() => {
    const self = sameRows ? [] : [...cache.selfKeys, ...cache.selfValues].map((tensor) => gatherRows(tensor, rows));
    const cross = sameSentences ? [] : [cache.srcBias, ...cache.crossKeys, ...cache.crossValues].map((tensor) => gatherRows(tensor, sentences));
    return { self, cross };
  });

  const layers = cache.crossKeys.length;
  const result: DecoderCache = { ...cache, beamWidth };
  if (!sameRows) {
    tf.dispose([...cache.selfKeys, ...cache.selfValues]);
    result.selfKeys = next.self.slice(0, layers);
    result.selfValues = next.self.slice(layers);
  }
  if (!sameSentences) {
    tf.dispose([cache.srcBias, ...cache.crossKeys, ...cache.crossValues]);
    result.srcBias = next.cross[0];
    result.crossKeys = next.cross.slice(1, 1 + layers);
    result.crossValues = next.cross.slice(1 + layers);
  }
  return result;
}

export function disposeDecoderCache(cache: DecoderCache): void {
  tf.dispose([cache.srcBias, ...cache.crossKeys, ...cache.crossValues, ...cache.selfKeys, ...cache.selfValues]);
}

/** Backends that keep tensors in this process's memory, where reading them back costs one copy. */
const HOST_MEMORY_BACKENDS = new Set(["cpu", "wasm"]);

/**
 * Gathers rows of `x` along axis 0. Beam search reorders its cache every step, and on the wasm
 * and cpu backends of tfjs 4.22 tf.gather is slow: for 640 rows of 1,280 floats (the tiny
 * preset's cache at beam 5) it took 31 ms, and copying the rows in JavaScript 4.6 ms, on a 2-core
 * AMD EPYC. So those backends copy here, and others keep tf.gather, which reads nothing back.
 */
function gatherRows(x: tf.Tensor, rows: number[]): tf.Tensor {
  // NOTE: the tf.gather branch runs only on the tensorflow backend, so the tests exercise it only
  // where the optional tfjs-node package is installed; elsewhere they cover the copy below.
  if (!HOST_MEMORY_BACKENDS.has(tf.getBackend()) || x.dtype !== "float32") return tf.gather(x, tf.tensor1d(rows, "int32"));
  const [length, ...inner] = x.shape;
  const width = length === 0 ? 0 : x.size / length;
  const source = x.dataSync() as Float32Array;
  const gathered = new Float32Array(rows.length * width);
  rows.forEach((row, i) => gathered.set(source.subarray(row * width, (row + 1) * width), i * width));
  return tf.tensor(gathered, [rows.length, ...inner], "float32");
}

/** Returns true when `indices` is 0, 1, ..., length - 1. */
function isIdentity(indices: number[], length: number): boolean {
  return indices.length === length && indices.every((value, i) => value === i);
}

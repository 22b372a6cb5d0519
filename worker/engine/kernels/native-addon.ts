import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/**
 * Functions of the N-API addon in native/ (see native/src). Each takes the wasm heap first and
 * tensors as byte offsets into it; sizes are element counts. The addon checks every span against
 * the heap size and throws on a mismatch.
 */
export interface NativeAddon {
  describe(): { blas: string; threads: number };
  setThreads(count: number): void;
  /** C_i[m, n] = op(A_i) op(B_i) for i < batch; a batch stride of 0 repeats one matrix. */
  gemmBatched(
    heap: Uint8Array, batch: number, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean,
    aOffset: number, aBatchStride: number, bOffset: number, bBatchStride: number, cOffset: number,
  ): void;
  /** Normalises rows of x [rows, cols]; also writes each row's mean and 1 / sqrt(variance + epsilon). */
  layerNormForward(
    heap: Uint8Array, rows: number, cols: number, x: number, gamma: number, beta: number, epsilon: number,
    y: number, mean: number, rstd: number,
  ): void;
  layerNormBackward(
    heap: Uint8Array, rows: number, cols: number, dy: number, x: number, gamma: number, mean: number, rstd: number,
    dx: number, dGamma: number, dBeta: number,
  ): void;
  /** Per-pair label-smoothed and plain cross-entropy of logits [pairs, length, vocab]; masked rows are skipped. */
  crossEntropyForward(
    heap: Uint8Array, pairs: number, length: number, vocab: number, logits: number, targets: number, mask: number,
    labelSmoothing: number, smoothed: number, nll: number, logSumExp: number,
  ): void;
  /** Gradient for the logits; an offset of -1 marks an output without a gradient. */
  crossEntropyBackward(
    heap: Uint8Array, pairs: number, length: number, vocab: number, logits: number, targets: number, mask: number,
    logSumExp: number, labelSmoothing: number, dSmoothed: number, dNll: number, dLogits: number,
  ): void;
  /** Copies rows ids[i] of table [vocab, dim] into out [count, dim]. */
  embeddingForward(heap: Uint8Array, count: number, vocab: number, dim: number, table: number, ids: number, out: number): void;
  /** Adds row i of dy [count, dim] into row ids[i] of a zeroed dTable [vocab, dim]. */
  embeddingBackward(heap: Uint8Array, count: number, vocab: number, dim: number, dy: number, ids: number, dTable: number): void;
  /**
   * One Adam update over `count` variables described by `table`, 8 numbers each (offsets of the
   * variable, gradient, first and second moment, new variable, new first and second moment, then
   * the element count), after clipping by the global norm. Returns the norm before clipping.
   */
  adamStep(
    heap: Uint8Array, count: number, table: Float64Array, beta1: number, beta2: number, epsilon: number,
    stepSize: number, clipNorm: number,
  ): number;
  /** dx = y * (dy - sum(dy * y)) per row, the gradient of a softmax over the last axis. */
  softmaxBackward(heap: Uint8Array, rows: number, cols: number, y: number, dy: number, dx: number): void;
  /** y [rows, outputs] = x [rows, inputs] weight [inputs, outputs] + bias [outputs]. */
  linearForward(heap: Uint8Array, rows: number, inputs: number, outputs: number, x: number, weight: number, bias: number, y: number): void;
  linearBackward(
    heap: Uint8Array, rows: number, inputs: number, outputs: number, dy: number, x: number, weight: number,
    dx: number, dWeight: number, dBias: number,
  ): void;
  /**
   * Attention per head on [batch, length, dModel] tensors; `bias` (-1 for none) is
   * [biasBatch, biasRows, keyLength]. Writes the context and the probabilities.
   */
  attentionForward(
    heap: Uint8Array, batch: number, heads: number, queryLength: number, keyLength: number, dModel: number,
    queries: number, keys: number, values: number, bias: number, biasBatch: number, biasRows: number,
    context: number, probabilities: number,
  ): void;
  attentionBackward(
    heap: Uint8Array, batch: number, heads: number, queryLength: number, keyLength: number, dModel: number,
    dContext: number, queries: number, keys: number, values: number, probabilities: number,
    dQueries: number, dKeys: number, dValues: number,
  ): void;
  /**
   * Inverted dropout of x [count] into y, with a one-byte mask. Draws continue the sfc32 stream in
   * `state` (Random's four words), and the advanced words are written back.
   */
  dropoutForward(heap: Uint8Array, count: number, x: number, y: number, mask: number, state: Uint32Array, keep: number, scale: number): void;
  /** dx = dy * scale where the one-byte mask is 1, else 0. */
  dropoutBackward(heap: Uint8Array, count: number, dy: number, mask: number, scale: number, dx: number): void;
  /** dx = dy where x > 0, else 0. */
  reluBackward(heap: Uint8Array, count: number, dy: number, x: number, dx: number): void;
}

/** Functions the current sources define; a build that lacks one is out of date. */
const REQUIRED_FUNCTIONS = [
  "describe", "setThreads", "gemmBatched", "layerNormForward", "layerNormBackward", "crossEntropyForward",
  "crossEntropyBackward", "embeddingForward", "embeddingBackward", "adamStep", "softmaxBackward", "linearForward",
  "linearBackward", "attentionForward", "attentionBackward", "dropoutForward",
  "dropoutBackward", "reluBackward",
] as const satisfies readonly (keyof NativeAddon)[];

/** Path of the addon that `node scripts/build-native.mjs` (run by npm install) builds. */
const NATIVE_ADDON_PATH = path.resolve(import.meta.dirname, "../../../native/build/Release/winnow_native.node");

const REBUILD_HINT = "run `node scripts/build-native.mjs` (needs libopenblas-dev on Debian/Ubuntu)";

export type NativeAddonLoad = { addon: NativeAddon; error: null } | { addon: null; error: string };

let loaded: NativeAddonLoad | undefined;

/** Loads the addon once. When it is unavailable, `error` explains why and how to build it. */
export function loadNativeAddon(): NativeAddonLoad {
  loaded ??= tryLoad();
  return loaded;
}

function tryLoad(): NativeAddonLoad {
  const relative = path.relative(process.cwd(), NATIVE_ADDON_PATH);
  if (!existsSync(NATIVE_ADDON_PATH)) {
    return { addon: null, error: `${relative} is not built: ${REBUILD_HINT}` };
  }
  let module: Partial<NativeAddon>;
  try {
    module = createRequire(import.meta.url)(NATIVE_ADDON_PATH) as Partial<NativeAddon>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { addon: null, error: `${relative} failed to load (${message}): ${REBUILD_HINT}` };
  }
  const missing = REQUIRED_FUNCTIONS.filter((name) => typeof module[name] !== "function");
  if (missing.length > 0) {
    return { addon: null, error: `${relative} is out of date, it lacks ${missing.join(", ")}: ${REBUILD_HINT}` };
  }
  return { addon: module as NativeAddon, error: null };
}

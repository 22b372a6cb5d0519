import * as tf from "@tensorflow/tfjs-core";
import type { Random } from "../../../lib/random";
import type { NativeAddon } from "./native-addon";
import { WasmHeap } from "./wasm-heap";

/** Outputs [y, mask (bool), state (int32 [4])]: the dropped-out tensor, what was kept, and the advanced stream. */
export const DROPOUT = "WinnowDropout";
/** Output dx. */
export const DROPOUT_GRAD = "WinnowDropoutGrad";

/** Words of sfc32's state. */
const STATE_WORDS = 4;

interface DropoutAttrs {
  keep: number;
  scale: number;
  /** sfc32 words of the random stream before the draws. */
  words: number[];
}

/**
 * Applies inverted dropout to `x` in one native kernel: each element is kept with probability
 * `1 - rate` and scaled by 1 / (1 - rate), and otherwise zeroed. The kernel draws from `random`'s
 * sfc32 stream exactly as layers/dropout.ts does in JavaScript and advances `random` past the
 * draws, so both give the same mask for a seed. Needs the native kernels.
 */
export function fusedDropout(x: tf.Tensor, rate: number, random: Random): tf.Tensor {
  const keep = 1 - rate;
  const { words, spareNormal } = random.state();
  const attrs: DropoutAttrs = { keep, scale: 1 / keep, words };
  const [y, , state] = tf.engine().runKernel(DROPOUT, { x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  const next = state.dataSync();
  random.restore({ words: [next[0] >>> 0, next[1] >>> 0, next[2] >>> 0, next[3] >>> 0], spareNormal });
  return y;
}

export function dropoutKernels(addon: NativeAddon): tf.KernelConfig[] {
  const forward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { x } = inputs as Record<string, tf.TensorInfo>;
    const { keep, scale, words } = attrs as unknown as DropoutAttrs;
    if (x.dtype !== "float32") throw new Error(`dropout needs a float32 tensor, got ${x.dtype}`);
    const count = tf.util.sizeFromShape(x.shape);
    const heap = new WasmHeap(backend);
    const y = heap.output(x.shape);
    const mask = heap.output(x.shape, "bool");
    const state = Uint32Array.from(words);
    if (count > 0) addon.dropoutForward(heap.bytes(), count, heap.offset(x), heap.offset(y), heap.offset(mask), state, keep, scale);
    return [y, mask, heap.ints([STATE_WORDS], Int32Array.from(state))];
  };

  const backward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { dy, mask } = inputs as Record<string, tf.TensorInfo>;
    const { scale } = attrs as unknown as DropoutAttrs;
    const count = tf.util.sizeFromShape(dy.shape);
    const heap = new WasmHeap(backend);
    const dx = heap.output(dy.shape);
    if (count > 0) addon.dropoutBackward(heap.bytes(), count, heap.offset(dy), heap.offset(mask), scale, heap.offset(dx));
    return dx;
  };

  return [
    { kernelName: DROPOUT, backendName: "wasm", kernelFunc: forward },
    { kernelName: DROPOUT_GRAD, backendName: "wasm", kernelFunc: backward },
  ];
}

export const dropoutGradient: tf.GradConfig = {
  kernelName: DROPOUT,
  outputsToSave: [false, true, false],
  gradFunc: (dys, saved, attrs) => {
    const [dy] = dys as tf.Tensor[];
    const [mask] = saved;
    return { x: () => tf.engine().runKernel(DROPOUT_GRAD, { dy, mask }, attrs) as tf.Tensor };
  },
};

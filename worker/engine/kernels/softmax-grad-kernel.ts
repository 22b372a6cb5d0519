import * as tf from "@tensorflow/tfjs-core";
import type { NativeAddon } from "./native-addon";
import { WasmHeap } from "./wasm-heap";

/** Output dx: the gradient of a softmax over the last axis, from its output y and dy. */
export const SOFTMAX_GRAD = "WinnowSoftmaxGrad";

/** Computes dx = y * (dy - sum(dy * y)) along the last axis in one native kernel. */
export function fusedSoftmaxGrad(y: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(SOFTMAX_GRAD, { y, dy }) as tf.Tensor;
}

export function softmaxGradKernel(addon: NativeAddon): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = ({ inputs, backend }) => {
    const { y, dy } = inputs as Record<string, tf.TensorInfo>;
    if (!tf.util.arraysEqual(y.shape, dy.shape)) {
      throw new Error(`softmax gradient needs dy of the output's shape [${y.shape}], got [${dy.shape}]`);
    }
    const cols = y.shape[y.shape.length - 1];
    const rows = tf.util.sizeFromShape(y.shape) / cols;
    const heap = new WasmHeap(backend);
    const dx = heap.output(y.shape);
    if (rows > 0) addon.softmaxBackward(heap.bytes(), rows, cols, heap.offset(y), heap.offset(dy), heap.offset(dx));
    return dx;
  };
  return { kernelName: SOFTMAX_GRAD, backendName: "wasm", kernelFunc };
}

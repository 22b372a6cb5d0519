import * as tf from "@tensorflow/tfjs-core";
import type { NativeAddon } from "./native-addon";
import { WasmHeap } from "./wasm-heap";

/** Output dx: the gradient of max(x, 0) from x and dy. */
export const RELU_GRAD = "WinnowReluGrad";

/** Computes dx = dy where x > 0, else 0, in one native kernel instead of step and multiply. */
export function fusedReluGrad(x: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(RELU_GRAD, { x, dy }) as tf.Tensor;
}

export function reluGradKernel(addon: NativeAddon): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = ({ inputs, backend }) => {
    const { x, dy } = inputs as Record<string, tf.TensorInfo>;
    if (!tf.util.arraysEqual(x.shape, dy.shape) || x.dtype !== "float32") {
      throw new Error(`relu gradient needs float32 x and dy of one shape, got ${x.dtype} [${x.shape}] and [${dy.shape}]`);
    }
    const count = tf.util.sizeFromShape(x.shape);
    const heap = new WasmHeap(backend);
    const dx = heap.output(x.shape);
    if (count > 0) addon.reluBackward(heap.bytes(), count, heap.offset(dy), heap.offset(x), heap.offset(dx));
    return dx;
  };
  return { kernelName: RELU_GRAD, backendName: "wasm", kernelFunc };
}

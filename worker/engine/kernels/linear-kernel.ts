import * as tf from "@tensorflow/tfjs-core";
import type { NativeAddon } from "./native-addon";
import { WasmHeap } from "./wasm-heap";

/** Output y [..., outputs] = x [..., inputs] weight [inputs, outputs] + bias [outputs]. */
export const LINEAR = "WinnowLinear";
/** Outputs [dx, dWeight, dBias]. */
export const LINEAR_GRAD = "WinnowLinearGrad";

/**
 * A dense projection of the last axis with its bias, as one native kernel (sgemm starting from
 * the bias) and one native gradient kernel, in place of reshape, matMul, add and reshape and their
 * gradients. Needs the native kernels.
 */
export function fusedLinear(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(LINEAR, { x, weight, bias }) as tf.Tensor;
}

export function linearKernels(addon: NativeAddon): tf.KernelConfig[] {
  const forward: tf.KernelFunc = ({ inputs, backend }) => {
    const { x, weight, bias } = inputs as Record<string, tf.TensorInfo>;
    const { rows, inputSize, outputSize } = checkShapes(x, weight, bias);
    const heap = new WasmHeap(backend);
    const y = heap.output([...x.shape.slice(0, -1), outputSize]);
    if (rows > 0) {
      addon.linearForward(
        heap.bytes(), rows, inputSize, outputSize, heap.offset(x), heap.offset(weight), heap.offset(bias), heap.offset(y),
      );
    }
    return y;
  };

  const backward: tf.KernelFunc = ({ inputs, backend }) => {
    const { dy, x, weight } = inputs as Record<string, tf.TensorInfo>;
    const [inputSize, outputSize] = weight.shape;
    const rows = tf.util.sizeFromShape(x.shape) / inputSize;
    const heap = new WasmHeap(backend);
    if (rows === 0) return [heap.output(x.shape), heap.zeros(weight.shape), heap.zeros([outputSize])];
    const dx = heap.output(x.shape);
    const dWeight = heap.output(weight.shape);
    const dBias = heap.output([outputSize]);
    addon.linearBackward(
      heap.bytes(), rows, inputSize, outputSize, heap.offset(dy), heap.offset(x), heap.offset(weight),
      heap.offset(dx), heap.offset(dWeight), heap.offset(dBias),
    );
    return [dx, dWeight, dBias];
  };

  return [
    { kernelName: LINEAR, backendName: "wasm", kernelFunc: forward },
    { kernelName: LINEAR_GRAD, backendName: "wasm", kernelFunc: backward },
  ];
}

/** Computes dx, dWeight and dBias with one backward kernel; the closures hand out its outputs. */
export const linearGradient: tf.GradConfig = {
  kernelName: LINEAR,
  inputsToSave: ["x", "weight"],
  gradFunc: (dy, saved) => {
    const [x, weight] = saved;
    const [dx, dWeight, dBias] = tf.engine().runKernel(LINEAR_GRAD, { dy: dy as tf.Tensor, x, weight }) as tf.Tensor[];
    return { x: () => dx, weight: () => dWeight, bias: () => dBias };
  },
};

function checkShapes(x: tf.TensorInfo, weight: tf.TensorInfo, bias: tf.TensorInfo) {
  const [inputSize, outputSize] = weight.shape;
  if (weight.shape.length !== 2 || x.shape[x.shape.length - 1] !== inputSize || inputSize < 1 || outputSize < 1) {
    throw new Error(`linear weight must be [${x.shape[x.shape.length - 1]}, outputs] for x [${x.shape}], got [${weight.shape}]`);
  }
  if (bias.shape.length !== 1 || bias.shape[0] !== outputSize) {
    throw new Error(`linear bias must be [${outputSize}] for weight [${weight.shape}], got [${bias.shape}]`);
  }
  for (const [name, tensor] of [["x", x], ["weight", weight], ["bias", bias]] as const) {
    if (tensor.dtype !== "float32") throw new Error(`linear ${name} must be float32, got ${tensor.dtype}`);
  }
  return { rows: tf.util.sizeFromShape(x.shape) / inputSize, inputSize, outputSize };
}

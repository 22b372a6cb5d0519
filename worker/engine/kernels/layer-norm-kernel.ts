import * as tf from "@tensorflow/tfjs-core";
import type { NativeAddon } from "./native-addon";
import { WasmHeap } from "./wasm-heap";

/** Outputs [y, mean, rstd]; only y is for callers, mean and 1 / sqrt(variance + epsilon) feed the gradient. */
export const LAYER_NORM = "WinnowLayerNorm";
/** Outputs [dx, dGamma, dBeta]. */
export const LAYER_NORM_GRAD = "WinnowLayerNormGrad";

interface LayerNormAttrs {
  epsilon: number;
}

/**
 * Layer normalisation over the last axis of `x` (Ba et al. 2016) with scale `gamma` and shift
 * `beta` [cols], as one native kernel with a native gradient. Needs the native kernels.
 */
export function fusedLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const attrs: LayerNormAttrs = { epsilon };
  const [y] = tf.engine().runKernel(LAYER_NORM, { x, gamma, beta }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return y;
}

export function layerNormKernels(addon: NativeAddon): tf.KernelConfig[] {
  const forward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, gamma, beta } = inputs as Record<string, tf.TensorInfo>;
    const { epsilon } = attrs as unknown as LayerNormAttrs;
    const { rows, cols } = rowsAndCols(x, gamma);
    const heap = new WasmHeap(backend);
    const y = heap.output(x.shape);
    const mean = heap.output([rows]);
    const rstd = heap.output([rows]);
    if (rows > 0) addon.layerNormForward(
      heap.bytes(), rows, cols, heap.offset(x), heap.offset(gamma), heap.offset(beta), epsilon,
      heap.offset(y), heap.offset(mean), heap.offset(rstd),
    );
    return [y, mean, rstd];
  };

  const backward: tf.KernelFunc = ({ inputs, backend }) => {
    const { dy, x, gamma, mean, rstd } = inputs as Record<string, tf.TensorInfo>;
    const { rows, cols } = rowsAndCols(x, gamma);
    const heap = new WasmHeap(backend);
    if (rows === 0) return [heap.output(x.shape), heap.zeros(gamma.shape), heap.zeros(gamma.shape)];
    const dx = heap.output(x.shape);
    const dGamma = heap.output(gamma.shape);
    const dBeta = heap.output(gamma.shape);
    addon.layerNormBackward(
      heap.bytes(), rows, cols, heap.offset(dy), heap.offset(x), heap.offset(gamma), heap.offset(mean),
      heap.offset(rstd), heap.offset(dx), heap.offset(dGamma), heap.offset(dBeta),
    );
    return [dx, dGamma, dBeta];
  };

  return [
    { kernelName: LAYER_NORM, backendName: "wasm", kernelFunc: forward },
    { kernelName: LAYER_NORM_GRAD, backendName: "wasm", kernelFunc: backward },
  ];
}

/** Computes dx, dGamma and dBeta with one backward kernel; the closures hand out its outputs. */
export const layerNormGradient: tf.GradConfig = {
  kernelName: LAYER_NORM,
  inputsToSave: ["x", "gamma"],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved) => {
    const [dy] = dys as tf.Tensor[];
    const [x, gamma, mean, rstd] = saved;
    const [dx, dGamma, dBeta] = tf.engine().runKernel(LAYER_NORM_GRAD, { dy, x, gamma, mean, rstd }) as tf.Tensor[];
    return { x: () => dx, gamma: () => dGamma, beta: () => dBeta };
  },
};

function rowsAndCols(x: tf.TensorInfo, gamma: tf.TensorInfo): { rows: number; cols: number } {
  const cols = x.shape[x.shape.length - 1];
  if (x.shape.length === 0 || cols < 1) throw new Error(`layer norm needs a last axis of at least 1, got x [${x.shape}]`);
  if (gamma.shape.length !== 1 || gamma.shape[0] !== cols) {
    throw new Error(`layer norm scale must have shape [${cols}] to match x [${x.shape}], got [${gamma.shape}]`);
  }
  return { rows: tf.util.sizeFromShape(x.shape) / cols, cols };
}

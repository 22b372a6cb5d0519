import * as tf from "@tensorflow/tfjs-core";
import type { NativeAddon } from "./native-addon";
import { WasmHeap } from "./wasm-heap";

/** Outputs [smoothed, nll, logSumExp]: per-pair losses [pairs] and each row's log-sum-exp [pairs, length]. */
export const CROSS_ENTROPY = "WinnowCrossEntropy";
/** Outputs [dLogits]. */
export const CROSS_ENTROPY_GRAD = "WinnowCrossEntropyGrad";

interface CrossEntropyAttrs {
  labelSmoothing: number;
}

/**
 * Computes the label-smoothed and the plain cross-entropy of `logits` [pairs, length, vocab]
 * against int32 `targets` [pairs, length]. Each pair's token losses are weighted by `mask`
 * [pairs, length], summed and divided by max(sum of the pair's mask, 1), which gives the numbers
 * that `sequenceLosses` computes with tfjs ops. One native kernel does the forward pass and one
 * the gradient for the logits, and rows whose mask is 0 are skipped. Needs the native kernels.
 */
export function fusedCrossEntropy(options: {
  logits: tf.Tensor;
  targets: tf.Tensor;
  mask: tf.Tensor;
  labelSmoothing: number;
}): { smoothed: tf.Tensor1D; nll: tf.Tensor1D; logSumExp: tf.Tensor2D } {
  const { logits, targets, mask } = options;
  const attrs: CrossEntropyAttrs = { labelSmoothing: options.labelSmoothing };
  const [smoothed, nll, logSumExp] = tf.engine().runKernel(
    CROSS_ENTROPY, { logits, targets, mask }, attrs as unknown as tf.NamedAttrMap,
  ) as tf.Tensor[];
  return { smoothed: smoothed as tf.Tensor1D, nll: nll as tf.Tensor1D, logSumExp: logSumExp as tf.Tensor2D };
}

export function crossEntropyKernels(addon: NativeAddon): tf.KernelConfig[] {
  const forward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { logits, targets, mask } = inputs as Record<string, tf.TensorInfo>;
    const { labelSmoothing } = attrs as unknown as CrossEntropyAttrs;
    const { pairs, length, vocab } = checkShapes(logits, targets, mask);
    const heap = new WasmHeap(backend);
    // A pair without tokens has loss 0 / max(0, 1) = 0.
    if (pairs * length === 0) return [heap.zeros([pairs]), heap.zeros([pairs]), heap.zeros([pairs, length])];
    const smoothed = heap.output([pairs]);
    const nll = heap.output([pairs]);
    const logSumExp = heap.output([pairs, length]);
    addon.crossEntropyForward(
      heap.bytes(), pairs, length, vocab, heap.offset(logits), heap.offset(targets), heap.offset(mask), labelSmoothing,
      heap.offset(smoothed), heap.offset(nll), heap.offset(logSumExp),
    );
    return [smoothed, nll, logSumExp];
  };

  const backward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { logits, targets, mask, logSumExp, dSmoothed, dNll } = inputs as Record<string, tf.TensorInfo | undefined>;
    if (logits === undefined || targets === undefined || mask === undefined || logSumExp === undefined) {
      throw new Error(`${CROSS_ENTROPY_GRAD} needs logits, targets, mask and logSumExp`);
    }
    const { labelSmoothing } = attrs as unknown as CrossEntropyAttrs;
    const { pairs, length, vocab } = checkShapes(logits, targets, mask);
    const heap = new WasmHeap(backend);
    if (pairs * length === 0) return heap.zeros(logits.shape);
    const dLogits = heap.output(logits.shape);
    const optional = (tensor: tf.TensorInfo | undefined) => (tensor === undefined ? -1 : heap.offset(tensor));
    addon.crossEntropyBackward(
      heap.bytes(), pairs, length, vocab, heap.offset(logits), heap.offset(targets), heap.offset(mask),
      heap.offset(logSumExp), labelSmoothing, optional(dSmoothed), optional(dNll), heap.offset(dLogits),
    );
    return dLogits;
  };

  return [
    { kernelName: CROSS_ENTROPY, backendName: "wasm", kernelFunc: forward },
    { kernelName: CROSS_ENTROPY_GRAD, backendName: "wasm", kernelFunc: backward },
  ];
}

/** Gradient for the logits only: targets are ids, and the mask is data, not a model output. */
export const crossEntropyGradient: tf.GradConfig = {
  kernelName: CROSS_ENTROPY,
  inputsToSave: ["logits", "targets", "mask"],
  outputsToSave: [false, false, true],
  gradFunc: (dys, saved, attrs) => {
    const [dSmoothed, dNll] = dys as (tf.Tensor | null)[];
    const [logits, targets, mask, logSumExp] = saved;
    const inputs: tf.NamedTensorMap = { logits, targets, mask, logSumExp };
    if (dSmoothed !== null) inputs.dSmoothed = dSmoothed;
    if (dNll !== null) inputs.dNll = dNll;
    const noGradient = (input: string) => () => {
      throw new Error(`${CROSS_ENTROPY} has no gradient for its ${input}`);
    };
    return {
      logits: () => tf.engine().runKernel(CROSS_ENTROPY_GRAD, inputs, attrs) as tf.Tensor,
      targets: noGradient("targets"),
      mask: noGradient("mask"),
    };
  },
};

function checkShapes(logits: tf.TensorInfo, targets: tf.TensorInfo, mask: tf.TensorInfo) {
  const [pairs, length, vocab] = logits.shape;
  const tokens = `[${pairs}, ${length}]`;
  if (logits.shape.length !== 3 || vocab < 1) {
    throw new Error(`cross-entropy logits must be [pairs, length, vocab] with vocab at least 1, got [${logits.shape}]`);
  }
  if (targets.dtype !== "int32" || !tf.util.arraysEqual(targets.shape, [pairs, length])) {
    throw new Error(`cross-entropy targets must be int32 ${tokens}, got ${targets.dtype} [${targets.shape}]`);
  }
  if (mask.dtype !== "float32" || !tf.util.arraysEqual(mask.shape, [pairs, length])) {
    throw new Error(`cross-entropy mask must be float32 ${tokens}, got ${mask.dtype} [${mask.shape}]`);
  }
  return { pairs, length, vocab };
}

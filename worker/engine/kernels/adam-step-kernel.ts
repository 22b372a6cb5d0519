import * as tf from "@tensorflow/tfjs-core";
import type { NativeAddon } from "./native-addon";
import { WasmHeap } from "./wasm-heap";

/**
 * Inputs variable<i>, gradient<i>, first<i>, second<i> for i < count; outputs [norm, then the new
 * variable, first and second moment of each i].
 */
export const ADAM_STEP = "WinnowAdamStep";

/** Numbers per variable in the table that `adamStep` reads. */
const TABLE_WIDTH = 8;

interface AdamStepAttrs {
  count: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Learning rate with both bias corrections folded in: lr * sqrt(1 - beta2^t) / (1 - beta1^t). */
  stepSize: number;
  /** Global gradient norm to clip to; 0 turns clipping off. */
  clipNorm: number;
}

export interface AdamStepOptions extends Omit<AdamStepAttrs, "count"> {
  variables: readonly tf.Variable[];
  /** Gradient of each variable, in the same order; a variable whose gradient is null is left unchanged. */
  gradients: readonly (tf.Tensor | null)[];
  firstMoments: readonly tf.Variable[];
  secondMoments: readonly tf.Variable[];
}

/**
 * Applies one Adam update to every variable with a gradient in one native call, with the same
 * formulas as AdamOptimizer: clip by the global norm, update both moments, step the variable.
 * Assigns the new values to the variables and moments and returns the global norm before
 * clipping. Needs the native kernels; call it inside `tf.tidy`.
 */
export function fusedAdamStep(options: AdamStepOptions): number {
  const indices = options.gradients.flatMap((gradient, i) => (gradient === null ? [] : [i]));
  if (indices.length === 0) return 0;
  const variables = indices.map((i) => options.variables[i]);
  const firstMoments = indices.map((i) => options.firstMoments[i]);
  const secondMoments = indices.map((i) => options.secondMoments[i]);
  const inputs: tf.NamedTensorMap = {};
  indices.forEach((index, i) => {
    inputs[`variable${i}`] = variables[i];
    inputs[`gradient${i}`] = options.gradients[index] as tf.Tensor;
    inputs[`first${i}`] = firstMoments[i];
    inputs[`second${i}`] = secondMoments[i];
  });
  const attrs: AdamStepAttrs = {
    count: variables.length,
    beta1: options.beta1,
    beta2: options.beta2,
    epsilon: options.epsilon,
    stepSize: options.stepSize,
    clipNorm: options.clipNorm,
  };
  const [norm, ...updated] = tf.engine().runKernel(ADAM_STEP, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  variables.forEach((variable, i) => {
    variable.assign(updated[3 * i]);
    firstMoments[i].assign(updated[3 * i + 1]);
    secondMoments[i].assign(updated[3 * i + 2]);
  });
  return norm.dataSync()[0];
}

export function adamStepKernel(addon: NativeAddon): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { count, beta1, beta2, epsilon, stepSize, clipNorm } = attrs as unknown as AdamStepAttrs;
    const named = inputs as Record<string, tf.TensorInfo>;
    const heap = new WasmHeap(backend);
    const outputs: tf.TensorInfo[] = [];
    const rows: number[] = [];
    for (let i = 0; i < count; i++) {
      const variable = named[`variable${i}`];
      const operands = [variable, named[`gradient${i}`], named[`first${i}`], named[`second${i}`]];
      operands.forEach((operand) => checkOperand(operand, variable, i));
      const news = [0, 1, 2].map(() => heap.output(variable.shape));
      outputs.push(...news);
      // An empty variable has nothing to update; its outputs are empty too.
      const size = tf.util.sizeFromShape(variable.shape);
      if (size > 0) rows.push(...[...operands, ...news].map((tensor) => heap.offset(tensor)), size);
    }
    const updated = rows.length / TABLE_WIDTH;
    const norm = updated === 0 ? 0 : addon.adamStep(heap.bytes(), updated, Float64Array.from(rows), beta1, beta2, epsilon, stepSize, clipNorm);
    return [heap.scalar(norm), ...outputs];
  };
  return { kernelName: ADAM_STEP, backendName: "wasm", kernelFunc };
}

function checkOperand(operand: tf.TensorInfo | undefined, variable: tf.TensorInfo | undefined, index: number): void {
  if (operand === undefined || variable === undefined) throw new Error(`${ADAM_STEP} is missing an input of variable ${index}`);
  if (operand.dtype !== "float32" || !tf.util.arraysEqual(operand.shape, variable.shape)) {
    throw new Error(
      `${ADAM_STEP} variable ${index}: every input must be float32 [${variable.shape}], got ${operand.dtype} [${operand.shape}]`,
    );
  }
}

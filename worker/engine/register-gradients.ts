import * as tf from "@tensorflow/tfjs-core";
import { nativeKernelsActive } from "./kernels/native-kernels";
import { fusedReluGrad } from "./kernels/relu-grad-kernel";
import { fusedSoftmaxGrad } from "./kernels/softmax-grad-kernel";
import { matMul } from "./layers/mat-mul";

/**
 * Gradients of the kernels the Transformer uses while training.
 *
 * tfjs-core 4.22 ships its gradient functions only in `dist/register_all_gradients.js`, an ES
 * module with extensionless imports that Node cannot load, and its Node bundle
 * (`tf-core.node.js`) registers none. The umbrella `@tensorflow/tfjs` package would register them,
 * but winnow depends on tfjs-core and the backends alone. These are the standard derivatives,
 * written with tfjs ops; a kernel that already has a registered gradient keeps it.
 */
const GRADIENTS: tf.GradConfig[] = [
  {
    kernelName: tf.Add,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, [a, b]) => ({ a: () => unbroadcast(single(dy), a.shape), b: () => unbroadcast(single(dy), b.shape) }),
  },
  {
    kernelName: tf.Sub,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, [a, b]) => ({
      a: () => unbroadcast(single(dy), a.shape),
      b: () => unbroadcast(tf.neg(single(dy)), b.shape),
    }),
  },
  {
    kernelName: tf.Multiply,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, [a, b]) => ({
      a: () => unbroadcast(tf.mul(single(dy), b), a.shape),
      b: () => unbroadcast(tf.mul(single(dy), a), b.shape),
    }),
  },
  {
    // d(a / b) = da / b - a db / b^2
    kernelName: tf.RealDiv,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, [a, b]) => ({
      a: () => unbroadcast(tf.div(single(dy), b), a.shape),
      b: () => unbroadcast(tf.neg(tf.div(tf.mul(single(dy), a), tf.square(b))), b.shape),
    }),
  },
  { kernelName: tf.Neg, gradFunc: (dy) => ({ x: () => tf.neg(single(dy)) }) },
  {
    kernelName: tf.Square,
    inputsToSave: ["x"],
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(single(dy), tf.mul(x, 2)) }),
  },
  {
    // y = x^(-1/2), so dy/dx = -y^3 / 2.
    kernelName: tf.Rsqrt,
    outputsToSave: [true],
    gradFunc: (dy, [y]) => ({ x: () => tf.mul(single(dy), tf.mul(tf.mul(tf.square(y), y), -0.5)) }),
  },
  {
    kernelName: tf.Relu,
    inputsToSave: ["x"],
    gradFunc: (dy, [x]) => ({
      x: () => (nativeKernelsActive() ? fusedReluGrad(x, single(dy)) : tf.mul(single(dy), tf.step(x))),
    }),
  },
  {
    kernelName: tf.Reshape,
    inputsToSave: ["x"],
    gradFunc: (dy, [x]) => ({ x: () => tf.reshape(single(dy), x.shape) }),
  },
  {
    kernelName: tf.Transpose,
    gradFunc: (dy, _saved, attrs) => {
      const { perm } = attrs as unknown as tf.TransposeAttrs;
      const inverse = new Array<number>(perm.length);
      perm.forEach((axis, index) => (inverse[axis] = index));
      return { x: () => tf.transpose(single(dy), inverse) };
    },
  },
  {
    // y = softmax(x) along the last axis: dx = y * (dy - sum(dy * y)), one kernel when native.
    kernelName: tf.Softmax,
    outputsToSave: [true],
    gradFunc: (dy, [y]) => ({
      logits: () =>
        nativeKernelsActive()
          ? fusedSoftmaxGrad(y, single(dy))
          : tf.mul(y, tf.sub(single(dy), tf.sum(tf.mul(single(dy), y), -1, true))),
    }),
  },
  {
    kernelName: tf.Sum,
    inputsToSave: ["x"],
    gradFunc: (dy, [x], attrs) => ({ x: () => spreadOverReducedAxes(single(dy), x, attrs, 1) }),
  },
  {
    kernelName: tf.Mean,
    inputsToSave: ["x"],
    gradFunc: (dy, [x], attrs) => {
      const axes = tf.util.parseAxisParam((attrs as unknown as tf.MeanAttrs).axis, x.shape);
      const count = axes.reduce((product, axis) => product * x.shape[axis], 1);
      return { x: () => spreadOverReducedAxes(single(dy), x, attrs, 1 / count) };
    },
  },
  { kernelName: tf.BatchMatMul, inputsToSave: ["a", "b"], gradFunc: batchMatMulGradient },
];

/** Registers the gradients above for kernels that have none; safe to call more than once. */
export function registerGradients(): void {
  for (const config of GRADIENTS) {
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
}

/**
 * Gradient of y = op(a) op(b), where op transposes its operand when the kernel's transposeA or
 * transposeB attribute is set. Without transposes da = dy b^T and db = a^T dy; the other three
 * cases rearrange the same products.
 */
function batchMatMulGradient(dyValue: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) {
  const dy = single(dyValue);
  const [a, b] = saved;
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  let da: () => tf.Tensor;
  let db: () => tf.Tensor;
  if (!transposeA && !transposeB) {
    da = () => matMul(dy, b, false, true);
    db = () => matMul(a, dy, true, false);
  } else if (!transposeA && transposeB) {
    da = () => matMul(dy, b, false, false);
    db = () => matMul(dy, a, true, false);
  } else if (transposeA && !transposeB) {
    da = () => matMul(b, dy, false, true);
    db = () => matMul(a, dy, false, false);
  } else {
    da = () => matMul(b, dy, true, true);
    db = () => matMul(dy, a, true, true);
  }
  return { a: () => unbroadcast(da(), a.shape), b: () => unbroadcast(db(), b.shape) };
}

/** Sums a gradient over the axes that broadcasting added or stretched, back to `shape`. */
function unbroadcast(gradient: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, gradient.shape);
  const reduced = axes.length > 0 ? tf.sum(gradient, axes) : gradient;
  return tf.reshape(reduced, shape);
}

/** Copies dy of a reduction back over the reduced axes of x, times `scale`. */
function spreadOverReducedAxes(dy: tf.Tensor, x: tf.Tensor, attrs: tf.NamedAttrMap, scale: number): tf.Tensor {
  const { axis, keepDims } = attrs as unknown as tf.SumAttrs;
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const keptShape = keepDims ? dy.shape : tf.backend_util.expandShapeToKeepDim(dy.shape, axes);
  return tf.mul(tf.reshape(dy, keptShape), tf.fill(x.shape, scale));
}

function single(dy: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (Array.isArray(dy)) throw new Error(`expected one output gradient, got ${dy.length}`);
  return dy;
}

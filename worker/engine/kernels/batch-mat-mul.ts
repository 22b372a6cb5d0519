import * as tf from "@tensorflow/tfjs-core";
import type { NativeAddon } from "./native-addon";
import { WasmHeap } from "./wasm-heap";

/**
 * BatchMatMul for the wasm backend through OpenBLAS `cblas_sgemm`, reading the operands from the
 * wasm heap in place and writing the product into a tensor the backend allocates. Transpose flags
 * go to sgemm as they are, so no operand is copied. A product over an inner size of 0 is zeros
 * (the built-in kernel of tfjs-backend-wasm 4.22 returns uninitialised memory there). Cases it
 * does not cover (non-float32 operands, batch axes that broadcast other than by a batch of 1) go
 * to `builtin`, the backend's own kernel.
 */
export function nativeBatchMatMul(addon: NativeAddon, builtin: tf.KernelFunc): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { a, b } = args.inputs as Record<string, tf.TensorInfo>;
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const plan = planProduct(a, b, transposeA, transposeB);
    if (plan === null) return builtin(args);

    const heap = new WasmHeap(args.backend);
    if (plan.k === 0) return heap.zeros(plan.outShape);
    const out = heap.output(plan.outShape);
    if (plan.batch * plan.m * plan.n === 0) return out;
    addon.gemmBatched(
      heap.bytes(), plan.batch, plan.m, plan.n, plan.k, transposeA, transposeB,
      heap.offset(a), plan.aBatchStride, heap.offset(b), plan.bBatchStride, heap.offset(out),
    );
    return out;
  };
  return { kernelName: tf.BatchMatMul, backendName: "wasm", kernelFunc };
}

interface ProductPlan {
  outShape: number[];
  batch: number;
  m: number;
  n: number;
  k: number;
  /** Elements between consecutive matrices of the batch; 0 repeats one matrix. */
  aBatchStride: number;
  bBatchStride: number;
}

/** Sizes of op(a) op(b) over the batch axes, or null when the native kernel does not apply. */
function planProduct(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): ProductPlan | null {
  if (a.dtype !== "float32" || b.dtype !== "float32" || a.shape.length < 2 || b.shape.length < 2) return null;
  const aRows = a.shape[a.shape.length - 2];
  const aCols = a.shape[a.shape.length - 1];
  const bRows = b.shape[b.shape.length - 2];
  const bCols = b.shape[b.shape.length - 1];
  const [m, k] = transposeA ? [aCols, aRows] : [aRows, aCols];
  const [innerB, n] = transposeB ? [bCols, bRows] : [bRows, bCols];
  if (k !== innerB) {
    throw new Error(
      `matMul inner sizes differ: ${k} in a [${a.shape}] and ${innerB} in b [${b.shape}] (transposeA ${transposeA}, transposeB ${transposeB})`,
    );
  }

  const aOuter = a.shape.slice(0, -2);
  const bOuter = b.shape.slice(0, -2);
  const outOuter = tf.broadcast_util.assertAndGetBroadcastShape(aOuter, bOuter);
  const batch = tf.util.sizeFromShape(outOuter);
  const aBatch = tf.util.sizeFromShape(aOuter);
  const bBatch = tf.util.sizeFromShape(bOuter);
  if ((aBatch !== batch && aBatch !== 1) || (bBatch !== batch && bBatch !== 1)) return null;

  return {
    outShape: [...outOuter, m, n],
    batch, m, n, k,
    aBatchStride: aBatch === 1 ? 0 : m * k,
    bBatchStride: bBatch === 1 ? 0 : k * n,
  };
}

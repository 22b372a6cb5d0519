import * as tf from "@tensorflow/tfjs-core";
import type { NativeAddon } from "./native-addon";
import { WasmHeap } from "./wasm-heap";

/** Output [...ids, dim]: rows of the table. */
export const EMBEDDING = "WinnowEmbedding";
/** Output [vocab, dim]: the table's gradient. */
export const EMBEDDING_GRAD = "WinnowEmbeddingGrad";

interface EmbeddingGradAttrs {
  vocabSize: number;
}

/** Looks up rows of `table` [vocab, dim] for int32 `ids` of any shape, with a native scatter-add gradient. */
export function fusedEmbedding(table: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(EMBEDDING, { table, ids }) as tf.Tensor;
}

export function embeddingKernels(addon: NativeAddon): tf.KernelConfig[] {
  const forward: tf.KernelFunc = ({ inputs, backend }) => {
    const { table, ids } = inputs as Record<string, tf.TensorInfo>;
    const [vocab, dim] = checkTable(table, ids);
    const count = tf.util.sizeFromShape(ids.shape);
    const heap = new WasmHeap(backend);
    const out = heap.output([...ids.shape, dim]);
    if (count > 0) addon.embeddingForward(heap.bytes(), count, vocab, dim, heap.offset(table), heap.offset(ids), heap.offset(out));
    return out;
  };

  const backward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { dy, ids } = inputs as Record<string, tf.TensorInfo>;
    const { vocabSize } = attrs as unknown as EmbeddingGradAttrs;
    const dim = dy.shape[dy.shape.length - 1];
    const count = tf.util.sizeFromShape(ids.shape);
    const heap = new WasmHeap(backend);
    const dTable = heap.output([vocabSize, dim]);
    if (count > 0) {
      addon.embeddingBackward(heap.bytes(), count, vocabSize, dim, heap.offset(dy), heap.offset(ids), heap.offset(dTable));
    } else {
      heap.bytes().fill(0, heap.offset(dTable), heap.offset(dTable) + vocabSize * dim * 4);
    }
    return dTable;
  };

  return [
    { kernelName: EMBEDDING, backendName: "wasm", kernelFunc: forward },
    { kernelName: EMBEDDING_GRAD, backendName: "wasm", kernelFunc: backward },
  ];
}

export const embeddingGradient: tf.GradConfig = {
  kernelName: EMBEDDING,
  inputsToSave: ["table", "ids"],
  gradFunc: (dy, saved) => {
    const [table, ids] = saved;
    const attrs: EmbeddingGradAttrs = { vocabSize: table.shape[0] };
    return {
      table: () => tf.engine().runKernel(EMBEDDING_GRAD, { dy: dy as tf.Tensor, ids }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor,
      ids: () => {
        throw new Error(`${EMBEDDING} has no gradient for its ids`);
      },
    };
  },
};

function checkTable(table: tf.TensorInfo, ids: tf.TensorInfo): [number, number] {
  if (table.shape.length !== 2 || table.dtype !== "float32") {
    throw new Error(`embedding table must be float32 [vocab, dim], got ${table.dtype} [${table.shape}]`);
  }
  if (ids.dtype !== "int32") throw new Error(`embedding ids must be int32, got ${ids.dtype}`);
  return [table.shape[0], table.shape[1]];
}

import * as tf from "@tensorflow/tfjs-core";
import { fusedEmbedding } from "../kernels/embedding-kernel";
import { nativeKernelsActive } from "../kernels/native-kernels";

/**
 * Looks up rows of `table` [vocab, dModel] for int32 `ids` of any shape; returns [...ids, dModel].
 *
 * `tf.gather`'s gradient needs the UnsortedSegmentSum kernel, which tfjs-backend-wasm 4.22 lacks,
 * so the gradient is a scatter-add. With the native kernels, lookup and scatter-add are native
 * kernels. Otherwise the scatter-add is JavaScript that reads `dy` synchronously, which every
 * backend that winnow loads in Node supports.
 */
export function embedTokens(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  if (nativeKernelsActive()) return fusedEmbedding(table, ids);
  const [vocabSize, dModel] = table.shape;
  const flatIds = tf.reshape(ids, [-1]);
  const idValues = flatIds.dataSync();

  const lookup = tf.customGrad((...inputs) => ({
    value: tf.gather(inputs[0] as tf.Tensor, flatIds),
    gradFunc: (dy: tf.Tensor) => {
      const rows = dy.dataSync();
      const gradient = new Float32Array(vocabSize * dModel);
      for (let i = 0; i < idValues.length; i++) {
        const target = idValues[i] * dModel;
        const source = i * dModel;
        for (let j = 0; j < dModel; j++) gradient[target + j] += rows[source + j];
      }
      return tf.tensor2d(gradient, [vocabSize, dModel]);
    },
  }));

  const rows = lookup(table) as tf.Tensor;
  return tf.reshape(rows, [...ids.shape, dModel]);
}

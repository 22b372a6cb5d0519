import * as tf from "@tensorflow/tfjs-core";

/**
 * Identity for the wasm backend that shares the input's data instead of copying it, as the cpu
 * backend's Identity does. tfjs runs Identity for `tf.clone` and for every tensor a gradient saves,
 * and tfjs-backend-wasm 4.22 copies each one, logits included. Sharing is safe because no kernel
 * writes into its inputs; the backend's reference count keeps the data until both tensors are
 * disposed. String tensors go to `builtin`.
 */
export function sharedIdentity(builtin: tf.KernelFunc): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { x } = args.inputs as Record<string, tf.TensorInfo>;
    if (x.dtype === "string") return builtin(args);
    (args.backend as tf.KernelBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return { kernelName: tf.Identity, backendName: "wasm", kernelFunc };
}

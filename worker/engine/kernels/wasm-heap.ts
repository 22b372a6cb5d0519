import type * as tf from "@tensorflow/tfjs-core";

/**
 * The parts of tfjs-backend-wasm 4.22's `BackendWasm` that the native kernels use. The backend
 * keeps every tensor in the WebAssembly module's linear memory at `memoryOffset` (a byte offset)
 * and exposes that memory as `wasm.HEAPU8`. That view is replaced whenever the memory grows, so
 * it must be read after the kernel has allocated its outputs, right before the native call.
 */
interface WasmBackendInternals {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number | null } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

/** Reads and allocates tensors of the wasm backend for a native kernel. */
export class WasmHeap {
  private readonly backend: WasmBackendInternals;

  /** `backend` is the wasm backend as tfjs hands it to a kernel function. */
  constructor(backend: object) {
    this.backend = backend as unknown as WasmBackendInternals;
  }

  /** Byte offset of a tensor's data in the heap. */
  offset(tensor: tf.TensorInfo): number {
    const offset = this.backend.dataIdMap.get(tensor.dataId)?.memoryOffset;
    if (offset === undefined || offset === null) {
      throw new Error(`tensor of shape [${tensor.shape}] has no data in the wasm heap`);
    }
    return offset;
  }

  /** Allocates an uninitialised tensor in the heap. */
  output(shape: number[], dtype: tf.DataType = "float32"): tf.TensorInfo {
    return this.backend.makeOutput(shape, dtype);
  }

  /** Allocates a float32 tensor filled with zeros. */
  zeros(shape: number[]): tf.TensorInfo {
    const tensor = this.output(shape);
    const offset = this.offset(tensor);
    const size = shape.reduce((product, dim) => product * dim, 1);
    this.bytes().fill(0, offset, offset + 4 * size);
    return tensor;
  }

  /** Allocates a float32 scalar holding `value`. */
  scalar(value: number): tf.TensorInfo {
    return this.backend.makeOutput([], "float32", undefined, new Float32Array([value]));
  }

  /** Allocates an int32 tensor holding `values`. */
  ints(shape: number[], values: Int32Array): tf.TensorInfo {
    return this.backend.makeOutput(shape, "int32", undefined, values);
  }

  /** Returns the current view of the module's memory, so call it after the last `output` call. */
  bytes(): Uint8Array {
    return this.backend.wasm.HEAPU8;
  }
}

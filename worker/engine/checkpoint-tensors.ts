import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import os from "node:os";
import * as tf from "@tensorflow/tfjs-core";
import { type CheckpointSection, type CheckpointTensorEntry, tensorSize } from "../../lib/checkpoints/checkpoint-manifest";
import type { Transformer } from "./transformer";

const HOST_IS_LITTLE_ENDIAN = os.endianness() === "LE";
const FLOAT32_BYTES = 4;

/** A tensor to write: its name in the manifest and a variable whose values are read when written. */
export interface NamedVariable {
  name: string;
  variable: tf.Variable;
}

/**
 * Names the model's variables by their path in `Transformer.params`, such as
 * "encoderLayers/0/selfAttention/query/weight", in the order of `model.variables`. Paths stay
 * the same across processes, unlike tfjs variable names, which count up per process.
 */
export function namedModelVariables(model: Transformer): NamedVariable[] {
  const names = new Map<tf.Variable, string>();
  const visit = (node: unknown, path: string[]): void => {
    if (node instanceof tf.Variable) {
      names.set(node, path.join("/"));
    } else if (Array.isArray(node)) {
      node.forEach((child, index) => visit(child, [...path, String(index)]));
    } else if (node !== null && typeof node === "object") {
      for (const [key, child] of Object.entries(node)) visit(child, [...path, key]);
    }
  };
  visit(model.params, []);
  return model.variables.map((variable) => {
    const name = names.get(variable);
    if (name === undefined) throw new Error(`model variable ${variable.name} is not in Transformer.params`);
    return { name, variable };
  });
}

/**
 * Appends tensors to an open file as float32 little-endian, from byte `offset` on. Returns their
 * manifest entries and the section's size and SHA-256.
 */
export async function writeTensorSection(
  handle: FileHandle,
  offset: number,
  tensors: readonly NamedVariable[],
): Promise<{ entries: CheckpointTensorEntry[]; section: CheckpointSection }> {
  const hash = createHash("sha256");
  const entries: CheckpointTensorEntry[] = [];
  let position = offset;
  for (const { name, variable } of tensors) {
    if (variable.dtype !== "float32") throw new Error(`checkpoint tensor ${name} has dtype ${variable.dtype}, expected float32`);
    const bytes = toLittleEndianBytes(variable.dataSync() as Float32Array);
    hash.update(bytes);
    await handle.write(bytes, 0, bytes.byteLength, position);
    entries.push({ name, shape: [...variable.shape], offset: position });
    position += bytes.byteLength;
  }
  return { entries, section: { offset, bytes: position - offset, sha256: hash.digest("hex") } };
}

/**
 * Reads one section of a weights file, checks its SHA-256, and returns the values of the
 * entries that lie inside it, by name. `file` names the file in errors.
 */
export async function readTensorSection(options: {
  handle: FileHandle;
  file: string;
  section: CheckpointSection;
  entries: readonly CheckpointTensorEntry[];
}): Promise<Map<string, Float32Array>> {
  const { handle, file, section } = options;
  const buffer = new ArrayBuffer(section.bytes);
  const bytes = new Uint8Array(buffer);
  const { bytesRead } = await handle.read(bytes, 0, section.bytes, section.offset);
  if (bytesRead !== section.bytes) {
    throw new Error(`checkpoint file ${file} is truncated: read ${bytesRead} of ${section.bytes} bytes at offset ${section.offset}`);
  }
  const digest = createHash("sha256").update(bytes).digest("hex");
  if (digest !== section.sha256) {
    throw new Error(`checkpoint file ${file} is corrupt: SHA-256 of bytes ${section.offset}..${section.offset + section.bytes} is ${digest}, expected ${section.sha256}`);
  }

  const values = new Map<string, Float32Array>();
  for (const entry of options.entries) {
    const start = entry.offset - section.offset;
    const length = tensorSize(entry.shape);
    if (start < 0 || start + length * FLOAT32_BYTES > section.bytes) continue;
    values.set(entry.name, fromLittleEndianBytes(buffer, start, length));
  }
  return values;
}

function toLittleEndianBytes(values: Float32Array): Uint8Array {
  if (HOST_IS_LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const bytes = new Uint8Array(values.byteLength);
  const view = new DataView(bytes.buffer);
  values.forEach((value, index) => view.setFloat32(index * FLOAT32_BYTES, value, true));
  return bytes;
}

/** Float32 values from little-endian bytes; a view into `buffer` on little-endian hosts, else a copy. */
function fromLittleEndianBytes(buffer: ArrayBuffer, byteOffset: number, length: number): Float32Array {
  if (HOST_IS_LITTLE_ENDIAN) return new Float32Array(buffer, byteOffset, length);
  const view = new DataView(buffer, byteOffset, length * FLOAT32_BYTES);
  return Float32Array.from({ length }, (_, index) => view.getFloat32(index * FLOAT32_BYTES, true));
}

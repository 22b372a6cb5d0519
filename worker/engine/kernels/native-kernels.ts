import * as tf from "@tensorflow/tfjs-core";
import { adamStepKernel } from "./adam-step-kernel";
import { attentionGradient, attentionKernels } from "./attention-kernel";
import { nativeBatchMatMul } from "./batch-mat-mul";
import { crossEntropyGradient, crossEntropyKernels } from "./cross-entropy-kernel";
import { dropoutGradient, dropoutKernels } from "./dropout-kernel";
import { embeddingGradient, embeddingKernels } from "./embedding-kernel";
import { layerNormGradient, layerNormKernels } from "./layer-norm-kernel";
import { linearGradient, linearKernels } from "./linear-kernel";
import type { NativeAddon } from "./native-addon";
import { reluGradKernel } from "./relu-grad-kernel";
import { sharedIdentity } from "./shared-identity";
import { softmaxGradKernel } from "./softmax-grad-kernel";

/** Built-in wasm kernels that a native one replaced, to restore on `disableNativeKernels`. */
const replaced = new Map<string, tf.KernelConfig>();
/** Kernels that exist only with the addon, to unregister on `disableNativeKernels`. */
const added: string[] = [];
/** The addon while the native kernels are registered. */
let activeAddon: NativeAddon | null = null;

/**
 * Registers the native kernels on the wasm backend: OpenBLAS BatchMatMul and a copy-free Identity
 * in place of the built-in ones, and the fused kernels (linear, attention, layer norm,
 * cross-entropy, embedding, dropout, softmax and ReLU gradients, Adam) with their gradients. Safe
 * to call more than once.
 */
export function enableNativeKernels(addon: NativeAddon): void {
  if (activeAddon !== null) return;
  replaceBuiltin(tf.BatchMatMul, (builtin) => nativeBatchMatMul(addon, builtin.kernelFunc));
  replaceBuiltin(tf.Identity, (builtin) => sharedIdentity(builtin.kernelFunc));
  const fused = [
    ...linearKernels(addon),
    ...attentionKernels(addon),
    ...layerNormKernels(addon),
    ...crossEntropyKernels(addon),
    ...embeddingKernels(addon),
    ...dropoutKernels(addon),
    softmaxGradKernel(addon),
    reluGradKernel(addon),
    adamStepKernel(addon),
  ];
  for (const config of fused) {
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  const gradients = [linearGradient, attentionGradient, layerNormGradient, crossEntropyGradient, embeddingGradient, dropoutGradient];
  for (const gradient of gradients) {
    if (!tf.getGradient(gradient.kernelName)) tf.registerGradient(gradient);
  }
  activeAddon = addon;
}

/** Restores the built-in wasm kernels and removes the fused ones. Safe to call more than once. */
export function disableNativeKernels(): void {
  for (const [kernelName, builtin] of replaced) {
    tf.unregisterKernel(kernelName, "wasm");
    tf.registerKernel(builtin);
  }
  replaced.clear();
  for (const kernelName of added.splice(0)) tf.unregisterKernel(kernelName, "wasm");
  activeAddon = null;
}

/** Reports whether the fused kernels can run now, that is, they are registered and wasm is the active backend. */
export function nativeKernelsActive(): boolean {
  return activeAddon !== null && tf.getBackend() === "wasm";
}


function replaceBuiltin(kernelName: string, make: (builtin: tf.KernelConfig) => tf.KernelConfig): void {
  const builtin = tf.getKernel(kernelName, "wasm");
  if (builtin === undefined) throw new Error(`tfjs-backend-wasm has no ${kernelName} kernel to replace`);
  tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel(make(builtin));
  replaced.set(kernelName, builtin);
}

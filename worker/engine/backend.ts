import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { env } from "../../lib/env";
import { loadNativeAddon } from "./kernels/native-addon";
import { disableNativeKernels, enableNativeKernels } from "./kernels/native-kernels";

export type BackendName = "tensorflow" | "wasm" | "cpu";

/** A backend candidate, or the native kernels of the wasm backend, that is not in use, and why. */
export interface SkippedCandidate {
  candidate: string;
  reason: string;
}

/** The backend training runs on, and the ones that failed to load before it. */
export interface BackendInfo {
  /** Backend name as tfjs registers it. */
  backend: BackendName;
  /**
   * Human-readable device, such as "WebAssembly SIMD, 1 thread, AMD EPYC 7B13", or with the
   * native kernels "WebAssembly SIMD, 1 thread, OpenBLAS kernels (2 threads), AMD EPYC 7B13".
   */
  device: string;
  /**
   * Candidates tried first that did not load, and on wasm the native kernels when they are not
   * used, with the reason, for the caller to log.
   */
  skipped: SkippedCandidate[];
}

interface LoadedBackend {
  device: string;
  /** Parts of the backend that did not load although the backend did. */
  skipped: SkippedCandidate[];
}

type Loader = () => Promise<LoadedBackend>;

/** Candidate name of the native kernels in `BackendInfo.skipped`. */
export const NATIVE_KERNELS_CANDIDATE = "OpenBLAS kernels (native/)";

/** Candidates in order of preference: native TensorFlow (GPU build first), then WebAssembly, then JS. */
const CANDIDATES: { candidate: string; backend: BackendName; load: Loader }[] = [
  { candidate: "@tensorflow/tfjs-node-gpu", backend: "tensorflow", load: () => loadNative("@tensorflow/tfjs-node-gpu") },
  { candidate: "@tensorflow/tfjs-node", backend: "tensorflow", load: () => loadNative("@tensorflow/tfjs-node") },
  { candidate: "@tensorflow/tfjs-backend-wasm", backend: "wasm", load: loadWasm },
  { candidate: "@tensorflow/tfjs-backend-cpu", backend: "cpu", load: loadCpu },
];

/**
 * Activates the training backend: the one WINNOW_BACKEND names, else the first candidate that
 * loads. Throws when the requested backend, or every candidate, fails to load; the message
 * lists each failure.
 */
export async function selectBackend(): Promise<BackendInfo> {
  const requested = env().WINNOW_BACKEND;
  const candidates = CANDIDATES.filter((entry) => requested === undefined || entry.backend === requested);
  const skipped: BackendInfo["skipped"] = [];

  for (const entry of candidates) {
    try {
      const loaded = await entry.load();
      return { backend: entry.backend, device: loaded.device, skipped: [...skipped, ...loaded.skipped] };
    } catch (error) {
      skipped.push({ candidate: entry.candidate, reason: error instanceof Error ? error.message : String(error) });
    }
  }

  const detail = skipped.map((entry) => `${entry.candidate}: ${entry.reason}`).join("; ");
  const target = requested === undefined ? "any backend" : `backend ${requested} (WINNOW_BACKEND)`;
  throw new Error(`failed to load ${target}: ${detail}`);
}

/**
 * Loads a tfjs-node package. It registers the "tensorflow" backend on the tfjs-core instance it
 * imports, which is ours only when npm deduplicated tfjs-core to one copy, so that is checked.
 */
async function loadNative(packageName: string): Promise<LoadedBackend> {
  // A variable specifier keeps TypeScript from resolving optional packages that may be absent.
  const specifier: string = packageName;
  await import(specifier);
  if (tf.findBackend("tensorflow") === null) {
    throw new Error(`${packageName} loaded but registered its backend on another copy of @tensorflow/tfjs-core`);
  }
  await activate("tensorflow");
  const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
  const device = backend.isUsingGpuDevice ? `TensorFlow (${packageName}), GPU` : `TensorFlow (${packageName}), CPU ${cpuName()}`;
  return { device, skipped: [] };
}

async function loadWasm(): Promise<LoadedBackend> {
  const { setWasmPaths } = await import("@tensorflow/tfjs-backend-wasm");
  // In Node the backend reads its .wasm files from this folder. Without the setting it looks next
  // to the bundle that tsx or vitest loaded, which may be elsewhere.
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve("@tensorflow/tfjs-backend-wasm/package.json");
  setWasmPaths(path.join(path.dirname(packageJson), "dist") + path.sep);
  await activate("wasm");
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
  const kernels = configureNativeKernels();
  const parts = [`WebAssembly${simd ? " SIMD" : ""}`, threads ? "multi-threaded" : "1 thread", ...kernels.device, cpuName()];
  return { device: parts.join(", "), skipped: kernels.skipped };
}

/**
 * Registers the native kernels on the wasm backend when WINNOW_NATIVE_KERNELS allows it and the
 * addon loads, and restores the built-in kernels otherwise. Returns the device text to add, or
 * why the kernels are not used.
 *
 * NOTE: OpenBLAS gives each large matrix product all cores of the machine, in every process. Where
 * several training processes share a machine (WINNOW_WORKER_CONCURRENCY above 1, or several
 * workers), set OPENBLAS_NUM_THREADS so that processes times threads stays within the cores.
 */
function configureNativeKernels(): { device: string[]; skipped: SkippedCandidate[] } {
  if (!env().WINNOW_NATIVE_KERNELS) {
    disableNativeKernels();
    return { device: [], skipped: [{ candidate: NATIVE_KERNELS_CANDIDATE, reason: "turned off by WINNOW_NATIVE_KERNELS=0" }] };
  }
  const { addon, error } = loadNativeAddon();
  if (addon === null) {
    disableNativeKernels();
    return { device: [], skipped: [{ candidate: NATIVE_KERNELS_CANDIDATE, reason: error }] };
  }
  try {
    enableNativeKernels(addon);
  } catch (error) {
    disableNativeKernels();
    const reason = `registering the kernels failed: ${error instanceof Error ? error.message : String(error)}`;
    return { device: [], skipped: [{ candidate: NATIVE_KERNELS_CANDIDATE, reason }] };
  }
  const { threads } = addon.describe();
  return { device: [`OpenBLAS kernels (${threads} thread${threads === 1 ? "" : "s"})`], skipped: [] };
}

async function loadCpu(): Promise<LoadedBackend> {
  await import("@tensorflow/tfjs-backend-cpu");
  await activate("cpu");
  return { device: `JavaScript, 1 thread, ${cpuName()}`, skipped: [] };
}

async function activate(name: BackendName): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`tfjs failed to initialise backend ${name}`);
  await tf.ready();
}

function cpuName(): string {
  return os.cpus()[0]?.model.trim() ?? "unknown CPU";
}

import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs-core";
import type { ModelPresetName } from "../lib/presets";
import { disposeRun } from "../worker/engine/prepare-run";
import { trainStep } from "../worker/engine/train-step";
import { activateBackend, loadBenchPairs, parseCount, parsePresetList, prepareBenchRun } from "./lib/bench-run";

const USAGE = `usage: npm run bench:profile -- [--preset compact] [--steps 5] [--warmup 3] [--plain-wasm]
Times every kernel that tfjs runs during winnow training steps on the wasm backend and prints,
per kernel name, the calls and the wall-clock and CPU milliseconds per step, and the time spent
outside kernels (tfjs bookkeeping, the tape, dropout masks, batch tensors). CPU time is process
time (all threads), so it counts both OpenBLAS threads of a large product and is less disturbed
than wall time by other programs on a shared machine.
  --preset      model preset (default compact)
  --steps       profiled steps, after warm-up (default 5)
  --warmup      unprofiled steps first (default 3)
  --plain-wasm  profile the built-in wasm kernels instead of the native ones`;

interface KernelTotals {
  calls: number;
  wallMs: number;
  cpuMs: number;
}

/** Per-kernel totals, filled while `wrapKernels` is in effect. */
const totals = new Map<string, KernelTotals>();

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/**
 * Re-registers every wasm kernel with a wrapper that adds its wall and CPU time to `totals`.
 * Returns a function that restores the original kernels. Kernels that call other kernels call
 * their functions directly, not through tfjs, so no time is counted twice.
 */
function wrapKernels(): () => void {
  const originals = tf.getKernelsForBackend("wasm");
  for (const config of originals) {
    const kernelFunc: tf.KernelFunc = (args) => {
      const wallStart = performance.now();
      const cpuStart = cpuMs();
      const result = config.kernelFunc(args);
      const entry = totals.get(config.kernelName) ?? { calls: 0, wallMs: 0, cpuMs: 0 };
      entry.calls += 1;
      entry.wallMs += performance.now() - wallStart;
      entry.cpuMs += cpuMs() - cpuStart;
      totals.set(config.kernelName, entry);
      return result;
    };
    tf.unregisterKernel(config.kernelName, "wasm");
    tf.registerKernel({ ...config, kernelFunc });
  }
  return () => {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, "wasm");
      tf.registerKernel(config);
    }
  };
}

function printProfile(options: { preset: ModelPresetName; device: string; steps: number; wallMs: number; cpuMs: number }): void {
  const { steps } = options;
  const rows = [...totals].sort((a, b) => b[1].cpuMs - a[1].cpuMs);
  const kernelWall = rows.reduce((sum, [, entry]) => sum + entry.wallMs, 0);
  const kernelCpu = rows.reduce((sum, [, entry]) => sum + entry.cpuMs, 0);
  const line = (name: string, calls: string, wall: number, cpu: number) =>
    console.log(
      `${name.padEnd(26)} ${calls.padStart(7)} ${(wall / steps).toFixed(2).padStart(10)} ${(cpu / steps).toFixed(2).padStart(10)} ${`${((100 * cpu) / options.cpuMs).toFixed(1)}%`.padStart(7)}`,
    );

  console.log(`${options.preset}: ${options.device}; ${steps} profiled steps, times per step`);
  console.log(`${"kernel".padEnd(26)} ${"calls".padStart(7)} ${"wall ms".padStart(10)} ${"CPU ms".padStart(10)} ${"CPU %".padStart(7)}`);
  for (const [name, entry] of rows) line(name, String(entry.calls / steps), entry.wallMs, entry.cpuMs);
  line("(outside kernels)", "", options.wallMs - kernelWall, options.cpuMs - kernelCpu);
  line("(whole step)", String(rows.reduce((sum, [, entry]) => sum + entry.calls, 0) / steps), options.wallMs, options.cpuMs);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      preset: { type: "string", default: "compact" },
      steps: { type: "string", default: "5" },
      warmup: { type: "string", default: "3" },
      "plain-wasm": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const [preset] = parsePresetList(values.preset);
  const steps = parseCount("steps", values.steps, 1);
  const warmup = parseCount("warmup", values.warmup, 0);

  const info = await activateBackend(!values["plain-wasm"]);
  const data = await loadBenchPairs(preset);
  const { run, batches } = prepareBenchRun({ preset, data, count: warmup + steps });
  try {
    for (const batch of batches.slice(0, warmup)) trainStep(run, batch, 1);
    const restore = wrapKernels();
    const wallStart = performance.now();
    const cpuStart = cpuMs();
    try {
      for (const batch of batches.slice(warmup)) trainStep(run, batch, 1);
    } finally {
      restore();
    }
    printProfile({ preset, device: info.device, steps, wallMs: performance.now() - wallStart, cpuMs: cpuMs() - cpuStart });
  } finally {
    disposeRun(run);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { MODEL_PRESETS, type ModelPresetName } from "../lib/presets";
import { type EncodedPair, toBatchTensors } from "../worker/engine/batches";
import { disposeRun } from "../worker/engine/prepare-run";
import { trainStep } from "../worker/engine/train-step";
import { loadNativeAddon } from "../worker/engine/kernels/native-addon";
import type { TrainOptions } from "../worker/engine/types";
import {
  activateBackend, BENCH_SEED, batchTokens, liveTensors, loadBenchPairs, median, parseCount, parsePresetList,
  prepareBenchRun,
} from "./lib/bench-run";

const USAGE = `usage: npm run bench:train -- [--presets tiny,compact] [--steps 20] [--warmup 3] [--repeat 1]
                               [--plain-wasm] [--threads N] [--torch-threads 1,N] [--python PATH] [--no-torch]
Trains the same model on the same batches in winnow (wasm backend with the OpenBLAS kernels) and
in PyTorch (scripts/bench_train_torch.py), and prints the median step time and tokens per second
of each and the ratio to the fastest PyTorch run. The batches are the first batches of the preset's first epoch on its
Multi30k recipe (tiny: data preset tiny; compact: data preset small), read from MULTI30K_DIR.
Tokens are the real source and target tokens of a batch (eos included, padding excluded);
tokens/s is the median over the timed steps of each step's tokens over its time.
  --presets     model presets, comma-separated (default tiny,compact)
  --steps       timed steps per preset and framework (default 20)
  --warmup      untimed steps before them (default 3)
  --repeat      runs of every framework, alternating, whose medians are combined (default 1); on a
                shared machine, several runs spread over time average out other programs' load
  --plain-wasm  also time winnow without the native kernels (about 15 s a step on compact)
  --python      Python interpreter with PyTorch (default: python3 on PATH, then /usr/bin/python3)
  --threads     OpenBLAS threads in winnow and in PyTorch (OPENBLAS_NUM_THREADS) (default: all CPUs)
  --torch-threads  torch.set_num_threads values to run PyTorch with, comma-separated (default: 1 and
                all CPUs). PyTorch's OpenMP threads and OpenBLAS's own threads compete on a small
                machine, so 1 can be the fastest.
  --no-torch    skip PyTorch
  --save-batches PREFIX  keep the batch file for PyTorch as PREFIX.<preset>.json`;

/** Exit status of bench_train_torch.py when PyTorch is not installed. */
const MISSING_TORCH_EXIT = 3;
const INSTALL_TORCH = "apt-get install python3-torch libopenblas0-pthread";
const TORCH_SCRIPT = path.join(import.meta.dirname, "bench_train_torch.py");

/** Output of bench_train_torch.py, one JSON object. */
interface TorchOutput {
  torch: string;
  threads: number;
  stepMilliseconds: number[];
  stepCpuMilliseconds: number[];
  nllLosses: number[];
}

interface Timing {
  label: string;
  medianMs: number;
  /** Median process CPU time of a step, all threads together. */
  medianCpuMs: number;
  tokensPerSecond: number;
  /** Mean unsmoothed loss of the first step's pairs: about ln(vocabulary) for both frameworks. */
  firstLoss: number;
}

/** Medians over the repetitions of one framework's runs. */
interface CombinedTiming extends Timing {
  lowestRate: number;
  highestRate: number;
}

interface PresetBench {
  preset: ModelPresetName;
  steps: number;
  warmup: number;
  data: TrainOptions["data"];
}

/** Times winnow training steps on the wasm backend with or without the native kernels. */
async function timeWinnow(bench: PresetBench, nativeKernels: boolean, threads: number) {
  loadNativeAddon().addon?.setThreads(threads);
  const info = await activateBackend(nativeKernels);
  const { run, batches } = prepareBenchRun({ preset: bench.preset, data: bench.data, count: bench.warmup + bench.steps });
  const vocabSize = run.tokenizer.vocabSize;
  const tensorsBefore = liveTensors();
  const stepMs: number[] = [];
  const stepCpuMs: number[] = [];
  let firstLoss = Number.NaN;
  try {
    for (const batch of batches) {
      const started = performance.now();
      const cpuStarted = cpuMs();
      const outcome = trainStep(run, batch, 1);
      stepMs.push(performance.now() - started);
      stepCpuMs.push(cpuMs() - cpuStarted);
      if (Number.isNaN(firstLoss)) firstLoss = mean(outcome.losses);
    }
    const leaked = liveTensors() - tensorsBefore;
    if (leaked !== 0) throw new Error(`${bench.preset}: ${batches.length} training steps leaked ${leaked} tensors`);
  } finally {
    disposeRun(run);
  }
  const label = nativeKernels ? "winnow, wasm + OpenBLAS kernels" : "winnow, plain wasm";
  const timing: Timing = { ...summarise({ label, stepMs, stepCpuMs, batches, warmup: bench.warmup }), firstLoss };
  return { timing, device: info.device, batches, vocabSize };
}

interface TorchRun {
  python: string;
  /** torch.set_num_threads. */
  threads: number;
  /** OPENBLAS_NUM_THREADS for the products that PyTorch hands to OpenBLAS. */
  blasThreads: number;
}

/** Runs the PyTorch reference on the batch file; null with a printed reason when it cannot run. */
function timeTorch(batchFile: string, batches: EncodedPair[][], warmup: number, torch: TorchRun): Timing | null {
  const result = spawnSync(torch.python, [TORCH_SCRIPT, "--batches", batchFile, "--threads", String(torch.threads)], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, OPENBLAS_NUM_THREADS: String(torch.blasThreads) },
  });
  if (result.status === MISSING_TORCH_EXIT) {
    console.log(`PyTorch skipped: ${result.stderr.trim()}`);
    return null;
  }
  if (result.status !== 0) throw new Error(`${TORCH_SCRIPT} failed with status ${result.status}: ${result.stderr.trim()}`);
  const output = JSON.parse(result.stdout) as TorchOutput;
  const label = `PyTorch ${output.torch}, ${output.threads} intra-op thread${output.threads === 1 ? "" : "s"}`;
  const timing = summarise({ label, stepMs: output.stepMilliseconds, stepCpuMs: output.stepCpuMilliseconds, batches, warmup });
  return { ...timing, firstLoss: output.nllLosses[0] };
}

/** Median step times and median per-step tokens per second over the steps after warm-up. */
function summarise(options: { label: string; stepMs: number[]; stepCpuMs: number[]; batches: EncodedPair[][]; warmup: number }) {
  const { warmup, batches } = options;
  const timed = options.stepMs.slice(warmup);
  const rates = timed.map((ms, i) => batchTokens(batches[warmup + i]) / (ms / 1000));
  return {
    label: options.label,
    medianMs: median(timed),
    medianCpuMs: median(options.stepCpuMs.slice(warmup)),
    tokensPerSecond: median(rates),
  };
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Writes the preset and the batches, padded as `toBatchTensors` pads them, for the PyTorch script. */
function writeBatches(file: string, preset: object, batches: EncodedPair[][], warmup: number): void {
  const padded = batches.map((batch) => {
    const tensors = toBatchTensors(batch);
    const rows = Object.fromEntries(Object.entries(tensors).map(([name, tensor]) => [name, tensor.arraySync()]));
    Object.values(tensors).forEach((tensor) => tensor.dispose());
    return rows;
  });
  writeFileSync(file, JSON.stringify({ preset, seed: BENCH_SEED, warmupSteps: warmup, batches: padded }));
}

/** Finds the first interpreter that imports torch; `python` is null when none does. */
function findPython(requested: string | undefined): { python: string | null; tried: string[] } {
  const candidates = requested === undefined ? ["python3", "/usr/bin/python3"] : [requested];
  const python = candidates.find((candidate) => spawnSync(candidate, ["-c", "import torch"]).status === 0) ?? null;
  return { python, tried: candidates };
}

function mean(values: ArrayLike<number>): number {
  return Array.from(values).reduce((sum, value) => sum + value, 0) / values.length;
}

/** Median of each number over the repetitions of one framework, with the range of tokens/s. */
function combine(repetitions: Timing[][]): CombinedTiming[] {
  const labels = [...new Set(repetitions.flat().map((timing) => timing.label))];
  return labels.map((label) => {
    const runs = repetitions.flat().filter((timing) => timing.label === label);
    const rates = runs.map((run) => run.tokensPerSecond);
    return {
      label,
      medianMs: median(runs.map((run) => run.medianMs)),
      medianCpuMs: median(runs.map((run) => run.medianCpuMs)),
      tokensPerSecond: median(rates),
      lowestRate: Math.min(...rates),
      highestRate: Math.max(...rates),
      firstLoss: runs[0].firstLoss,
    };
  });
}

function printTable(preset: ModelPresetName, timings: CombinedTiming[]): void {
  const torchRuns = timings.filter((timing) => timing.label.startsWith("PyTorch"));
  const reference = [...torchRuns].sort((a, b) => b.tokensPerSecond - a.tokensPerSecond)[0];
  const header = ["framework".padEnd(38), "ms/step", "CPU ms/step", "tokens/s", "range", "vs best PT", "step-1 loss"];
  console.log(`\n${preset}: ${header[0]} ${header.slice(1).map((cell, i) => cell.padStart(i === 3 ? 15 : 11)).join(" ")}`);
  for (const timing of timings) {
    const ratio = reference ? `${(timing.tokensPerSecond / reference.tokensPerSecond).toFixed(2)}x` : "-";
    const cells = [
      timing.medianMs.toFixed(1),
      timing.medianCpuMs.toFixed(1),
      formatRate(timing.tokensPerSecond),
      `${formatRate(timing.lowestRate)}-${formatRate(timing.highestRate)}`,
      ratio,
      timing.firstLoss.toFixed(3),
    ];
    console.log(`${" ".repeat(preset.length + 2)}${timing.label.padEnd(38)} ${cells.map((cell, i) => cell.padStart(i === 3 ? 15 : 11)).join(" ")}`);
  }
}

function formatRate(tokensPerSecond: number): string {
  return Math.round(tokensPerSecond).toLocaleString("en-US");
}

interface BenchSettings {
  steps: number;
  warmup: number;
  /** OpenBLAS threads in winnow. */
  threads: number;
  torchThreads: number[];
  python: string | null;
  plainWasm: boolean;
  saveBatches: string | undefined;
  repeats: number;
}

/** Measures every framework once on `bench`, winnow first, and prints one line per framework. */
async function benchOnce(bench: PresetBench, settings: BenchSettings, repetition: number): Promise<Timing[]> {
  const native = await timeWinnow(bench, true, settings.threads);
  if (repetition === 0) {
    console.log(`\n${bench.preset}: ${native.device}; vocabulary ${native.vocabSize}; ${bench.data.train.length} training pairs`);
  }
  const timings: Timing[] = [native.timing];
  if (settings.plainWasm) timings.push((await timeWinnow(bench, false, settings.threads)).timing);

  const folder = mkdtempSync(path.join(os.tmpdir(), "winnow-bench-"));
  try {
    const { saveBatches, python } = settings;
    const batchFile = saveBatches === undefined ? path.join(folder, "batches.json") : `${saveBatches}.${bench.preset}.json`;
    writeBatches(batchFile, { ...MODEL_PRESETS[bench.preset], vocabSize: native.vocabSize }, native.batches, bench.warmup);
    for (const threads of python === null ? [] : settings.torchThreads) {
      const reference = timeTorch(batchFile, native.batches, bench.warmup, {
        python: python as string, threads, blasThreads: settings.threads,
      });
      if (reference !== null) timings.push(reference);
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }

  const summary = timings.map((timing) => `${timing.label} ${timing.medianMs.toFixed(1)} ms`).join("; ");
  console.log(`  run ${repetition + 1}/${settings.repeats} (load average ${os.loadavg()[0].toFixed(2)}): ${summary}`);
  return timings;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      presets: { type: "string", default: "tiny,compact" },
      steps: { type: "string", default: "20" },
      warmup: { type: "string", default: "3" },
      repeat: { type: "string", default: "1" },
      "plain-wasm": { type: "boolean", default: false },
      python: { type: "string" },
      threads: { type: "string", default: String(os.availableParallelism()) },
      "torch-threads": { type: "string", default: `1,${os.availableParallelism()}` },
      "no-torch": { type: "boolean", default: false },
      "save-batches": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const torch = values["no-torch"] ? { python: null, tried: [] } : findPython(values.python);
  const settings: BenchSettings = {
    steps: parseCount("steps", values.steps, 1),
    warmup: parseCount("warmup", values.warmup, 0),
    threads: parseCount("threads", values.threads, 1),
    torchThreads: [...new Set(values["torch-threads"].split(",").map((value) => parseCount("torch-threads", value.trim(), 1)))],
    python: torch.python,
    plainWasm: values["plain-wasm"],
    saveBatches: values["save-batches"],
    repeats: parseCount("repeat", values.repeat, 1),
  };
  const presets = parsePresetList(values.presets);
  if (!values["no-torch"] && torch.python === null) {
    console.log(`PyTorch skipped: none of ${torch.tried.join(", ")} imports torch; install it with ${INSTALL_TORCH}`);
  }
  console.log(
    `${os.cpus()[0]?.model.trim()}, ${os.availableParallelism()} CPUs; OpenBLAS threads ${settings.threads} in both frameworks; ` +
      `${settings.warmup} warm-up + ${settings.steps} timed steps per run; ${settings.repeats} run${settings.repeats === 1 ? "" : "s"}`,
  );

  for (const preset of presets) {
    const bench: PresetBench = { preset, steps: settings.steps, warmup: settings.warmup, data: await loadBenchPairs(preset) };
    const repetitions: Timing[][] = [];
    for (let repetition = 0; repetition < settings.repeats; repetition++) {
      repetitions.push(await benchOnce(bench, settings, repetition));
    }
    printTable(preset, combine(repetitions));
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs-core";
import { buildMulti30kRecipe, dataPreset } from "../lib/datasets/multi30k-recipe";
import { env } from "../lib/env";
import { parseRunConfig } from "../lib/run-config";
import { selectBackend } from "../worker/engine/backend";
import { disposeRun, prepareRun, type TrainingRun } from "../worker/engine/prepare-run";
import { registerGradients } from "../worker/engine/register-gradients";
import { scoreTranslations } from "../worker/engine/score-translations";
import { trainEpoch } from "../worker/engine/train-epoch";
import { translate } from "../worker/engine/translate";
import type { TrainOptions } from "../worker/engine/types";

const USAGE = `usage: npx tsx scripts/bench-decoding.ts [--preset tiny] [--epochs N] [--seed 1] [--beams 1,5] [--batch 128]
Trains a uniform run on the Multi30k recipe of the preset's size once, caches its weights under
WINNOW_DATA_DIR/bench-decoding, and times decoding of the whole test set at each beam size.
  --preset  model preset; the data preset has the same name (default tiny)
  --epochs  training epochs (default: the preset's)
  --seed    random seed (default 1)
  --beams   comma-separated beam sizes to time; 1 is greedy search (default 1)
  --batch   sentences per decoding batch (default 128)`;

const { values } = parseArgs({
  options: {
    preset: { type: "string", default: "tiny" },
    epochs: { type: "string" },
    seed: { type: "string", default: "1" },
    beams: { type: "string", default: "1" },
    batch: { type: "string", default: "128" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

async function loadData(preset: string): Promise<TrainOptions["data"]> {
  const pairs = await buildMulti30kRecipe(env().MULTI30K_DIR, dataPreset(preset));
  return {
    train: pairs.train.map((pair, i) => ({ sampleId: i, src: pair.src, tgt: pair.tgt, noisy: pair.noisy })),
    valid: pairs.valid.map((pair, i) => ({ sampleId: 1_000_000 + i, src: pair.src, tgt: pair.tgt })),
    test: pairs.test.map((pair, i) => ({ sampleId: 2_000_000 + i, src: pair.src, tgt: pair.tgt })),
  };
}

/** Loads cached weights into the run's model, or trains it and writes the cache. */
async function trainOrLoad(run: TrainingRun, weightsFile: string): Promise<void> {
  const cached = await readFile(weightsFile, "utf8").catch(() => null);
  if (cached !== null) {
    const arrays = JSON.parse(cached) as number[][];
    run.model.variables.forEach((variable, i) => variable.assign(tf.tensor(arrays[i], variable.shape)));
    console.log(`loaded weights from ${weightsFile}`);
    return;
  }
  for (let epoch = 1; epoch <= run.options.config.epochs; epoch++) {
    const startedAt = performance.now();
    const { trainLoss } = await trainEpoch(run, epoch);
    console.log(`epoch ${epoch}: train loss ${trainLoss.toFixed(3)}, ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
  }
  await mkdir(path.dirname(weightsFile), { recursive: true });
  await writeFile(weightsFile, JSON.stringify(run.model.variables.map((variable) => Array.from(variable.dataSync()))));
}

async function main(): Promise<void> {
  registerGradients();
  const backend = await selectBackend();
  const config = parseRunConfig({
    datasetId: 1,
    strategy: "uniform",
    preset: values.preset,
    epochs: values.epochs === undefined ? undefined : Number(values.epochs),
    seed: Number(values.seed),
  });
  const data = await loadData(config.preset);
  const run = await prepareRun({ config, data, onEpoch: async () => {}, onProgress: () => {}, shouldStop: () => false });
  const weightsFile = path.resolve(env().WINNOW_DATA_DIR, "bench-decoding", `${config.preset}-seed${config.seed}-epochs${config.epochs}.json`);

  try {
    await trainOrLoad(run, weightsFile);
    console.log(`backend ${backend.backend} (${backend.device}); ${run.test.length} test sentences`);
    for (const beamSize of values.beams.split(",").map(Number)) {
      const startedAt = performance.now();
      const cpuBefore = process.cpuUsage();
      const outputs = translate({
        model: run.model,
        tokenizer: run.tokenizer,
        sources: run.test,
        batchSize: Number(values.batch),
        maxLength: run.preset.maxLength,
        beamSize,
      });
      const seconds = (performance.now() - startedAt) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      const hypotheses = run.test.map((pair) => outputs.get(pair.index) ?? "");
      const scores = scoreTranslations(hypotheses, data.test.map((pair) => pair.tgt));
      console.log(
        `beam ${beamSize}: ${seconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU, BLEU ${scores.bleu.toFixed(2)}, chrF2 ${scores.chrf.toFixed(2)}, ` +
          `ratio ${scores.lengthRatio.toFixed(3)}, tensors ${tf.memory().numTensors}`,
      );
    }
  } finally {
    disposeRun(run);
  }
}

main().catch((error: unknown) => {
  console.error(`bench-decoding failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});

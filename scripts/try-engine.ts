import { parseArgs } from "node:util";
import { env } from "../lib/env";
import { buildMulti30kRecipe, dataPreset } from "../lib/datasets/multi30k-recipe";
import { parseRunConfig } from "../lib/run-config";
import { trainModel } from "../worker/engine/train-model";
import type { EpochReport, TrainOptions } from "../worker/engine/types";

const USAGE = `usage: npx tsx scripts/try-engine.ts [--data tiny] [--preset tiny] [--strategy uniform] [--params JSON] [--epochs N] [--seed N]
Trains the engine on the Multi30k clean + noisy recipe without a database and prints one line
per epoch (training loss, greedy validation BLEU and chrF2, length ratio) and the wall time.
  --data      data preset: micro, tiny, small or full (default tiny)
  --preset    model preset: micro, tiny, compact or base (default tiny)
  --strategy  noise strategy: uniform, clean-only or fixed-weight (default uniform)
  --params    strategy parameters as JSON, e.g. '{"lambda":0.3}' (default {})
  --epochs    training epochs (default: the model preset's)
  --seed      random seed (default 1)
Reads the raw files from MULTI30K_DIR.`;

const { values } = parseArgs({
  options: {
    data: { type: "string", default: "tiny" },
    preset: { type: "string", default: "tiny" },
    strategy: { type: "string", default: "uniform" },
    params: { type: "string", default: "{}" },
    epochs: { type: "string" },
    seed: { type: "string", default: "1" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

/** Offsets that keep the sample ids of the three splits apart. */
const VALID_ID_OFFSET = 1_000_000;
const TEST_ID_OFFSET = 2_000_000;

async function loadData(): Promise<TrainOptions["data"]> {
  const pairs = await buildMulti30kRecipe(env().MULTI30K_DIR, dataPreset(values.data));
  return {
    train: pairs.train.map((pair, i) => ({ sampleId: i, src: pair.src, tgt: pair.tgt, noisy: pair.noisy })),
    valid: pairs.valid.map((pair, i) => ({ sampleId: VALID_ID_OFFSET + i, src: pair.src, tgt: pair.tgt })),
    test: pairs.test.map((pair, i) => ({ sampleId: TEST_ID_OFFSET + i, src: pair.src, tgt: pair.tgt })),
  };
}

function formatEpoch(report: EpochReport, data: TrainOptions["data"]): string {
  const noisy = new Set(data.train.filter((pair) => pair.noisy).map((pair) => pair.sampleId));
  const meanLoss = (ofNoisy: boolean) => {
    const rows = report.traces.filter((row) => noisy.has(row.sampleId) === ofNoisy);
    return rows.length === 0 ? Number.NaN : rows.reduce((sum, row) => sum + row.loss, 0) / rows.length;
  };
  return [
    `epoch ${report.epoch}`,
    `step ${report.step}`,
    `train loss ${report.trainLoss.toFixed(3)}`,
    `clean loss ${meanLoss(false).toFixed(3)}`,
    `noisy loss ${meanLoss(true).toFixed(3)}`,
    `valid BLEU ${report.validBleu.toFixed(2)}`,
    `chrF2 ${report.validChrf.toFixed(2)}`,
    `ratio ${report.validLengthRatio.toFixed(3)}`,
    `BP ${report.validBrevityPenalty.toFixed(3)}`,
    `${report.seconds.toFixed(1)} s`,
  ].join(" | ");
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const config = parseRunConfig({
    datasetId: 1,
    strategy: values.strategy,
    strategyParams: JSON.parse(values.params ?? "{}"),
    preset: values.preset,
    epochs: values.epochs === undefined ? undefined : Number(values.epochs),
    seed: Number(values.seed),
  });
  const data = await loadData();
  console.log(
    `data ${values.data}: ${data.train.length} training pairs (${data.train.filter((pair) => pair.noisy).length} noisy), ` +
      `${data.valid.length} valid, ${data.test.length} test; preset ${config.preset}, strategy ${config.strategy}, ` +
      `${config.epochs} epochs, seed ${config.seed}`,
  );

  let lastReport: EpochReport | undefined;
  const result = await trainModel({
    config,
    data,
    onEpoch: async (report) => {
      lastReport = report;
      console.log(formatEpoch(report, data));
    },
    onProgress: () => {},
    shouldStop: () => false,
  });

  for (const row of lastReport?.translations.slice(0, 3) ?? []) {
    const reference = data.valid.find((pair) => pair.sampleId === row.sampleId)?.tgt;
    console.log(`  hyp: ${row.hypothesis}\n  ref: ${reference}`);
  }
  console.log(
    `test BLEU ${result.testBleu.toFixed(2)} | chrF2 ${result.testChrf.toFixed(2)} | ratio ${result.testLengthRatio.toFixed(3)} | ` +
      `best valid BLEU ${result.bestValidBleu.toFixed(2)} | backend ${result.backend} (${result.device}) | ` +
      `wall ${((performance.now() - startedAt) / 1000).toFixed(1)} s`,
  );
}

main().catch((error: unknown) => {
  console.error(`try-engine failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});

import path from "node:path";
import { buildMulti30kRecipe } from "../../lib/datasets/multi30k-recipe";
import { parseRunConfig, type RunConfigInput } from "../../lib/run-config";
import { trainModel } from "../../worker/engine/train-model";
import type { EpochReport, TrainOptions } from "../../worker/engine/types";

export const MULTI30K_DIR = path.resolve(import.meta.dirname, "../../../shared/data/multi30k");

/** Offsets that keep the sample ids of the three splits apart. */
const VALID_ID_OFFSET = 10_000;
const TEST_ID_OFFSET = 20_000;

/** Loads a small clean + noisy Multi30k set with distinct sample ids per split. */
export async function loadMicroData(
  sizes = { clean: 100, noisy: 100, valid: 20, test: 20 },
): Promise<TrainOptions["data"]> {
  const pairs = await buildMulti30kRecipe(MULTI30K_DIR, sizes);
  return {
    train: pairs.train.map((pair, i) => ({ sampleId: i + 1, src: pair.src, tgt: pair.tgt, noisy: pair.noisy })),
    valid: pairs.valid.map((pair, i) => ({ sampleId: VALID_ID_OFFSET + i, src: pair.src, tgt: pair.tgt })),
    test: pairs.test.map((pair, i) => ({ sampleId: TEST_ID_OFFSET + i, src: pair.src, tgt: pair.tgt })),
  };
}

/** Trains `config` on `data` without checkpoints and returns every epoch's report. */
export async function trainEpochReports(config: RunConfigInput, data: TrainOptions["data"]): Promise<EpochReport[]> {
  const reports: EpochReport[] = [];
  await trainModel({
    config: parseRunConfig(config),
    data,
    onEpoch: async (report) => {
      reports.push(report);
    },
    onProgress: () => {},
    shouldStop: () => false,
  });
  return reports;
}

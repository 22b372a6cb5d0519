import { parseRunConfig } from "../../lib/run-config";
import type { SubwordTokenizer } from "../../lib/tokenizer/subword-tokenizer";
import { selectBackend } from "../../worker/engine/backend";
import { saveCheckpoint } from "../../worker/engine/checkpoint";
import { disposeRun, prepareRun } from "../../worker/engine/prepare-run";
import type { TrainingPair } from "../../worker/engine/types";

/** A checkpoint written by the worker's own code, with the tokenizer and encoding training used. */
export interface TokenizerCheckpoint {
  path: string;
  tokenizer: SubwordTokenizer;
  /** Target piece ids of each training pair as training encoded them, without end-of-sentence. */
  tgtIds: number[][];
}

/**
 * Prepares an untrained micro token-weighting run on `pairs` (training its tokenizer on them)
 * and saves it as the epoch 1 checkpoint in `runDir`. With `datasetHash`, the tokenizer is also
 * written to the tokenizer cache of WINNOW_DATA_DIR, and the manifest names that cache file.
 */
export async function writeTokenizerCheckpoint(options: {
  runDir: string;
  pairs: TrainingPair[];
  datasetHash?: string;
}): Promise<TokenizerCheckpoint> {
  await selectBackend();
  const run = prepareRun({
    config: parseRunConfig({ datasetId: 1, strategy: "token-weighting", preset: "micro", epochs: 1 }),
    data: { train: options.pairs, valid: [], test: [], datasetHash: options.datasetHash },
    onEpoch: async () => {},
    onProgress: () => {},
    shouldStop: () => false,
  });
  try {
    const path = await saveCheckpoint({ runDir: options.runDir, run, epoch: 1, bestValidBleu: 0 });
    return { path, tokenizer: run.tokenizer, tgtIds: run.train.map((pair) => pair.tgtIds) };
  } finally {
    disposeRun(run);
  }
}

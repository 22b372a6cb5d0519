import { WinnowError } from "../../lib/errors";
import { selectBackend } from "./backend";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint";
import { evaluateEpoch, evaluateTest } from "./evaluate-epoch";
import { disposeRun, prepareRun, type TrainingRun } from "./prepare-run";
import { registerGradients } from "./register-gradients";
import { restoreCheckpoint } from "./restore-checkpoint";
import { createStrategyTools } from "./strategy-tools";
import { trainEpoch } from "./train-epoch";
import type { EpochReport, TrainOptions, TrainResult } from "./types";

export { CancelledError } from "./cancelled-error";

/**
 * Trains a Transformer on `options.data.train` with the run's noise strategy and returns test
 * scores from beam search with the final parameters. After each epoch it reports traces, the
 * training loss and greedy validation scores through `onEpoch` and waits for it, then writes a
 * checkpoint when `options.checkpoints` is set.
 *
 * With `checkpoints.resumeFrom`, it restores that checkpoint and starts at the epoch after it.
 * Throws CancelledError when `shouldStop` returns true (checked before every step). The same
 * config, data and backend give the same losses, weights and translations, whether the run went
 * straight through or resumed from one of its own checkpoints.
 */
export async function trainModel(options: TrainOptions): Promise<TrainResult> {
  validateTrainOptions(options);
  registerGradients();
  const backendInfo = await selectBackend();
  const { backend, device } = backendInfo;
  await options.onBackend?.(backendInfo);
  const { run, resumedEpoch, resumedBestValidBleu } = await startRun(options);

  try {
    checkCleanPairs(run);
    let bestValidBleu = resumedBestValidBleu;
    for (let epoch = resumedEpoch + 1; epoch <= options.config.epochs; epoch++) {
      const report = await runEpoch(run, epoch);
      bestValidBleu = Math.max(bestValidBleu, report.validBleu);
      await options.onEpoch(report);
      await writeCheckpoint(run, epoch, bestValidBleu);
    }

    const test = evaluateTest(run);
    await options.onProgress(1);
    return {
      bestValidBleu,
      testBleu: test.scores.bleu,
      testChrf: test.scores.chrf,
      testLengthRatio: test.scores.lengthRatio,
      testBrevityPenalty: test.scores.brevityPenalty,
      backend,
      device,
      testTranslations: test.translations,
    };
  } finally {
    disposeRun(run);
  }
}

/**
 * Prepares the run, restoring `checkpoints.resumeFrom` when set. The checkpoint's tensor values
 * go out of scope on return, so they are not kept alive during training.
 */
async function startRun(options: TrainOptions): Promise<{ run: TrainingRun; resumedEpoch: number; resumedBestValidBleu: number }> {
  const resumeFrom = options.checkpoints?.resumeFrom;
  if (resumeFrom === undefined) return { run: prepareRun(options), resumedEpoch: 0, resumedBestValidBleu: 0 };

  const checkpoint = await loadCheckpoint(resumeFrom);
  const tokenizer = { tokenizer: checkpoint.tokenizer, cacheFile: checkpoint.manifest.tokenizer.cacheFile };
  const run = prepareRun(options, { tokenizer });
  try {
    const { epoch, bestValidBleu } = restoreCheckpoint(run, checkpoint);
    await options.onResume?.({ epoch, step: run.step, path: resumeFrom });
    return { run, resumedEpoch: epoch, resumedBestValidBleu: bestValidBleu };
  } catch (error) {
    disposeRun(run);
    throw error;
  }
}

/** Saves the run after `epoch` when checkpoints are on, then waits for `onCheckpoint`. */
async function writeCheckpoint(run: TrainingRun, epoch: number, bestValidBleu: number): Promise<void> {
  const { checkpoints, onCheckpoint, config } = run.options;
  if (!checkpoints) return;
  const checkpointPath = await saveCheckpoint({ runDir: checkpoints.dir, run, epoch, bestValidBleu });
  await onCheckpoint?.({ epoch, path: checkpointPath, final: epoch === config.epochs });
}

async function runEpoch(run: TrainingRun, epoch: number): Promise<EpochReport> {
  const startedAt = performance.now();
  const context = { epoch, epochs: run.options.config.epochs, tools: createStrategyTools(run, epoch) };
  await run.strategy.onEpochStart?.(context);

  const training = await trainEpoch(run, epoch);
  await run.strategy.onEpochEnd?.({ ...context, traces: training.traces });
  const evaluation = evaluateEpoch(run);

  return {
    epoch,
    step: run.step,
    trainLoss: training.trainLoss,
    validBleu: evaluation.scores.bleu,
    validChrf: evaluation.scores.chrf,
    validLengthRatio: evaluation.scores.lengthRatio,
    validBrevityPenalty: evaluation.scores.brevityPenalty,
    seconds: (performance.now() - startedAt) / 1000,
    traces: training.traces,
    translations: evaluation.translations,
  };
}

/**
 * Rejects training data without clean pairs when the strategy needs them, before any epoch
 * trains, since the run would otherwise fail only in the first epoch that weighs noisy pairs 0.
 */
function checkCleanPairs(run: TrainingRun): void {
  const { epochs, strategyParams } = run.options.config;
  if (!run.strategy.needsCleanPairs?.(epochs)) return;
  if (run.trainPairs.some((pair) => !pair.noisy)) return;
  throw new WinnowError(
    "invalid_input",
    `strategy ${run.strategy.name} with parameters ${JSON.stringify(strategyParams)} needs clean training pairs in a run of ${epochs} epochs, but data.train has no clean pair; use a dataset with clean pairs or another strategy`,
  );
}

/** Rejects empty training data and duplicate sample ids, which would merge traces. */
function validateTrainOptions(options: TrainOptions): void {
  const { train, valid, test } = options.data;
  if (train.length === 0) throw new WinnowError("invalid_input", "data.train must contain at least one pair, got 0");
  for (const [name, pairs] of [["train", train], ["valid", valid], ["test", test]] as const) {
    const seen = new Set<number>();
    for (const pair of pairs) {
      if (seen.has(pair.sampleId)) {
        throw new WinnowError("invalid_input", `data.${name} contains sampleId ${pair.sampleId} twice`);
      }
      seen.add(pair.sampleId);
    }
  }
}

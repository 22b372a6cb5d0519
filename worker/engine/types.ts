import type { RunConfig } from "../../lib/run-config";

/** A training pair as the engine sees it: ids point back to Sample rows. */
export interface TrainingPair {
  sampleId: number;
  src: string;
  tgt: string;
  noisy: boolean;
}

/** A validation or test pair. */
export interface EvalPair {
  sampleId: number;
  src: string;
  tgt: string;
}

/** Loss and weight of one training pair in one epoch. */
export interface SampleTraceRow {
  sampleId: number;
  /**
   * Mean token cross-entropy of the pair against its reference, without label smoothing, from its
   * batch this epoch (dropout on). A pair the strategy left out of every batch is scored in a
   * forward-only pass without dropout after the epoch's last step.
   */
  loss: number;
  /** Weight the strategy gave the pair; 0 when dropped. */
  weight: number;
  dropped: boolean;
  /** Weight of each target token (end-of-sentence included), for strategies that weight tokens. */
  tokenWeights?: number[];
}

export interface TranslationRow {
  sampleId: number;
  hypothesis: string;
}

/** What the engine reports after each epoch. */
export interface EpochReport {
  epoch: number;
  /** Optimizer steps taken so far, over all epochs. */
  step: number;
  /** sum(weight * loss) / sum(weight) over the traces of the pairs that were in a batch this epoch. */
  trainLoss: number;
  validBleu: number;
  validChrf: number;
  /** Hypothesis length over reference length on the validation set, as sacreBLEU reports it. */
  validLengthRatio: number;
  validBrevityPenalty: number;
  seconds: number;
  /** One row per training pair. */
  traces: SampleTraceRow[];
  /** Greedy outputs for the validation pairs and for a sample of the noisy training pairs. */
  translations: TranslationRow[];
}

export interface TrainResult {
  bestValidBleu: number;
  testBleu: number;
  testChrf: number;
  testLengthRatio: number;
  testBrevityPenalty: number;
  /** Backend that trained the model, as tfjs names it: "tensorflow", "wasm" or "cpu". */
  backend: string;
  device: string;
  testTranslations: TranslationRow[];
}

/** A checkpoint that `trainModel` wrote. */
export interface CheckpointWritten {
  epoch: number;
  /** The checkpoint's folder. */
  path: string;
  /** True for the last epoch's checkpoint: the trained model. */
  final: boolean;
}

export interface TrainOptions {
  config: RunConfig;
  data: {
    train: TrainingPair[];
    valid: EvalPair[];
    test: EvalPair[];
    /**
     * Dataset.hash of the pairs. With it the tokenizer is cached under WINNOW_DATA_DIR/tokenizers
     * and reused by later runs on the same dataset; without it the tokenizer is trained each run.
     */
    datasetHash?: string;
  };
  /**
   * Checkpointing. With `dir` set, a checkpoint is written there after every epoch; with
   * `resumeFrom` set, training continues from that checkpoint and skips the epochs it finished.
   */
  checkpoints?: { dir: string; resumeFrom?: string };
  /** Called after each checkpoint is written, before the next epoch starts; training waits for it. */
  onCheckpoint?(checkpoint: CheckpointWritten): Promise<void>;
  /** Called once `checkpoints.resumeFrom` is restored, before the first epoch trains; training waits for it. */
  onResume?(checkpoint: { epoch: number; step: number; path: string }): Promise<void>;
  /** Called once per epoch; training waits for it, so the caller can write to Postgres. */
  onEpoch(report: EpochReport): Promise<void>;
  /** Called every few steps with the fraction of all steps done (0 to 1). */
  onProgress(fraction: number): void | Promise<void>;
  /** Checked before every step; returning true stops training with a CancelledError. */
  shouldStop(): boolean | Promise<boolean>;
  /** Called once the backend is active, before training starts, so the caller can record it. */
  onBackend?(info: { backend: string; device: string; skipped: { candidate: string; reason: string }[] }): void | Promise<void>;
}

import type { StrategyName } from "../../lib/strategies";
import type { SampleTraceRow, TrainingPair } from "../engine/types";

/** The fields of a training pair that a strategy receives. */
export interface StrategySample {
  sampleId: number;
  noisy: boolean;
}

/** The pairs of one optimizer step, with their losses from this step's forward pass. */
export interface StrategyBatch {
  /** Epoch number, from 1. */
  epoch: number;
  /** Optimizer steps taken before this one, over all epochs. */
  step: number;
  samples: StrategySample[];
  /**
   * Token-mean negative log-likelihood of each sample under the current parameters, with dropout
   * on and without label smoothing, in the order of `samples`.
   */
  losses: Float32Array;
}

/** Weights of a batch, in the order of its samples. */
export interface SampleWeights {
  /** Non-negative weights w_i; the batch loss is sum(w_i * l_i) / sum(w_i). */
  weights: number[];
  /** Whether the strategy removed the sample from training in this step (its weight is then 0). */
  dropped: boolean[];
}

export interface EpochContext {
  epoch: number;
  epochs: number;
}

export interface EpochEndContext extends EpochContext {
  /** Loss, weight and dropped flag of every training pair in this epoch. */
  traces: SampleTraceRow[];
}

/**
 * A noise strategy: it weights each pair of each batch. The optional members let later
 * strategies change the data (source tags), skip pairs for a whole epoch (curricula), or keep
 * state across epochs (loss quantiles, selection scores).
 */
export interface Strategy {
  readonly name: StrategyName;

  weights(batch: StrategyBatch): SampleWeights;

  /**
   * Whether the pair takes part in this epoch's batches; unset means every pair does. A skipped
   * pair costs no training step: the engine traces it with weight 0 and dropped true, and scores
   * its loss in a forward-only pass after the epoch's last step.
   */
  includes?(sample: StrategySample, epoch: number): boolean;

  /** Rewrites the training pairs once, before the tokenizer is trained and the pairs are encoded. */
  transformPairs?(pairs: readonly TrainingPair[]): TrainingPair[];

  /**
   * Names what `transformPairs` does, including any parameter that changes its output, such as
   * "tagged:v1". Tokenizers are cached per dataset, vocabulary size and this id, so two
   * transforms that give different text must have different ids. Unset with `transformPairs`
   * set, the strategy name is used.
   */
  readonly transformId?: string;

  /**
   * Returns the state the strategy keeps across steps and epochs (running quantiles, selection
   * scores) as JSON-serializable data, for checkpoints. A stateless strategy leaves it unset.
   */
  state?(): unknown;

  /** Continues from a value that `state` returned, when a run resumes from a checkpoint. */
  restore?(state: unknown): void;

  onEpochStart?(context: EpochContext): void | Promise<void>;

  onEpochEnd?(context: EpochEndContext): void | Promise<void>;
}

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
  /**
   * Negative log-likelihood of each real target token (end-of-sentence included) of each sample,
   * from the same forward pass. Set only when `Strategy.needs` lists "token-losses".
   */
  tokenLosses?: Float32Array[];
  /**
   * For each sample, g_i . G: the dot product of the gradient of its loss l_i with respect to the
   * output layer (projection and bias) and the mean of that gradient over the batch's clean
   * pairs. Set only when `Strategy.needs` lists "clean-gradient-alignment" and the batch contains at
   * least one clean pair.
   */
  cleanAlignment?: Float32Array;
  /** Losses of the same pairs under the peer model, in the same forward pass conditions. Set only with `Strategy.peerModel`. */
  peerLosses?: Float32Array;
}

/** Weights of a batch, in the order of its samples. */
export interface SampleWeights {
  /** Non-negative weights w_i; the batch loss is sum(w_i * l_i) / sum(w_i). */
  weights: number[];
  /** Whether the strategy removed the sample from training in this step (its weight is then 0). */
  dropped: boolean[];
  /**
   * Token-level weighting: a non-negative weight per real target token of each sample. With it
   * the batch loss is sum_i w_i sum_t tw_it l_it / sum_i w_i sum_t tw_it, and the trace weight of
   * a sample is w_i times the mean of its token weights.
   */
  tokenWeights?: number[][];
  /** Weights of the peer model's update on the same batch. Required with `Strategy.peerModel`. */
  peer?: { weights: number[]; dropped: boolean[] };
}

/** Extra inputs a strategy requests from the engine, which cost time to compute. */
export type StrategyNeed = "token-losses" | "clean-gradient-alignment";

/** Model work the engine does for a strategy between epochs. */
export interface StrategyTools {
  /** Training pairs of the run, with their ids and flags, in training order. */
  samples: readonly StrategySample[];
  /** Token-mean negative log-likelihood of each pair under the current model, forward only, without dropout. */
  scoreCurrent(sampleIds: readonly number[]): Map<number, number>;
  /**
   * Copies the current model, fine-tunes the copy for `steps` steps on the clean training pairs
   * (fresh Adam, learning rate of the run's current step), scores `sampleIds` with it like
   * `scoreCurrent`, and frees the copy.
   */
  scoreCleanTuned(options: { steps: number; sampleIds: readonly number[] }): Map<number, number>;
}

export interface EpochContext {
  epoch: number;
  epochs: number;
  tools: StrategyTools;
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

  /** Extra per-batch inputs this strategy reads; each costs compute, so only listed ones are made. */
  readonly needs?: readonly StrategyNeed[];

  /**
   * True when the strategy trains a second model next to the main one (co-teaching). The engine
   * then gives each batch the peer's losses and applies `SampleWeights.peer` to the peer's update.
   * Validation, test and checkpoints report the main model.
   */
  readonly peerModel?: boolean;

  /** Rewrites a source sentence before decoding (validation, test, translate), e.g. to add a tag. */
  decodeSource?(src: string): string;

  /**
   * Whether the pair takes part in this epoch's batches; unset means every pair does. A skipped
   * pair costs no training step: the engine traces it with weight 0 and dropped true, and scores
   * its loss in a forward-only pass after the epoch's last step.
   */
  includes?(sample: StrategySample, epoch: number): boolean;

  /**
   * Whether a run of `epochs` epochs gives every noisy pair weight 0 in some epoch, or fine-tunes
   * on clean pairs, so that it cannot train on data without clean pairs. The engine then rejects
   * such data before the first epoch. Unset means no such check. Either way, an epoch in which
   * every weight comes out 0 fails at its end.
   */
  needsCleanPairs?(epochs: number): boolean;

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

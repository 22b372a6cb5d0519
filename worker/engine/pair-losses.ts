import type * as tf from "@tensorflow/tfjs-core";
import type { BatchTensors } from "./batches";
import type { Random } from "../../lib/random";
import { type SequenceLosses, sequenceLosses } from "./sequence-loss";
import { paddingBias, type Transformer } from "./transformer";

/** Per-pair losses with the decoder's last hidden states [batch, length, dModel] and the logits they gave. */
export interface PairLosses extends SequenceLosses {
  hidden: tf.Tensor;
  logits: tf.Tensor;
}

/** Runs the model with teacher forcing on a padded batch and returns each pair's losses. */
export function pairLosses(options: {
  model: Transformer;
  tensors: BatchTensors;
  /** Dropout source, or null for a forward-only pass without dropout. */
  random: Random | null;
  labelSmoothing: number;
}): PairLosses {
  const { model, tensors, random } = options;
  const srcBias = paddingBias(tensors.srcMask);
  const memory = model.encode(tensors.srcIds, srcBias, random);
  const hidden = model.decode({ tgtIds: tensors.tgtInput, memory, srcBias, random });
  const logits: tf.Tensor = model.logits(hidden);
  const losses = sequenceLosses({
    logits, targets: tensors.tgtOutput, mask: tensors.tgtMask, labelSmoothing: options.labelSmoothing,
  });
  return { ...losses, hidden, logits };
}

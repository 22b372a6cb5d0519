import * as tf from "@tensorflow/tfjs-core";
import { type EncodedPair, toSourceTensors } from "./batches";
import { BOS_ID, EOS_ID } from "./subword-tokenizer";
import { type DecoderCache, paddingBias, type Transformer } from "./transformer";

/**
 * Translates one batch by greedy search: at each position take the most probable piece, until
 * every row has produced eos or `maxLength` pieces. Decoding is incremental (self-attention keys
 * and values of earlier positions are cached), so each step costs one position, not the prefix.
 * Returns the piece ids of each row without eos, in batch order.
 */
export function greedyDecode(options: { model: Transformer; batch: EncodedPair[]; maxLength: number }): number[][] {
  const { model, batch } = options;
  const steps = Math.min(options.maxLength, model.config.maxPositions);
  const outputs: number[][] = batch.map(() => []);
  const finished = batch.map(() => false);
  let tokens: Int32Array = new Int32Array(batch.length).fill(BOS_ID);
  let cache = startCache(model, batch);

  try {
    for (let position = 0; position < steps && finished.includes(false); position++) {
      const current = tokens;
      const next = tf.tidy(() => {
        const step = model.decodeStep(cache, tf.tensor1d(current, "int32"), position);
        return { best: tf.argMax(step.logits, 1), selfKeys: step.cache.selfKeys ?? [], selfValues: step.cache.selfValues ?? [] };
      });
      disposeSelfAttention(cache);
      cache = { ...cache, selfKeys: next.selfKeys, selfValues: next.selfValues };
      tokens = next.best.dataSync() as Int32Array;
      next.best.dispose();
      tokens.forEach((token, row) => {
        if (finished[row]) return;
        if (token === EOS_ID) finished[row] = true;
        else outputs[row].push(token);
      });
    }
  } finally {
    disposeSelfAttention(cache);
    tf.dispose([cache.srcBias, ...cache.crossKeys, ...cache.crossValues]);
  }
  return outputs;
}

function startCache(model: Transformer, batch: EncodedPair[]): DecoderCache {
  const prepared = tf.tidy(() => {
    const { srcIds, srcMask } = toSourceTensors(batch);
    const srcBias = paddingBias(srcMask);
    const { crossKeys, crossValues } = model.startDecoding(model.encode(srcIds, srcBias, null), srcBias);
    return { srcBias, crossKeys, crossValues };
  });
  return { ...prepared, selfKeys: null, selfValues: null };
}

function disposeSelfAttention(cache: DecoderCache): void {
  tf.dispose([...(cache.selfKeys ?? []), ...(cache.selfValues ?? [])]);
}

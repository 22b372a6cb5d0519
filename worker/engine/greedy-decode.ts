import * as tf from "@tensorflow/tfjs-core";
import type { EncodedPair } from "./batches";
import { disposeDecoderCache, selectDecoderRows, startDecoderCache, stepDecoderCache } from "./decoder-cache";
import { maxOutputLength } from "./output-length";
import { BOS_ID, EOS_ID } from "../../lib/tokenizer/subword-tokenizer";
import type { Transformer } from "./transformer";

/**
 * Translates one batch by greedy search: at each position take the most probable piece, until a
 * row produces eos or reaches its `maxOutputLength`. Decoding is incremental (keys and values of
 * earlier positions are cached), and finished rows leave the batch, so each step costs one
 * position of the rows still decoding. Returns the piece ids of each row without eos, in batch order.
 */
export function greedyDecode(options: { model: Transformer; batch: EncodedPair[]; maxLength: number }): number[][] {
  const { model, batch } = options;
  const limits = batch.map((pair) => maxOutputLength(pair.srcIds, options.maxLength, model.config.maxPositions));
  const outputs: number[][] = batch.map(() => []);
  if (batch.length === 0) return outputs;

  let active = batch.map((_, sentence) => sentence);
  let tokens = active.map(() => BOS_ID);
  let cache = startDecoderCache(model, batch, 1);
  try {
    for (let position = 0; active.length > 0; position++) {
      const step = stepDecoderCache({ model, cache, tokens, position });
      cache = step.cache;
      const best = argMaxRows(step.logits);

      const decodingRows: number[] = [];
      best.forEach((token, row) => {
        const sentence = active[row];
        if (token === EOS_ID) return;
        outputs[sentence].push(token);
        if (outputs[sentence].length < limits[sentence]) decodingRows.push(row);
      });
      if (decodingRows.length === 0) break;
      cache = selectDecoderRows(cache, { sentences: decodingRows, rows: decodingRows });
      active = decodingRows.map((row) => active[row]);
      tokens = decodingRows.map((row) => best[row]);
    }
  } finally {
    disposeDecoderCache(cache);
  }
  return outputs;
}

/** Reads the most probable token of each row of `logits`, disposing `logits`. */
function argMaxRows(logits: tf.Tensor2D): Int32Array {
  try {
    const best = tf.argMax(logits, 1);
    const values = best.dataSync() as Int32Array;
    best.dispose();
    return values;
  } finally {
    logits.dispose();
  }
}

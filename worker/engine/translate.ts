import { type EncodedPair, makeOrderedBatches } from "./batches";
import { greedyDecode } from "./greedy-decode";
import type { SubwordTokenizer } from "./subword-tokenizer";
import type { Transformer } from "./transformer";

/** Translates encoded sources greedily, in batches of similar length; returns texts by `EncodedPair.index`. */
export function translate(options: {
  model: Transformer;
  tokenizer: SubwordTokenizer;
  sources: EncodedPair[];
  batchSize: number;
  /** Maximum pieces per output, eos excluded. */
  maxLength: number;
}): Map<number, string> {
  const { model, tokenizer, maxLength } = options;
  const hypotheses = new Map<number, string>();
  for (const batch of makeOrderedBatches(options.sources, options.batchSize)) {
    const outputs = greedyDecode({ model, batch, maxLength });
    batch.forEach((pair, row) => hypotheses.set(pair.index, tokenizer.decode(outputs[row])));
  }
  return hypotheses;
}

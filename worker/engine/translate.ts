import { beamSearch } from "./beam-search";
import { type EncodedPair, makeOrderedBatches } from "./batches";
import { greedyDecode } from "./greedy-decode";
import type { SubwordTokenizer } from "../../lib/tokenizer/subword-tokenizer";
import type { Transformer } from "./transformer";

export interface TranslateOptions {
  model: Transformer;
  tokenizer: SubwordTokenizer;
  sources: EncodedPair[];
  /** Sentences per decoding batch; beam search runs beamSize decoder rows per sentence. */
  batchSize: number;
  /** Maximum pieces per output, eos excluded. */
  maxLength: number;
  /** 1 (the default) decodes by greedy search; more runs beam search with that many hypotheses. */
  beamSize?: number;
  /** Beam search's length-penalty exponent alpha; see `beamSearch`. */
  lengthPenalty?: number;
}

/** Translates encoded sources in batches of similar length; returns texts by `EncodedPair.index`. */
export function translate(options: TranslateOptions): Map<number, string> {
  const { model, tokenizer, maxLength, lengthPenalty } = options;
  const beamSize = options.beamSize ?? 1;
  const hypotheses = new Map<number, string>();
  for (const batch of makeOrderedBatches(options.sources, options.batchSize)) {
    const outputs =
      beamSize === 1
        ? greedyDecode({ model, batch, maxLength })
        : beamSearch({ model, batch, maxLength, beamSize, lengthPenalty }).map((hypothesis) => hypothesis.tokens);
    batch.forEach((pair, row) => hypotheses.set(pair.index, tokenizer.decode(outputs[row])));
  }
  return hypotheses;
}

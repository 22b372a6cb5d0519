import { parseStrategyParams } from "../../lib/strategies";
import type { TrainingPair } from "../engine/types";
import type { SampleWeights, Strategy, StrategyBatch } from "./strategy";

/** Tag that starts the source of every clean training pair, and every source at decoding time. */
export const CLEAN_TAG = "<clean>";

/** Tag that starts the source of every noisy training pair. */
export const NOISY_TAG = "<noisy>";

/**
 * Starts each training source with a tag token that names its corpus, `<noisy>` or `<clean>`,
 * and weighs every pair 1. The model learns to tell the two apart, and decoding with `<clean>`
 * asks for the clean corpus' kind of output. Kobus, Crego and Senellart, "Domain Control for
 * Neural Machine Translation", RANLP 2017, tag the domain of each sentence this way. Caswell,
 * Chelba and Grangier, "Tagged Back-Translation", WMT 2019, tag synthetic source sentences.
 *
 * The subword tokenizer splits `<` and `>` from letters, so a tag encodes to the pieces of "▁<",
 * of "clean" or "noisy" without a word-start marker, and of ">". Those pieces stay separate from
 * the sentence's first word, so a tagged source encodes to the tag's pieces followed by the
 * untagged source's pieces. The tokenizer is trained on the tagged sources (`transformPairs` runs
 * first), so the tags' characters are in its alphabet.
 *
 * `params` is validated with the `tagged` schema of lib/strategies.ts, which takes no parameters.
 */
export function createTagged(params: unknown): Strategy {
  parseStrategyParams("tagged", params);
  return {
    name: "tagged",
    transformId: "tagged:v1",
    transformPairs: (pairs: readonly TrainingPair[]) =>
      pairs.map((pair) => ({ ...pair, src: addTag(pair.noisy ? NOISY_TAG : CLEAN_TAG, pair.src) })),
    decodeSource: (src: string) => addTag(CLEAN_TAG, src),
    weights(batch: StrategyBatch): SampleWeights {
      return {
        weights: batch.samples.map(() => 1),
        dropped: batch.samples.map(() => false),
      };
    },
  };
}

/** Puts `tag` and one space before `src`. An empty source becomes the tag alone. */
function addTag(tag: string, src: string): string {
  return src === "" ? tag : `${tag} ${src}`;
}

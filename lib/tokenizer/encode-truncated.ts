import type { SubwordTokenizer } from "./subword-tokenizer";

/**
 * Encodes text as training does: the first `maxLength - 1` piece ids, so that the sequence with
 * its end-of-sentence token fits in `maxLength` positions. Pieces past the limit are dropped.
 */
export function encodeTruncated(tokenizer: SubwordTokenizer, text: string, maxLength: number): number[] {
  return tokenizer.encode(text).slice(0, maxLength - 1);
}

/** Marks a pre-token that follows a space (or starts the text), as SentencePiece does. */
export const WORD_START = "\u2581";

/** A run of letters, marks and digits, or one other visible character, with the spaces before it. */
const PRE_TOKEN = /(\s*)([\p{L}\p{M}\p{N}]+|[^\s\p{L}\p{M}\p{N}])/gu;

/**
 * Splits text into the units that BPE merges never cross: runs of letters and digits, and single
 * punctuation characters. A unit that starts the text or follows whitespace gets a WORD_START
 * prefix, so joining the units and turning WORD_START into a space restores the text.
 * Whitespace is normalised: leading and trailing whitespace is dropped and each inner run of
 * whitespace becomes one space.
 */
export function pretokenize(text: string): string[] {
  const units: string[] = [];
  let first = true;
  for (const match of text.matchAll(PRE_TOKEN)) {
    const spaced = first || match[1].length > 0;
    units.push(spaced ? WORD_START + match[2] : match[2]);
    first = false;
  }
  return units;
}

/** Joins subword pieces back into text: the inverse of `pretokenize` plus BPE segmentation. */
export function detokenize(pieces: string[]): string {
  return pieces.join("").split(WORD_START).join(" ").replace(/^ /, "");
}

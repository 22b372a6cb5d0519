/** Marks a space before a pre-token, as SentencePiece does. */
export const WORD_START = "\u2581";

/** Spaces, then a run of letters, marks and digits or one other character (tabs included). */
const PRE_TOKEN = /( *)([\p{L}\p{M}\p{N}]+|[^ \p{L}\p{M}\p{N}])/gu;
const TRAILING_SPACES = / *$/u;

/**
 * Splits text into the units that BPE merges never cross: runs of letters and digits, and single
 * other characters. Like SentencePiece, it puts one space before the text, and a unit preceded
 * by a space gets a WORD_START prefix. Each further space of a run becomes a WORD_START unit of
 * its own, so `detokenize` restores the text exactly, spaces included.
 */
export function pretokenize(text: string): string[] {
  if (text.length === 0) return [];
  const units: string[] = [];
  let dummySpace = 1;

  for (const match of text.matchAll(PRE_TOKEN)) {
    const spaces = dummySpace + match[1].length;
    for (let extra = 1; extra < spaces; extra++) units.push(WORD_START);
    units.push(spaces > 0 ? WORD_START + match[2] : match[2]);
    dummySpace = 0;
  }

  const trailing = dummySpace + (TRAILING_SPACES.exec(text)?.[0].length ?? 0);
  for (let i = 0; i < trailing; i++) units.push(WORD_START);
  return units;
}

/** Joins subword pieces back into text: the inverse of `pretokenize` plus BPE segmentation. */
export function detokenize(pieces: string[]): string {
  const text = pieces.join("").split(WORD_START).join(" ");
  return text.startsWith(" ") ? text.slice(1) : text;
}

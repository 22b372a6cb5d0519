import { splitWhitespace } from "./split-whitespace";
import type { Tokenizer } from "./tokenizer";

/** Entities that mteval-v13a decodes, in its order, so "&amp;quot;" becomes "&quot;" and stays. */
const ENTITIES: ReadonlyArray<readonly [entity: string, text: string]> = [
  ["&quot;", '"'],
  ["&amp;", "&"],
  ["&lt;", "<"],
  ["&gt;", ">"],
];

/**
 * Each rule is applied to the whole line before the next. The first splits off every ASCII symbol
 * except the apostrophe, comma, hyphen and period: {|}~ [\]^_` space !"#$%& ()*+ :;<=>?@ and /.
 */
const SPLIT_RULES: ReadonlyArray<readonly [pattern: RegExp, replacement: string]> = [
  [/([\x7b-\x7e\x5b-\x60\x20-\x26\x28-\x2b\x3a-\x40\x2f])/gu, " $1 "],
  // A period or comma is split off unless a digit sits on both sides, as in "1,000.50".
  [/([^0-9])([.,])/gu, "$1 $2 "],
  [/([.,])([^0-9])/gu, " $1 $2"],
  // A hyphen after a digit is split off, so "3-4" becomes "3 - 4" but "dirt-bikes" stays.
  [/([0-9])(-)/gu, "$1 $2 "],
];

function decodeEntities(line: string): string {
  let decoded = line;
  for (const [entity, text] of ENTITIES) {
    decoded = decoded.replaceAll(entity, text);
  }
  return decoded;
}

function normalize(line: string): string {
  const joined = line.replaceAll("<skipped>", "").replaceAll("-\n", "").replaceAll("\n", " ");
  return joined.includes("&") ? decodeEntities(joined) : joined;
}

/**
 * Tokenizes a line like mteval-v13a.pl, the WMT scoring script, as sacreBLEU 2.6.0's `13a`
 * tokenizer does. It drops "<skipped>", joins words broken by "-\n", turns other line breaks into
 * spaces and decodes the entities above. It then splits punctuation off words.
 * The line is padded with a space on each side first, so a final period is split off even after a
 * digit ("in 2024." becomes "in 2024 .").
 */
function tokenize13a(line: string): string {
  let tokenized = ` ${normalize(line)} `;
  for (const [pattern, replacement] of SPLIT_RULES) {
    tokenized = tokenized.replace(pattern, replacement);
  }
  return splitWhitespace(tokenized).join(" ");
}

/** sacreBLEU's default tokenizer, `13a`. */
export const tokenizer13a: Tokenizer = { signature: "13a", tokenize: tokenize13a };

import { splitWhitespace } from "./split-whitespace";
import type { Tokenizer } from "./tokenizer";

/**
 * sacreBLEU's `intl` rules, which follow mteval-v14.pl's international tokenization. They are
 * applied in order and match Unicode general categories: P is punctuation, S a symbol, N a number.
 */
const SPLIT_RULES: ReadonlyArray<readonly [pattern: RegExp, replacement: string]> = [
  // Punctuation after a character that is not a number.
  [/(\P{N})(\p{P})/gu, "$1 $2 "],
  // Punctuation before a character that is not a number.
  [/(\p{P})(\P{N})/gu, " $1 $2"],
  // Every symbol.
  [/(\p{S})/gu, " $1 "],
];

/**
 * Tokenizes a line as sacreBLEU 2.6.0's `intl` tokenizer does. Unlike `13a`, it decodes no
 * entities and pads nothing, so a number keeps a sentence-final period ("in 2024." stays whole).
 * NOTE: the categories come from Node's Unicode tables, and sacreBLEU takes them from the Python
 * `regex` package, so characters added in a newer Unicode version than Node's may tokenize differently.
 */
function tokenizeIntl(line: string): string {
  let tokenized = line;
  for (const [pattern, replacement] of SPLIT_RULES) {
    tokenized = tokenized.replace(pattern, replacement);
  }
  return splitWhitespace(tokenized).join(" ");
}

/** sacreBLEU's `intl` tokenizer, for text whose punctuation and symbols lie outside ASCII. */
export const tokenizerIntl: Tokenizer = { signature: "intl", tokenize: tokenizeIntl };

import type { Tokenizer } from "./tokenizer";
import { tokenizer13a } from "./tokenizer-13a";
import { tokenizerIntl } from "./tokenizer-intl";

/** The BLEU tokenizers winnow supports, keyed by their sacreBLEU names. */
export const tokenizers = {
  none: { signature: "none", tokenize: (line: string) => line },
  "13a": tokenizer13a,
  intl: tokenizerIntl,
} as const satisfies Record<string, Tokenizer>;

export type TokenizerName = keyof typeof tokenizers;

export const TOKENIZER_NAMES = Object.keys(tokenizers) as [TokenizerName, ...TokenizerName[]];

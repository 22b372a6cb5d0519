/** A sacreBLEU tokenizer that turns a detokenized line into tokens separated by single spaces. */
export interface Tokenizer {
  /** The name sacreBLEU writes in the `tok:` field of the BLEU signature. */
  readonly signature: string;
  tokenize(line: string): string;
}

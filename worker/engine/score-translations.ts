import { corpusBleu } from "../../lib/metrics/bleu";
import { corpusChrf } from "../../lib/metrics/chrf";

export interface TranslationScores {
  bleu: number;
  /** chrF2: character order 6, word order 0, beta 2. */
  chrf: number;
  /** Hypothesis length over reference length, in 13a tokens. */
  lengthRatio: number;
  brevityPenalty: number;
}

/** Scores hypotheses against one reference each with sacreBLEU-compatible BLEU and chrF2; all 0 for an empty set. */
export function scoreTranslations(hypotheses: string[], references: string[]): TranslationScores {
  if (hypotheses.length === 0) return { bleu: 0, chrf: 0, lengthRatio: 0, brevityPenalty: 0 };
  // The hypotheses come from our own detokenizer, so sacreBLEU's "looks tokenized" warning would
  // only repeat every epoch; `force` turns it off.
  const bleu = corpusBleu(hypotheses, [references], { force: true });
  const chrf = corpusChrf(hypotheses, [references], { charOrder: 6, wordOrder: 0, beta: 2 });
  return { bleu: bleu.score, chrf: chrf.score, lengthRatio: bleu.ratio, brevityPenalty: bleu.bp };
}

import { z } from "zod";
import { assertParallelCorpus } from "./assert-parallel-corpus";
import { countNgrams } from "./count-ngrams";
import { formatSignature } from "./format-signature";
import { parseMetricOptions } from "./parse-metric-options";
import { type SegmentMetric, sumSegmentStatistics } from "./segment-metric";
import { splitWhitespace } from "./split-whitespace";

/** The constant that sacreBLEU's `eps_smoothing` puts in place of an undefined precision, recall or F-score. */
const EPSILON = 1e-16;

/** The ASCII punctuation of Python's `string.punctuation`, which chrF++ splits off words. */
const PUNCTUATION = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");

/** chrF options, named and defaulted like sacreBLEU 2.6.0's `CHRF` class. */
export const chrfOptionsSchema = z
  .object({
    /** Maximum character n-gram order, at least 1. Default 6. */
    charOrder: z.number().int().min(1).default(6),
    /** Maximum word n-gram order. 0 gives chrF and 2 gives chrF++. Default 0. */
    wordOrder: z.number().int().min(0).default(0),
    /** Weight of recall relative to precision, above 0. Default 2. */
    beta: z.number().positive().default(2),
    /** Lowercase hypotheses and references first. Default false. */
    lowercase: z.boolean().default(false),
    /** Keep whitespace inside character n-grams. Default false. */
    whitespace: z.boolean().default(false),
    /** Average per-order F-scores with epsilon smoothing, in place of the effective order. Default false. */
    epsSmoothing: z.boolean().default(false),
  })
  .strict();

export type ChrfOptions = z.input<typeof chrfOptionsSchema>;

type ChrfSettings = z.output<typeof chrfOptionsSchema>;

export interface ChrfScore {
  /** chrF from 0 to 100. */
  score: number;
  /** sacreBLEU's name for the variant, e.g. `chrF2` or `chrF2++`. */
  name: string;
  charOrder: number;
  wordOrder: number;
  beta: number;
  /** sacreBLEU's reproducibility signature, e.g. `nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0`. */
  signature: string;
}

/** Character n-gram counts for orders 1..charOrder, then word n-gram counts for orders 1..wordOrder. */
type NgramCounts = Map<string, number>[];

/**
 * Splits a line into words for chrF++, separating one punctuation character from the end of a
 * word, or else from its start. "(hi)" therefore becomes "(hi" and ")", as in sacreBLEU.
 */
function splitWords(line: string): string[] {
  const words: string[] = [];
  for (const word of splitWhitespace(line)) {
    const characters = Array.from(word);
    const last = characters[characters.length - 1];
    if (characters.length === 1) {
      words.push(word);
    } else if (PUNCTUATION.has(last)) {
      words.push(word.slice(0, -1), last);
    } else if (PUNCTUATION.has(characters[0])) {
      words.push(characters[0], word.slice(1));
    } else {
      words.push(word);
    }
  }
  return words;
}

/** Counts the n-grams of a line. Characters are Unicode code points, as in Python strings. */
function extractNgrams(line: string, settings: ChrfSettings): NgramCounts {
  const text = settings.whitespace ? line : splitWhitespace(line).join("");
  const characters = Array.from(text);
  const counts: NgramCounts = [];

  for (let order = 1; order <= settings.charOrder; order++) {
    counts.push(countNgrams(characters, order, ""));
  }
  if (settings.wordOrder > 0) {
    const words = splitWords(line);
    for (let order = 1; order <= settings.wordOrder; order++) {
      counts.push(countNgrams(words, order, " "));
    }
  }

  return counts;
}

/**
 * Returns [hypothesis n-grams, reference n-grams, matches] for one order. Like sacreBLEU, it counts
 * no hypothesis n-grams when the reference has none of this order.
 */
function matchStatistics(hypothesis: Map<string, number>, reference: Map<string, number>): number[] {
  let hypothesisCount = 0;
  let matchCount = 0;
  for (const [ngram, count] of hypothesis) {
    hypothesisCount += count;
    matchCount += Math.min(count, reference.get(ngram) ?? 0);
  }

  let referenceCount = 0;
  for (const count of reference.values()) referenceCount += count;

  return [reference.size > 0 ? hypothesisCount : 0, referenceCount, matchCount];
}

/**
 * Computes chrF from 0 to 100 from flattened [hypothesis, reference, match] triples, one per order.
 * By default precision and recall are averaged over the orders with n-grams on both sides before
 * the F-score is taken (sacreBLEU's effective order). With `epsSmoothing` the per-order F-scores
 * are averaged over all orders, with EPSILON in place of undefined values.
 */
function computeFScore(statistics: ArrayLike<number>, settings: ChrfSettings): number {
  const factor = settings.beta ** 2;
  const orders = statistics.length / 3;
  let epsilonScore = 0;
  let precisionSum = 0;
  let recallSum = 0;
  let effectiveOrder = 0;

  for (let index = 0; index < orders; index++) {
    const hypothesisCount = statistics[3 * index];
    const referenceCount = statistics[3 * index + 1];
    const matchCount = statistics[3 * index + 2];
    const precision = hypothesisCount > 0 ? matchCount / hypothesisCount : EPSILON;
    const recall = referenceCount > 0 ? matchCount / referenceCount : EPSILON;
    const denominator = factor * precision + recall;
    epsilonScore += denominator > 0 ? ((1 + factor) * precision * recall) / denominator : EPSILON;

    if (hypothesisCount > 0 && referenceCount > 0) {
      precisionSum += precision;
      recallSum += recall;
      effectiveOrder += 1;
    }
  }

  if (settings.epsSmoothing) return (100 * epsilonScore) / orders;
  if (effectiveOrder === 0) return 0;

  const precision = precisionSum / effectiveOrder;
  const recall = recallSum / effectiveOrder;
  if (precision + recall === 0) return 0;
  return 100 * (((1 + factor) * precision * recall) / (factor * precision + recall));
}

/** Returns the statistics of the reference that gives the segment the highest F-score. A tie keeps the first. */
function segmentStatistics(
  hypothesis: NgramCounts,
  references: readonly NgramCounts[],
  settings: ChrfSettings,
): number[] {
  let best: number[] = [];
  let bestScore = -1;

  for (const reference of references) {
    const statistics = hypothesis.flatMap((counts, order) => matchStatistics(counts, reference[order]));
    const score = computeFScore(statistics, settings);
    if (score > bestScore) {
      bestScore = score;
      best = statistics;
    }
  }

  return best;
}

function formatChrfSignature(referenceCount: number, settings: ChrfSettings): string {
  return formatSignature(referenceCount, [
    ["case", settings.lowercase ? "lc" : "mixed"],
    ["eff", settings.epsSmoothing ? "no" : "yes"],
    ["nc", settings.charOrder],
    ["nw", settings.wordOrder],
    ["space", settings.whitespace ? "yes" : "no"],
  ]);
}

/**
 * Creates chrF against fixed `references` (a list of reference streams) for significance tests,
 * with the options and errors of `corpusChrf`. Each segment has 3 statistics per n-gram order
 * (hypothesis n-grams, reference n-grams, matches) from its best reference, character orders
 * first. The references' n-grams are counted once, on the first extraction, after the first
 * hypotheses have been checked against them.
 */
export function createChrfMetric(
  references: ReadonlyArray<readonly string[]>,
  options: ChrfOptions = {},
): SegmentMetric {
  const settings = parseMetricOptions(chrfOptionsSchema, options, "chrF");
  const preprocess = (line: string) => (settings.lowercase ? line.toLowerCase() : line);
  const width = 3 * (settings.charOrder + settings.wordOrder);
  let referenceNgrams: NgramCounts[][] | undefined;

  const extractStatistics = (hypotheses: readonly string[]): Float64Array => {
    assertParallelCorpus("chrF", hypotheses, references);

    referenceNgrams ??= hypotheses.map((_, index) =>
      references.map((stream) => extractNgrams(preprocess(stream[index]), settings)),
    );
    const segmentReferences = referenceNgrams;
    const statistics = new Float64Array(hypotheses.length * width);
    hypotheses.forEach((hypothesis, index) => {
      const hypothesisNgrams = extractNgrams(preprocess(hypothesis), settings);
      statistics.set(segmentStatistics(hypothesisNgrams, segmentReferences[index], settings), index * width);
    });
    return statistics;
  };

  return {
    name: `chrF${settings.beta}${"+".repeat(settings.wordOrder)}`,
    signature: formatChrfSignature(references.length, settings),
    width,
    segmentStatistics: extractStatistics,
    scoreStatistics: (totals) => computeFScore(totals, settings),
  };
}

/**
 * Computes corpus chrF (Popović, 2015) or, with `wordOrder: 2`, chrF++ (Popović, 2017), as
 * sacreBLEU 2.6.0's `corpus_chrf` does. `references` is a list of reference streams, each with one
 * line per hypothesis. Character n-grams ignore whitespace unless `whitespace` is set. The n-gram
 * statistics of each segment's best reference are summed over the corpus, and one F-score is
 * computed from the sums. Throws an `invalid_input` WinnowError for invalid options or streams
 * whose length differs from the hypotheses'.
 */
export function corpusChrf(
  hypotheses: readonly string[],
  references: ReadonlyArray<readonly string[]>,
  options: ChrfOptions = {},
): ChrfScore {
  const settings = parseMetricOptions(chrfOptionsSchema, options, "chrF");
  const metric = createChrfMetric(references, settings);
  const totals = sumSegmentStatistics(metric.segmentStatistics(hypotheses), metric.width);

  const { charOrder, wordOrder, beta } = settings;
  return {
    score: metric.scoreStatistics(totals),
    name: metric.name,
    charOrder,
    wordOrder,
    beta,
    signature: metric.signature,
  };
}

import { z } from "zod";
import { WinnowError } from "../errors";
import { moduleLogger } from "../logger";
import { assertParallelCorpus } from "./assert-parallel-corpus";
import { type BleuResult, type BleuStatistics, computeBleu, SMOOTH_DEFAULTS, SMOOTH_METHODS } from "./compute-bleu";
import { countNgrams } from "./count-ngrams";
import { formatSignature } from "./format-signature";
import { parseMetricOptions } from "./parse-metric-options";
import { type SegmentMetric, sumSegmentStatistics } from "./segment-metric";
import { splitWhitespace, trimTrailingWhitespace } from "./split-whitespace";
import { TOKENIZER_NAMES, tokenizers } from "./tokenizers";

const log = moduleLogger("metrics");

/** sacreBLEU warns once at least this many hypotheses end in " .", a sign of tokenized input. */
const TOKENIZED_PERIOD_WARNING_LINES = 100;

/** BLEU options, named and defaulted like sacreBLEU 2.6.0's `BLEU` class. */
export const bleuOptionsSchema = z
  .object({
    /** Lowercase hypotheses and references before tokenizing. Default false. */
    lowercase: z.boolean().default(false),
    /** Tokenizer applied to both sides. Default "13a". */
    tokenize: z.enum(TOKENIZER_NAMES).default("13a"),
    /** Smoothing for n-gram orders without matches. Default "exp". */
    smoothMethod: z.enum(SMOOTH_METHODS).default("exp"),
    /** Value for `floor` (default 0.1) and `add-k` (default 1), at least 0. Other methods ignore it. */
    smoothValue: z.number().min(0).optional(),
    /** Maximum n-gram order, at least 1. Default 4. */
    maxNgramOrder: z.number().int().min(1).default(4),
    /** Average only over the orders that have hypothesis n-grams. Default false. */
    effectiveOrder: z.boolean().default(false),
    /** Skip the warning about hypotheses that look tokenized. Default false. */
    force: z.boolean().default(false),
  })
  .strict();

export type BleuOptions = z.input<typeof bleuOptionsSchema>;

type BleuSettings = z.output<typeof bleuOptionsSchema>;

export interface BleuScore extends BleuResult {
  /** sacreBLEU's reproducibility signature, e.g. `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0`. */
  signature: string;
}

/** Reference n-gram counts of one segment, each the maximum over its references, and their lengths. */
interface ReferenceInfo {
  ngrams: Map<string, number>[];
  lengths: number[];
}

function warnIfTokenized(hypotheses: readonly string[]): void {
  const tokenizedLines = hypotheses.filter((hypothesis) => hypothesis.endsWith(" .")).length;
  if (tokenizedLines < TOKENIZED_PERIOD_WARNING_LINES) return;

  log.warn(
    { tokenizedLines },
    "BLEU hypotheses look tokenized because many end in ' .', which may lower the score. " +
      "Detokenize them, or pass force: true if they are already detokenized",
  );
}

/** Lowercases (optionally), strips trailing whitespace and tokenizes, in sacreBLEU's order. */
function createPreprocessor(settings: BleuSettings): (line: string) => string[] {
  const tokenizer = tokenizers[settings.tokenize];
  return (line) => {
    const cased = settings.lowercase ? line.toLowerCase() : line;
    return splitWhitespace(tokenizer.tokenize(trimTrailingWhitespace(cased)));
  };
}

function extractReferenceInfo(references: readonly string[][], maxNgramOrder: number): ReferenceInfo {
  const ngrams = Array.from({ length: maxNgramOrder }, () => new Map<string, number>());
  const lengths: number[] = [];

  for (const tokens of references) {
    lengths.push(tokens.length);
    ngrams.forEach((merged, index) => {
      for (const [ngram, count] of countNgrams(tokens, index + 1, " ")) {
        merged.set(ngram, Math.max(merged.get(ngram) ?? 0, count));
      }
    });
  }

  return { ngrams, lengths };
}

/** Picks the reference length closest to the hypothesis length. A tie goes to the shorter reference. */
function closestReferenceLength(hypothesisLength: number, lengths: readonly number[]): number {
  let closest = lengths[0];
  for (const length of lengths) {
    const distance = Math.abs(hypothesisLength - length);
    const closestDistance = Math.abs(hypothesisLength - closest);
    if (distance < closestDistance || (distance === closestDistance && length < closest)) closest = length;
  }
  return closest;
}

/**
 * Adds one segment's statistics to `statistics` at `offset`, in sacreBLEU's layout: hypothesis
 * length, reference length, matched n-grams per order, then hypothesis n-grams per order.
 */
function addSegmentStatistics(
  statistics: Float64Array,
  offset: number,
  hypothesis: string[],
  references: ReferenceInfo,
): void {
  const order = references.ngrams.length;
  statistics[offset] += hypothesis.length;
  statistics[offset + 1] += closestReferenceLength(hypothesis.length, references.lengths);

  references.ngrams.forEach((referenceNgrams, index) => {
    for (const [ngram, count] of countNgrams(hypothesis, index + 1, " ")) {
      statistics[offset + 2 + order + index] += count;
      statistics[offset + 2 + index] += Math.min(count, referenceNgrams.get(ngram) ?? 0);
    }
  });
}

function unpackStatistics(totals: Float64Array, order: number): BleuStatistics {
  return {
    sysLen: totals[0],
    refLen: totals[1],
    counts: Array.from(totals.subarray(2, 2 + order)),
    totals: Array.from(totals.subarray(2 + order, 2 + 2 * order)),
  };
}

function formatBleuSignature(referenceCount: number, settings: BleuSettings): string {
  const defaultValue = SMOOTH_DEFAULTS[settings.smoothMethod];
  const smooth =
    defaultValue === undefined
      ? settings.smoothMethod
      : `${settings.smoothMethod}[${(settings.smoothValue ?? defaultValue).toFixed(2)}]`;

  return formatSignature(referenceCount, [
    ["case", settings.lowercase ? "lc" : "mixed"],
    ["eff", settings.effectiveOrder ? "yes" : "no"],
    ["tok", tokenizers[settings.tokenize].signature],
    ["smooth", smooth],
  ]);
}

/**
 * Prepares BLEU with fixed references and options: the settings, and the metric that extracts
 * segment statistics. The references are tokenized once, on the first extraction, after the
 * first hypotheses have been checked against them.
 */
function prepareBleu(
  references: ReadonlyArray<readonly string[]>,
  options: BleuOptions,
): { settings: BleuSettings; metric: SegmentMetric } {
  const settings = parseMetricOptions(bleuOptionsSchema, options, "BLEU");
  const preprocess = createPreprocessor(settings);
  const order = settings.maxNgramOrder;
  const width = 2 + 2 * order;
  let referenceInfos: ReferenceInfo[] | undefined;

  const segmentStatistics = (hypotheses: readonly string[]): Float64Array => {
    assertParallelCorpus("BLEU", hypotheses, references);
    if (!settings.force) warnIfTokenized(hypotheses);

    referenceInfos ??= hypotheses.map((_, index) =>
      extractReferenceInfo(references.map((stream) => preprocess(stream[index])), order),
    );
    const infos = referenceInfos;
    const statistics = new Float64Array(hypotheses.length * width);
    hypotheses.forEach((hypothesis, index) => {
      addSegmentStatistics(statistics, index * width, preprocess(hypothesis), infos[index]);
    });
    return statistics;
  };

  const metric: SegmentMetric = {
    name: "BLEU",
    signature: formatBleuSignature(references.length, settings),
    width,
    segmentStatistics,
    scoreStatistics: (totals) => computeBleu(unpackStatistics(totals, order), settings).score,
  };
  return { settings, metric };
}

/**
 * Creates BLEU against fixed `references` (a list of reference streams) for significance tests,
 * with the options and errors of `corpusBleu`. Each segment has 2 + 2 * maxNgramOrder statistics.
 */
export function createBleuMetric(
  references: ReadonlyArray<readonly string[]>,
  options: BleuOptions = {},
): SegmentMetric {
  return prepareBleu(references, options).metric;
}

/**
 * Computes corpus BLEU (Papineni et al., 2002) as sacreBLEU 2.6.0's `corpus_bleu` does.
 * `references` is a list of reference streams, each with one line per hypothesis. Each segment's
 * n-gram matches are clipped by the maximum count over its references, and its reference length
 * is the one closest to the hypothesis length. Empty hypotheses and empty reference lines count
 * as segments of length 0. Throws an `invalid_input` WinnowError for invalid options or streams
 * whose length differs from the hypotheses'.
 */
export function corpusBleu(
  hypotheses: readonly string[],
  references: ReadonlyArray<readonly string[]>,
  options: BleuOptions = {},
): BleuScore {
  const { settings, metric } = prepareBleu(references, options);
  const totals = sumSegmentStatistics(metric.segmentStatistics(hypotheses), metric.width);
  const statistics = unpackStatistics(totals, settings.maxNgramOrder);
  return { ...computeBleu(statistics, settings), signature: metric.signature };
}

/**
 * Computes BLEU for one hypothesis against one or more references, as sacreBLEU 2.6.0's
 * `sentence_bleu` does. `effectiveOrder` defaults to true, so a sentence shorter than four tokens
 * can still score above 0. Other options and errors are those of `corpusBleu`.
 */
export function sentenceBleu(
  hypothesis: string,
  references: readonly string[],
  options: BleuOptions = {},
): BleuScore {
  if (references.length === 0) {
    throw new WinnowError("invalid_input", "sentence BLEU: references must contain at least one reference");
  }

  const streams = references.map((reference) => [reference]);
  return corpusBleu([hypothesis], streams, { ...options, effectiveOrder: options.effectiveOrder ?? true });
}

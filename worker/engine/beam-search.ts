import * as tf from "@tensorflow/tfjs-core";
import type { EncodedPair } from "./batches";
import { disposeDecoderCache, selectDecoderRows, startDecoderCache, stepDecoderCache } from "./decoder-cache";
import { maxOutputLength } from "./output-length";
import { BOS_ID, EOS_ID } from "../../lib/tokenizer/subword-tokenizer";
import type { Transformer } from "./transformer";

/** Hypotheses kept per sentence when the caller sets no `beamSize`. */
export const DEFAULT_BEAM_SIZE = 5;
/** Length-penalty exponent alpha when the caller sets no `lengthPenalty`. */
export const DEFAULT_LENGTH_PENALTY = 0.6;
/** Largest accepted beam size; wider beams multiply decoding time and rarely help translation. */
export const MAX_BEAM_SIZE = 64;

export interface BeamSearchOptions {
  model: Transformer;
  batch: EncodedPair[];
  /** Maximum pieces per output, eos excluded; each sentence is also cut to its source length + 50. */
  maxLength: number;
  /** Hypotheses kept per sentence, 1 to 64 (default 5). Beam size 1 returns the greedy-search output. */
  beamSize?: number;
  /** Length-penalty exponent alpha, 0 or more (default 0.6); 0 ranks hypotheses by log-probability alone. */
  lengthPenalty?: number;
}

/** The translation beam search chose for one sentence. */
export interface BeamHypothesis {
  /** Piece ids without eos. */
  tokens: number[];
  /** Sum of the log-probabilities of the pieces, and of eos when the hypothesis ended with it. */
  logProb: number;
  /** logProb / lp(|y|), the value the search maximises; |y| counts eos when the hypothesis ended with it. */
  score: number;
  /** False when the hypothesis reached the maximum length without producing eos. */
  endedWithEos: boolean;
}

/** A hypothesis still being extended; `parentRow` is the decoder row whose output it extended. */
interface AliveHypothesis {
  tokens: number[];
  logProb: number;
  parentRow: number;
}

/** Search state of one sentence. */
interface SentenceSearch {
  /** Index of the sentence in the batch. */
  sentence: number;
  /** Maximum pieces of its output, eos excluded. */
  limit: number;
  alive: AliveHypothesis[];
  finished: BeamHypothesis[];
}

/** The `perRow` most probable next tokens of every decoder row, read back from the backend. */
interface RowCandidates {
  perRow: number;
  tokens: Int32Array;
  /** log p(token | prefix), [rows * perRow]. */
  logProbs: Float64Array;
}

/**
 * GNMT length penalty lp(|y|) = ((5 + |y|) / 6)^alpha (Wu et al. 2016, "Google's Neural Machine
 * Translation System", arXiv:1609.08144). Dividing a log-probability by it offsets the bias of
 * summed log-probabilities toward short outputs.
 */
export function gnmtLengthPenalty(length: number, alpha: number): number {
  return ((5 + length) / 6) ** alpha;
}

/**
 * Translates one batch by beam search and returns the best hypothesis of each sentence, in batch
 * order. The alive hypotheses of all sentences are decoder rows stepped together with the
 * key/value cache, and each row's cache follows its hypothesis's parent after every step.
 *
 * Each step takes, per sentence, the (beamSize - finished) highest log-probability extensions of
 * its alive hypotheses. An extension ending in eos becomes finished and shrinks the sentence's
 * beam by one, so beam size 1 takes the same path as greedy search. A sentence stops when no
 * alive hypothesis is left, or when none of them could still beat the best finished score: an
 * alive hypothesis can only lose log-probability, so its score is at most
 * logProb / lp(maximum length). Hypotheses that reach the maximum length finish without eos.
 * Finished sentences leave the batch, so later steps decode only the sentences still searching.
 */
export function beamSearch(options: BeamSearchOptions): BeamHypothesis[] {
  const { beamSize, alpha } = validateBeamOptions(options);
  const { model, batch } = options;
  const results = new Array<BeamHypothesis>(batch.length);
  if (batch.length === 0) return results;

  let searches: SentenceSearch[] = batch.map((pair, sentence) => ({
    sentence,
    limit: maxOutputLength(pair.srcIds, options.maxLength, model.config.maxPositions),
    alive: [{ tokens: [], logProb: 0, parentRow: sentence }],
    finished: [],
  }));
  // Rows per sentence follow the largest number of alive hypotheses: 1 for the first step, at
  // most beamSize later, and fewer once every sentence has some finished.
  let cache = startDecoderCache(model, batch, 1);
  try {
    for (let position = 0; searches.length > 0; position++) {
      const width = cache.beamWidth;
      const step = stepDecoderCache({ model, cache, tokens: rowTokens(searches, width), position });
      cache = step.cache;
      const candidates = topCandidates(step.logits, beamSize);

      const searchingSlots: number[] = [];
      searches.forEach((search, slot) => {
        extendSearch({ search, firstRow: slot * width, candidates, beamSize, alpha });
        if (isSearchDone(search, alpha)) results[search.sentence] = bestFinished(search.finished);
        else searchingSlots.push(slot);
      });
      if (searchingSlots.length === 0) break;

      const searching = searchingSlots.map((slot) => searches[slot]);
      const nextWidth = Math.max(...searching.map((search) => search.alive.length));
      cache = selectDecoderRows(cache, { sentences: searchingSlots, rows: parentRows(searching, nextWidth), beamWidth: nextWidth });
      searches = searching;
    }
  } finally {
    disposeDecoderCache(cache);
  }
  return results;
}

function validateBeamOptions(options: BeamSearchOptions): { beamSize: number; alpha: number } {
  const beamSize = options.beamSize ?? DEFAULT_BEAM_SIZE;
  const alpha = options.lengthPenalty ?? DEFAULT_LENGTH_PENALTY;
  if (!Number.isInteger(beamSize) || beamSize < 1 || beamSize > MAX_BEAM_SIZE) {
    throw new Error(`beamSize must be an integer from 1 to ${MAX_BEAM_SIZE}, got ${beamSize}`);
  }
  if (!Number.isFinite(alpha) || alpha < 0) throw new Error(`lengthPenalty must be a finite number of 0 or more, got ${alpha}`);
  return { beamSize, alpha };
}

/** Returns the input token of every decoder row: its hypothesis's last piece, or bos at the start and in unused rows. */
function rowTokens(searches: SentenceSearch[], width: number): Int32Array {
  const tokens = new Int32Array(searches.length * width).fill(BOS_ID);
  searches.forEach((search, slot) => {
    search.alive.forEach((hypothesis, beam) => {
      tokens[slot * width + beam] = hypothesis.tokens.at(-1) ?? BOS_ID;
    });
  });
  return tokens;
}

/**
 * Reads the `beamSize` highest logits of every row and their log-probabilities, disposing
 * `logits`. Ranking within a row by logits equals ranking by log-probability, and it picks the
 * same token as the arg-max of greedy search.
 */
function topCandidates(logits: tf.Tensor2D, beamSize: number): RowCandidates {
  const perRow = Math.min(beamSize, logits.shape[1]);
  try {
    const read = tf.tidy(() => {
      const top = tf.topk(logits, perRow);
      const logNormalizer = tf.logSumExp(logits, 1);
      return { values: top.values, indices: top.indices, logNormalizer };
    });
    const values = read.values.dataSync();
    const tokens = read.indices.dataSync() as Int32Array;
    const logNormalizer = read.logNormalizer.dataSync();
    tf.dispose([read.values, read.indices, read.logNormalizer]);

    const logProbs = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) logProbs[i] = values[i] - logNormalizer[Math.floor(i / perRow)];
    return { perRow, tokens, logProbs };
  } finally {
    logits.dispose();
  }
}

/**
 * Replaces the alive hypotheses of `search` by the best (beamSize - finished) extensions of them.
 * Extensions ending in eos, and all extensions at the length limit, become finished.
 */
function extendSearch(options: {
  search: SentenceSearch;
  /** The decoder row of the sentence's first alive hypothesis; the others follow it. */
  firstRow: number;
  candidates: RowCandidates;
  beamSize: number;
  alpha: number;
}): void {
  const { search, firstRow, candidates, beamSize, alpha } = options;
  const { perRow, tokens, logProbs } = candidates;
  const extensions: { parent: number; token: number; logProb: number }[] = [];
  search.alive.forEach((hypothesis, beam) => {
    const row = firstRow + beam;
    for (let rank = 0; rank < perRow; rank++) {
      const index = row * perRow + rank;
      extensions.push({ parent: beam, token: tokens[index], logProb: hypothesis.logProb + logProbs[index] });
    }
  });
  // Array.prototype.sort is stable, so equal log-probabilities keep parent order, then rank order.
  extensions.sort((a, b) => b.logProb - a.logProb);

  const alive: AliveHypothesis[] = [];
  for (const extension of extensions.slice(0, beamSize - search.finished.length)) {
    const parent = search.alive[extension.parent];
    if (extension.token === EOS_ID) {
      search.finished.push(finishHypothesis(parent.tokens, extension.logProb, true, alpha));
    } else {
      const tokensSoFar = [...parent.tokens, extension.token];
      alive.push({ tokens: tokensSoFar, logProb: extension.logProb, parentRow: firstRow + extension.parent });
    }
  }

  const atLimit = alive.length > 0 && alive[0].tokens.length >= search.limit;
  if (atLimit) {
    for (const hypothesis of alive) search.finished.push(finishHypothesis(hypothesis.tokens, hypothesis.logProb, false, alpha));
  }
  search.alive = atLimit ? [] : alive;
}

function finishHypothesis(tokens: number[], logProb: number, endedWithEos: boolean, alpha: number): BeamHypothesis {
  const length = tokens.length + (endedWithEos ? 1 : 0);
  return { tokens, logProb, score: logProb / gnmtLengthPenalty(length, alpha), endedWithEos };
}

/** Returns true when no alive hypothesis is left that could still score above the best finished one. */
function isSearchDone(search: SentenceSearch, alpha: number): boolean {
  if (search.alive.length === 0) return true;
  if (search.finished.length === 0) return false;
  const bestScore = bestFinished(search.finished).score;
  // Log-probabilities are at most 0 and only fall as pieces are added, so the largest possible
  // final score of an alive hypothesis divides its log-probability by the largest penalty, at
  // the maximum length |y| = limit.
  const largestPenalty = gnmtLengthPenalty(search.limit, alpha);
  return search.alive.every((hypothesis) => hypothesis.logProb / largestPenalty <= bestScore);
}

/** Returns the finished hypothesis with the highest score, the earliest one on ties. */
function bestFinished(finished: BeamHypothesis[]): BeamHypothesis {
  return finished.reduce((best, hypothesis) => (hypothesis.score > best.score ? hypothesis : best));
}

/** Returns the decoder row that each row of the next step continues. Unused rows copy the sentence's first hypothesis. */
function parentRows(searches: SentenceSearch[], width: number): number[] {
  return searches.flatMap((search) =>
    Array.from({ length: width }, (_, beam) => (search.alive[beam] ?? search.alive[0]).parentRow),
  );
}

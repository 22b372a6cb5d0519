import { learnBpeMerges, mergePair } from "./bpe-merges";
import { detokenize, pretokenize } from "./pretokenize";

/** Special token strings; their ids are their positions (pad 0, bos 1, eos 2, unk 3). */
export const SPECIAL_TOKENS = ["<pad>", "<s>", "</s>", "<unk>"] as const;
export const PAD_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
export const UNK_ID = 3;

/** Text that `decode` writes for an unknown-character token, as SentencePiece does. */
const UNKNOWN_TEXT = "\u2047";

/** A trained tokenizer as plain JSON, for caching per dataset and vocabulary size. */
export interface SubwordTokenizerJson {
  version: 1;
  /** Initial symbols (characters, with the word-start marker among them), in id order after the specials. */
  alphabet: string[];
  merges: [string, string][];
}

export interface SubwordTrainingOptions {
  /** Training text; source and target sentences together give a joint vocabulary. */
  texts: Iterable<string>;
  /** Total vocabulary size including the four special tokens; at least 8 and at most 2^20. */
  vocabSize: number;
}

/**
 * Joint byte-pair-encoding tokenizer with SentencePiece-style space markers, so `decode` restores
 * the encoded text exactly, spaces included. Characters that were not in the training text, or
 * did not fit the vocabulary, become unk and decode as "\u2047".
 */
export class SubwordTokenizer {
  readonly pieces: string[] = [];
  private readonly pieceIds = new Map<string, number>();
  /** Merge rank and result id for each packed pair of piece ids. */
  private readonly mergeTable = new Map<number, { rank: number; mergedId: number }>();
  private readonly wordCache = new Map<string, number[]>();

  private constructor(private readonly json: SubwordTokenizerJson) {
    for (const symbol of [...SPECIAL_TOKENS, ...json.alphabet]) this.addPiece(symbol);
    json.merges.forEach(([left, right], rank) => {
      const leftId = this.pieceIds.get(left);
      const rightId = this.pieceIds.get(right);
      if (leftId === undefined || rightId === undefined) {
        throw new Error(`invalid tokenizer: merge ${rank} (${left} + ${right}) uses an unknown piece`);
      }
      this.mergeTable.set(pairKey(leftId, rightId), { rank, mergedId: this.addPiece(left + right) });
    });
  }

  /** Learns a vocabulary of at most `vocabSize` pieces from `texts`; deterministic. */
  static train(options: SubwordTrainingOptions): SubwordTokenizer {
    const { vocabSize } = options;
    if (!Number.isInteger(vocabSize) || vocabSize < 8 || vocabSize > 2 ** 20) {
      throw new Error(`vocabSize must be an integer from 8 to 1048576, got ${vocabSize}`);
    }
    const wordCounts = countWords(options.texts);
    const alphabet = chooseAlphabet(wordCounts, vocabSize - SPECIAL_TOKENS.length);
    const { words, counts } = splitAtUnknownCharacters(wordCounts, new Set(alphabet));
    const merges = learnBpeMerges({
      words, counts, alphabet, maxSymbols: vocabSize - SPECIAL_TOKENS.length,
    });
    return new SubwordTokenizer({ version: 1, alphabet, merges });
  }

  static fromJson(json: SubwordTokenizerJson): SubwordTokenizer {
    if (json.version !== 1) throw new Error(`unsupported tokenizer version ${String(json.version)}, expected 1`);
    return new SubwordTokenizer(json);
  }

  toJson(): SubwordTokenizerJson {
    return this.json;
  }

  get vocabSize(): number {
    return this.pieces.length;
  }

  /** Encodes text to piece ids, without bos or eos. */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const word of pretokenize(text)) {
      let wordIds = this.wordCache.get(word);
      if (!wordIds) {
        wordIds = this.segmentWord(word);
        this.wordCache.set(word, wordIds);
      }
      ids.push(...wordIds);
    }
    return ids;
  }

  /** Decodes piece ids to text; pad, bos and eos are skipped, unk becomes "\u2047". */
  decode(ids: readonly number[]): string {
    const pieces: string[] = [];
    for (const id of ids) {
      if (id === PAD_ID || id === BOS_ID || id === EOS_ID) continue;
      pieces.push(id === UNK_ID || id >= this.pieces.length ? UNKNOWN_TEXT : this.pieces[id]);
    }
    return detokenize(pieces);
  }

  /** Returns the id of `piece`, adding it first if new (two merges can yield the same string). */
  private addPiece(piece: string): number {
    const known = this.pieceIds.get(piece);
    if (known !== undefined) return known;
    const id = this.pieces.length;
    this.pieces.push(piece);
    this.pieceIds.set(piece, id);
    return id;
  }

  /** Applies merges to one pre-token, lowest rank first, as they were learnt. */
  private segmentWord(word: string): number[] {
    let symbols = [...word].map((char) => this.pieceIds.get(char) ?? UNK_ID);
    for (;;) {
      let best: { rank: number; mergedId: number; left: number; right: number } | null = null;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const merge = this.mergeTable.get(pairKey(symbols[i], symbols[i + 1]));
        if (merge && (best === null || merge.rank < best.rank)) {
          best = { ...merge, left: symbols[i], right: symbols[i + 1] };
        }
      }
      if (best === null) return symbols;
      symbols = mergePair(symbols, best.left, best.right, best.mergedId);
    }
  }
}

function pairKey(left: number, right: number): number {
  return left * 2 ** 21 + right;
}

function countWords(texts: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const word of pretokenize(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

/** Splits words at characters outside the alphabet, which stay unk and never merge. */
function splitAtUnknownCharacters(
  wordCounts: Map<string, number>,
  alphabet: Set<string>,
): { words: string[][]; counts: number[] } {
  const words: string[][] = [];
  const counts: number[] = [];
  for (const [word, count] of wordCounts) {
    let run: string[] = [];
    for (const char of [...word, ""]) {
      if (alphabet.has(char)) {
        run.push(char);
        continue;
      }
      if (run.length > 1) {
        words.push(run);
        counts.push(count);
      }
      run = [];
    }
  }
  return { words, counts };
}

/** Picks the most frequent characters (ties by code point) that fit in `size` pieces. */
function chooseAlphabet(wordCounts: Map<string, number>, size: number): string[] {
  const charCounts = new Map<string, number>();
  for (const [word, count] of wordCounts) {
    for (const char of word) charCounts.set(char, (charCounts.get(char) ?? 0) + count);
  }
  const chars = [...charCounts.keys()].sort((a, b) => {
    const byCount = (charCounts.get(b) ?? 0) - (charCounts.get(a) ?? 0);
    if (byCount !== 0) return byCount;
    if (a === b) return 0;
    return a < b ? -1 : 1;
  });
  return chars.slice(0, size);
}

/** Input of `learnBpeMerges`. */
export interface BpeMergeOptions {
  /** Distinct words, each a list of initial symbols (characters). */
  words: string[][];
  /** How often each word occurs, in the same order as `words`. */
  counts: number[];
  /** Initial symbols, in id order; merges only combine symbols from this list or earlier merges. */
  alphabet: string[];
  /** Stop when the alphabet plus merged symbols reach this many distinct symbols. */
  maxSymbols: number;
  /** Stop when the most frequent pair occurs fewer times than this. Default 2. */
  minPairCount?: number;
}

/** Pair keys pack two symbol ids into one safe integer. */
const KEY_BASE = 2 ** 21;

/**
 * Learns byte-pair-encoding merges (Sennrich, Haddow and Birch, ACL 2016): repeatedly merge the
 * most frequent adjacent pair of symbols, counting pairs over word types weighted by frequency.
 * Pair counts are updated incrementally and kept in a heap, so each merge only touches the words
 * that contain its pair. Ties go to the pair whose symbols were created first, which makes the
 * result deterministic. Returns the merges in order, as [left, right] symbol strings.
 */
export function learnBpeMerges(options: BpeMergeOptions): [string, string][] {
  const state = createMergeState(options);
  const merges: [string, string][] = [];
  const minPairCount = options.minPairCount ?? 2;

  while (state.symbols.length < options.maxSymbols) {
    const best = popBestPair(state);
    if (best === null || best.count < minPairCount) break;
    const left = state.symbols[Math.floor(best.key / KEY_BASE)];
    const right = state.symbols[best.key % KEY_BASE];
    merges.push([left, right]);
    applyMerge(state, best.key, symbolId(state, left + right));
  }
  return merges;
}

interface MergeState {
  symbols: string[];
  ids: Map<string, number>;
  words: number[][];
  counts: number[];
  pairCounts: Map<number, number>;
  /** Words that contained the pair when it was counted; may hold words that no longer do. */
  pairWords: Map<number, Set<number>>;
  heap: PairHeap;
}

function createMergeState(options: BpeMergeOptions): MergeState {
  const state: MergeState = {
    symbols: [],
    ids: new Map(),
    words: [],
    counts: options.counts,
    pairCounts: new Map(),
    pairWords: new Map(),
    heap: new PairHeap(),
  };
  for (const symbol of options.alphabet) symbolId(state, symbol);
  state.words = options.words.map((word) => word.map((symbol) => symbolId(state, symbol)));
  const touched = new Set<number>();
  state.words.forEach((_, wordIndex) => addWordPairs(state, wordIndex, touched));
  for (const key of touched) state.heap.push(state.pairCounts.get(key) ?? 0, key);
  return state;
}

function symbolId(state: MergeState, symbol: string): number {
  const known = state.ids.get(symbol);
  if (known !== undefined) return known;
  const id = state.symbols.length;
  if (id >= KEY_BASE) throw new Error(`BPE symbol table is full at ${KEY_BASE} symbols`);
  state.symbols.push(symbol);
  state.ids.set(symbol, id);
  return id;
}

function addWordPairs(state: MergeState, wordIndex: number, touched: Set<number>): void {
  const word = state.words[wordIndex];
  const count = state.counts[wordIndex];
  for (let i = 0; i + 1 < word.length; i++) {
    const key = word[i] * KEY_BASE + word[i + 1];
    state.pairCounts.set(key, (state.pairCounts.get(key) ?? 0) + count);
    let holders = state.pairWords.get(key);
    if (!holders) {
      holders = new Set();
      state.pairWords.set(key, holders);
    }
    holders.add(wordIndex);
    touched.add(key);
  }
}

function removeWordPairs(state: MergeState, wordIndex: number, touched: Set<number>): void {
  const word = state.words[wordIndex];
  const count = state.counts[wordIndex];
  for (let i = 0; i + 1 < word.length; i++) {
    const key = word[i] * KEY_BASE + word[i + 1];
    state.pairCounts.set(key, (state.pairCounts.get(key) ?? 0) - count);
    touched.add(key);
  }
}

function applyMerge(state: MergeState, key: number, mergedId: number): void {
  const left = Math.floor(key / KEY_BASE);
  const right = key % KEY_BASE;
  const touched = new Set<number>();
  for (const wordIndex of state.pairWords.get(key) ?? []) {
    const word = state.words[wordIndex];
    if (!containsPair(word, left, right)) continue;
    removeWordPairs(state, wordIndex, touched);
    state.words[wordIndex] = mergePair(word, left, right, mergedId);
    addWordPairs(state, wordIndex, touched);
  }
  state.pairWords.delete(key);
  state.pairCounts.delete(key);
  touched.delete(key);
  for (const touchedKey of touched) {
    const count = state.pairCounts.get(touchedKey) ?? 0;
    if (count > 0) state.heap.push(count, touchedKey);
  }
}

function containsPair(word: number[], left: number, right: number): boolean {
  for (let i = 0; i + 1 < word.length; i++) {
    if (word[i] === left && word[i + 1] === right) return true;
  }
  return false;
}

/** Replaces each non-overlapping occurrence of (left, right), scanning left to right. */
export function mergePair(word: number[], left: number, right: number, mergedId: number): number[] {
  const merged: number[] = [];
  let i = 0;
  while (i < word.length) {
    if (i + 1 < word.length && word[i] === left && word[i + 1] === right) {
      merged.push(mergedId);
      i += 2;
    } else {
      merged.push(word[i]);
      i += 1;
    }
  }
  return merged;
}

/** Pops heap entries until one matches the pair's current count (older entries are stale). */
function popBestPair(state: MergeState): { key: number; count: number } | null {
  for (;;) {
    const top = state.heap.pop();
    if (top === null) return null;
    if (state.pairCounts.get(top.key) === top.count) return top;
  }
}

/** Max-heap on count; equal counts put the smaller key (earlier symbols) first. */
class PairHeap {
  private readonly counts: number[] = [];
  private readonly keys: number[] = [];

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): { key: number; count: number } | null {
    if (this.counts.length === 0) return null;
    const top = { key: this.keys[0], count: this.counts[0] };
    const lastCount = this.counts.pop() as number;
    const lastKey = this.keys.pop() as number;
    if (this.counts.length > 0) {
      this.counts[0] = lastCount;
      this.keys[0] = lastKey;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(start: number): void {
    let i = start;
    for (;;) {
      const leftChild = 2 * i + 1;
      const rightChild = leftChild + 1;
      let best = i;
      if (leftChild < this.counts.length && this.before(leftChild, best)) best = leftChild;
      if (rightChild < this.counts.length && this.before(rightChild, best)) best = rightChild;
      if (best === i) return;
      this.swap(i, best);
      i = best;
    }
  }

  private before(i: number, j: number): boolean {
    if (this.counts[i] !== this.counts[j]) return this.counts[i] > this.counts[j];
    return this.keys[i] < this.keys[j];
  }

  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j], this.counts[i]];
    [this.keys[i], this.keys[j]] = [this.keys[j], this.keys[i]];
  }
}

/** The complete state of a `Random` stream, as plain JSON for checkpoints. */
export interface RandomState {
  /** The four 32-bit words of sfc32, as unsigned integers. */
  words: [number, number, number, number];
  /** The second value of the last Box-Muller pair, not yet returned by `normal`. */
  spareNormal: number | null;
}

/**
 * A seeded pseudo-random source (sfc32, seeded through splitmix32). Each consumer takes its own
 * named stream, so adding a draw to dropout does not change weight initialisation or shuffling.
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  /** Creates the stream `stream` of `seed`; equal arguments give equal sequences. */
  constructor(seed: number, stream: string) {
    let state = (Math.trunc(seed) ^ hashString(stream)) >>> 0;
    const draw = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = draw();
    this.b = draw();
    this.c = draw();
    this.d = draw();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Returns a copy of the stream's state; `restore` with it continues the same sequence. */
  state(): RandomState {
    // Some words are held as signed 32-bit values; every operation on them reads only the bits.
    return { words: [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0], spareNormal: this.spareNormal };
  }

  /** Continues from a state that `state` returned, so the next draws repeat the saved stream's. */
  restore(state: RandomState): void {
    const valid = state.words.length === 4 && state.words.every((word) => Number.isInteger(word) && word >= 0 && word < 2 ** 32);
    if (!valid) throw new Error(`invalid random state: words must be four unsigned 32-bit integers, got ${JSON.stringify(state.words)}`);
    if (state.spareNormal !== null && !Number.isFinite(state.spareNormal)) {
      throw new Error(`invalid random state: spareNormal must be a finite number or null, got ${state.spareNormal}`);
    }
    [this.a, this.b, this.c, this.d] = state.words;
    this.spareNormal = state.spareNormal;
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Integer uniform in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal draw (Box-Muller, using both values of each pair). */
  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    const u = 1 - this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const swap = items[i];
      items[i] = items[j];
      items[j] = swap;
    }
    return items;
  }
}

/** FNV-1a hash of a string, as an unsigned 32-bit integer. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

import type { PairedSignificance } from "./types";

/** Default number of paired test results a cache keeps. */
export const DEFAULT_SIGNIFICANCE_CACHE_ENTRIES = 256;

/**
 * Keeps paired bootstrap results by the runs tested and the bootstrap settings, evicting the
 * least recently used. The key contains no translations, which is sound because only completed runs are
 * tested and a completed run's test translations are not rewritten.
 */
export class SignificanceCache {
  private readonly entries = new Map<string, PairedSignificance>();

  /** `maxEntries`: results kept, at least 1. Default 256. */
  constructor(private readonly maxEntries = DEFAULT_SIGNIFICANCE_CACHE_ENTRIES) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    }
  }

  static key(systemRunIds: readonly number[], baselineRunIds: readonly number[], resamples: number, seed: number): string {
    return `${systemRunIds.join(",")}|${baselineRunIds.join(",")}|${resamples}|${seed}`;
  }

  get(key: string): PairedSignificance | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // Re-inserting moves the entry to the end of the Map's order, the most recently used place.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: PairedSignificance): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }
}

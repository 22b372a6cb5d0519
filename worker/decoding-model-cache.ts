import { moduleLogger } from "../lib/logger";
import { type DecodingModel, loadModelForDecoding } from "./engine/load-model-for-decoding";

const log = moduleLogger("decoding-model-cache");

/** Default number of models a translate worker keeps loaded. */
export const DEFAULT_CACHED_MODELS = 2;

interface CacheEntry {
  loading: Promise<DecodingModel>;
  /** Calls of `use` that hold the model now; an evicted model is disposed when the last one ends. */
  users: number;
  evicted: boolean;
}

/**
 * Loaded checkpoints by folder, evicting the least recently used. An evicted model's tensors are
 * disposed once no running `use` call has it, so a translation never sees a disposed model.
 */
export class DecodingModelCache {
  private readonly entries = new Map<string, CacheEntry>();

  /** @param capacity models kept loaded, at least 1 (default 2) */
  constructor(private readonly capacity = DEFAULT_CACHED_MODELS) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`capacity must be a positive integer, got ${capacity}`);
  }

  /** Checkpoint folders loaded or loading, least recently used first. */
  get checkpointDirs(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * Runs `work` with the model of checkpoint folder `dir`, loading it first unless cached. A
   * failed load is not cached, so the next call tries again.
   */
  async use<T>(dir: string, work: (decoding: DecodingModel) => T | Promise<T>): Promise<T> {
    const entry = this.acquire(dir);
    try {
      const decoding = await entry.loading.catch((error: unknown) => {
        if (this.entries.get(dir) === entry) this.entries.delete(dir);
        throw error;
      });
      return await work(decoding);
    } finally {
      entry.users -= 1;
      if (entry.evicted && entry.users === 0) disposeEntry(entry);
    }
  }

  /** Evicts every model. Each is disposed once no running `use` call has it. */
  clear(): void {
    for (const [dir, entry] of this.entries) this.evict(dir, entry);
  }

  private acquire(dir: string): CacheEntry {
    let entry = this.entries.get(dir);
    if (entry) {
      // Map keeps insertion order, so re-inserting marks the entry most recently used.
      this.entries.delete(dir);
    } else {
      entry = { loading: loadModelForDecoding(dir), users: 0, evicted: false };
      log.info({ checkpoint: dir }, "loading checkpoint for translation");
    }
    this.entries.set(dir, entry);
    entry.users += 1;
    for (const [oldDir, oldEntry] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      this.evict(oldDir, oldEntry);
    }
    return entry;
  }

  private evict(dir: string, entry: CacheEntry): void {
    this.entries.delete(dir);
    entry.evicted = true;
    log.info({ checkpoint: dir }, "checkpoint evicted from the model cache");
    if (entry.users === 0) disposeEntry(entry);
  }
}

function disposeEntry(entry: CacheEntry): void {
  entry.loading.then(
    (decoding) => decoding.dispose(),
    () => undefined,
  );
}

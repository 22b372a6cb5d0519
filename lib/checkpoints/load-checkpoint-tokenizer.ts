import path from "node:path";
import type { SubwordTokenizer } from "../tokenizer/subword-tokenizer";
import { readTokenizerCacheFile } from "../tokenizer/tokenizer-cache";
import { TOKENIZER_FILE } from "./checkpoint-manifest";
import { readCheckpointManifest, readCheckpointTokenizer } from "./read-checkpoint";

/** Tokenizers kept in memory per process. Beyond this many, the least recently used one is dropped. */
export const MAX_CACHED_TOKENIZERS = 16;

/** A checkpoint's tokenizer, with the maximum length that training cut sequences to. */
export interface CheckpointTokenizer {
  tokenizer: SubwordTokenizer;
  /** SHA-256 of the tokenizer's JSON, as the manifest records it. */
  hash: string;
  /** Maximum source or target length in pieces, end-of-sentence included, that training used. */
  maxLength: number;
  /** Epoch the checkpoint ends. */
  epoch: number;
  /** The file the tokenizer was read from: the checkpoint's tokenizer.json or the cache file. */
  file: string;
}

/** Loaded tokenizers by the absolute path of the file they were read from. */
const cache = new Map<string, { tokenizer: SubwordTokenizer; hash: string }>();

/**
 * Loads the tokenizer of a checkpoint folder: the folder's tokenizer.json, else the tokenizer cache
 * file that the manifest names. Either must have the SHA-256 that the manifest records. A file
 * loaded once is kept in memory and used again while the manifest records the same SHA-256.
 * Throws an Error naming the files and the problems when the manifest or both files fail.
 */
export async function loadCheckpointTokenizer(checkpointDir: string): Promise<CheckpointTokenizer> {
  const manifest = await readCheckpointManifest(checkpointDir);
  const expectedHash = manifest.tokenizer.sha256;
  const checkpointFile = path.resolve(checkpointDir, TOKENIZER_FILE);
  // NOTE: with a relative WINNOW_DATA_DIR, the worker records a cache file path relative to its
  // working folder. Resolving it here assumes that the web server runs from the same folder.
  const cacheFile = manifest.tokenizer.cacheFile === null ? null : path.resolve(manifest.tokenizer.cacheFile);
  const found = (file: string, tokenizer: SubwordTokenizer): CheckpointTokenizer => {
    remember(file, { tokenizer, hash: expectedHash });
    return { tokenizer, hash: expectedHash, maxLength: manifest.maxLength, epoch: manifest.epoch, file };
  };

  for (const file of [checkpointFile, cacheFile]) {
    const cached = file === null ? undefined : cache.get(file);
    if (file !== null && cached?.hash === expectedHash) return found(file, cached.tokenizer);
  }

  try {
    return found(checkpointFile, await readCheckpointTokenizer(checkpointDir, manifest));
  } catch (checkpointError) {
    if (cacheFile === null) throw checkpointError;
    try {
      return found(cacheFile, readCacheFileWithHash(cacheFile, expectedHash));
    } catch (cacheError) {
      throw new Error(`${(checkpointError as Error).message}; ${(cacheError as Error).message}`, { cause: checkpointError });
    }
  }
}

/** Forgets every loaded tokenizer, so the next load reads the files again. */
export function clearCheckpointTokenizerCache(): void {
  cache.clear();
}

function readCacheFileWithHash(file: string, expectedHash: string): SubwordTokenizer {
  const { tokenizer, hash } = readTokenizerCacheFile(file);
  if (hash !== expectedHash) {
    throw new Error(`tokenizer cache file ${file} contains the tokenizer with SHA-256 ${hash}, expected ${expectedHash}`);
  }
  return tokenizer;
}

/** Stores a tokenizer as the most recently used, dropping the least recently used beyond the limit. */
function remember(file: string, entry: { tokenizer: SubwordTokenizer; hash: string }): void {
  cache.delete(file);
  cache.set(file, entry);
  for (const oldest of cache.keys()) {
    if (cache.size <= MAX_CACHED_TOKENIZERS) break;
    cache.delete(oldest);
  }
}

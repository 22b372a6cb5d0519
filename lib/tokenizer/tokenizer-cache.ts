import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { moduleLogger } from "../logger";
import { SubwordTokenizer, type SubwordTokenizerJson } from "./subword-tokenizer";

const log = moduleLogger("tokenizer-cache");

/**
 * Version of BPE training and pre-tokenization. Part of every cache key: bump it whenever
 * `SubwordTokenizer.train` or `pretokenize` changes its output, so old cache files stop matching.
 */
export const TOKENIZER_ALGORITHM_VERSION = 1;

/** Inputs that determine a cached tokenizer; equal keys give equal tokenizers. */
export interface TokenizerCacheKey {
  /** Dataset.hash: SHA-256 over every pair of the dataset. */
  datasetHash: string;
  vocabSize: number;
  /** The strategy's `transformId`, or "none" when its pairs are not rewritten. */
  transform: string;
}

/** Origin of the tokenizer that `loadOrTrainTokenizer` returns. */
export type TokenizerSource =
  | { status: "hit"; file: string }
  | { status: "miss"; file: string }
  /** The cache file existed but could not be used, for the cause in `reason`. */
  | { status: "rebuilt"; file: string; reason: string }
  /** No cache was requested. */
  | { status: "uncached" };

export interface CachedTokenizer {
  tokenizer: SubwordTokenizer;
  /** SHA-256 of the tokenizer's JSON, as `tokenizerHash` returns it. */
  hash: string;
  source: TokenizerSource;
}

const cacheFileSchema = z.object({
  format: z.literal("winnow-tokenizer"),
  algorithm: z.number().int(),
  key: z.object({ datasetHash: z.string(), vocabSize: z.number().int(), transform: z.string() }),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  tokenizer: z.object({
    version: z.literal(1),
    alphabet: z.array(z.string()),
    merges: z.array(z.tuple([z.string(), z.string()])),
  }),
});

/** SHA-256 of a tokenizer's JSON, so a checkpoint can name the exact tokenizer it was trained with. */
export function tokenizerHash(tokenizer: SubwordTokenizer | SubwordTokenizerJson): string {
  const json = tokenizer instanceof SubwordTokenizer ? tokenizer.toJson() : tokenizer;
  return createHash("sha256").update(JSON.stringify(json)).digest("hex");
}

/** Returns the cache file of a key. Its name hashes the whole key, so any dataset hash or transform id gives a safe name. */
export function tokenizerCacheFile(cacheDir: string, key: TokenizerCacheKey): string {
  const digest = createHash("sha256")
    .update(JSON.stringify([TOKENIZER_ALGORITHM_VERSION, key.datasetHash, key.vocabSize, key.transform]))
    .digest("hex");
  return path.join(cacheDir, `bpe-${key.vocabSize}-${digest.slice(0, 32)}.json`);
}

/**
 * Returns the tokenizer cached under `cache.key` in `cache.dir`, or trains one on `texts` and
 * caches it. File access is synchronous, so `prepareRun` stays synchronous; the file is small. The file is written to a temporary name and renamed, so concurrent workers never
 * read a partial file, and two that train the same key at once write identical files. A file
 * that is unreadable, invalid or for another key is logged as a warning and rebuilt.
 * Without `cache` the tokenizer is trained and nothing is written.
 */
export function loadOrTrainTokenizer(options: {
  texts: () => Iterable<string>;
  vocabSize: number;
  cache?: { dir: string; key: TokenizerCacheKey };
}): CachedTokenizer {
  const train = () => SubwordTokenizer.train({ texts: options.texts(), vocabSize: options.vocabSize });
  if (!options.cache) {
    const tokenizer = train();
    return { tokenizer, hash: tokenizerHash(tokenizer), source: { status: "uncached" } };
  }
  const { dir, key } = options.cache;
  if (key.vocabSize !== options.vocabSize) {
    throw new Error(`tokenizer cache key has vocabSize ${key.vocabSize}, expected ${options.vocabSize}`);
  }
  const file = tokenizerCacheFile(dir, key);

  const cached = readCacheFile(file, key);
  if (cached.tokenizer) {
    return { tokenizer: cached.tokenizer.tokenizer, hash: cached.tokenizer.hash, source: { status: "hit", file } };
  }
  if (cached.problem) log.warn({ file, reason: cached.problem }, "tokenizer cache file invalid, training the tokenizer again");

  const tokenizer = train();
  const hash = tokenizerHash(tokenizer);
  try {
    writeCacheFile(file, { format: "winnow-tokenizer", algorithm: TOKENIZER_ALGORITHM_VERSION, key, sha256: hash, tokenizer: tokenizer.toJson() });
  } catch (error) {
    // The run can train without the cache; only the next run pays for training again.
    log.warn({ file, err: error }, "tokenizer cache write failed, continuing without caching");
  }
  const source: TokenizerSource = cached.problem ? { status: "rebuilt", file, reason: cached.problem } : { status: "miss", file };
  return { tokenizer, hash, source };
}

/**
 * Reads a tokenizer cache file without checking its key or algorithm version, for a reader that
 * expects the tokenizer with a given SHA-256, as a checkpoint manifest records it.
 * Throws an Error naming the file when it cannot be read or is invalid.
 */
export function readTokenizerCacheFile(file: string): { tokenizer: SubwordTokenizer; hash: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`tokenizer cache file ${file} could not be read: ${(error as Error).message}`, { cause: error });
  }
  const parsed = parseCacheFile(text);
  if ("problem" in parsed) throw new Error(`tokenizer cache file ${file} is invalid: ${parsed.problem}`);
  return parsed.tokenizer;
}

/** Reads a cache file: a tokenizer, nothing (no file), or the problem that makes it unusable. */
function readCacheFile(
  file: string,
  key: TokenizerCacheKey,
): { tokenizer?: { tokenizer: SubwordTokenizer; hash: string }; problem?: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    // ENOTDIR: a part of the folder path is a file, so no cache file exists either.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return {};
    return { problem: `read failed: ${(error as Error).message}` };
  }

  const parsed = parseCacheFile(text);
  if ("problem" in parsed) return parsed;
  const { content } = parsed;
  if (content.algorithm !== TOKENIZER_ALGORITHM_VERSION) {
    return { problem: `algorithm version ${content.algorithm}, expected ${TOKENIZER_ALGORITHM_VERSION}` };
  }
  const sameKey = content.key.datasetHash === key.datasetHash && content.key.vocabSize === key.vocabSize && content.key.transform === key.transform;
  if (!sameKey) {
    return { problem: `file is for key ${JSON.stringify(content.key)}, expected ${JSON.stringify(key)}` };
  }
  return { tokenizer: parsed.tokenizer };
}

/** Parses a cache file's text and checks the tokenizer against its recorded SHA-256. */
function parseCacheFile(
  text: string,
): { content: z.infer<typeof cacheFileSchema>; tokenizer: { tokenizer: SubwordTokenizer; hash: string } } | { problem: string } {
  let content: z.infer<typeof cacheFileSchema>;
  try {
    content = cacheFileSchema.parse(JSON.parse(text));
  } catch (error) {
    return { problem: `invalid content: ${(error as Error).message.slice(0, 200)}` };
  }
  const hash = tokenizerHash(content.tokenizer);
  if (hash !== content.sha256) return { problem: `tokenizer SHA-256 ${hash} does not match the recorded ${content.sha256}` };
  try {
    return { content, tokenizer: { tokenizer: SubwordTokenizer.fromJson(content.tokenizer), hash } };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

function writeCacheFile(file: string, content: z.infer<typeof cacheFileSchema>): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    writeFileSync(temporary, JSON.stringify(content));
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

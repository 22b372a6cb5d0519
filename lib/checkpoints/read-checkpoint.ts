import { readFile } from "node:fs/promises";
import path from "node:path";
import { SubwordTokenizer } from "../tokenizer/subword-tokenizer";
import { tokenizerHash } from "../tokenizer/tokenizer-cache";
import {
  CHECKPOINT_FORMAT_VERSION,
  type CheckpointManifest,
  checkpointManifestSchema,
  MANIFEST_FILE,
  TOKENIZER_FILE,
} from "./checkpoint-manifest";

/**
 * Reads and validates the manifest.json of a checkpoint folder. Throws an Error naming the file
 * when it is missing, not JSON, of another format version or invalid.
 */
export async function readCheckpointManifest(dir: string): Promise<CheckpointManifest> {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new Error(`checkpoint manifest ${file} could not be read: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`checkpoint manifest ${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const version = (json as { version?: unknown } | null)?.version;
  if (version !== CHECKPOINT_FORMAT_VERSION) {
    throw new Error(`checkpoint manifest ${file} has format version ${String(version)}, expected ${CHECKPOINT_FORMAT_VERSION}`);
  }
  const parsed = checkpointManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new Error(`checkpoint manifest ${file} is invalid: ${issues}`);
  }
  return parsed.data;
}

/**
 * Reads the tokenizer.json of a checkpoint folder and checks its SHA-256 against the manifest.
 * Throws an Error naming the file when it is missing, unreadable or another tokenizer.
 */
export async function readCheckpointTokenizer(dir: string, manifest: CheckpointManifest): Promise<SubwordTokenizer> {
  const file = path.join(dir, TOKENIZER_FILE);
  let json: Parameters<typeof SubwordTokenizer.fromJson>[0];
  try {
    json = JSON.parse(await readFile(file, "utf8")) as typeof json;
  } catch (error) {
    throw new Error(`checkpoint tokenizer ${file} could not be read: ${(error as Error).message}`, { cause: error });
  }
  const hash = tokenizerHash(json);
  if (hash !== manifest.tokenizer.sha256) {
    throw new Error(`checkpoint tokenizer ${file} has SHA-256 ${hash}, expected ${manifest.tokenizer.sha256}`);
  }
  return SubwordTokenizer.fromJson(json);
}

import { loadCheckpointTokenizer } from "../checkpoints/load-checkpoint-tokenizer";
import { moduleLogger } from "../logger";
import { encodeTruncated } from "../tokenizer/encode-truncated";
import { EOS_ID, type SubwordTokenizer } from "../tokenizer/subword-tokenizer";

const log = moduleLogger("target-pieces");

/** Checkpoint folders whose failure is already logged, so a reloaded page does not log it again. */
const loggedFailures = new Set<string>();
const MAX_LOGGED_FAILURES = 1000;

/** The subword pieces a run trained on for one target, or why they are unknown. */
export type TargetPieces =
  /** One piece per target token as training saw it, end-of-sentence ("</s>") last. */
  | { status: "loaded"; pieces: string[]; checkpointEpoch: number }
  /** No tokenizer could be loaded. The `reason` completes a sentence after "because". */
  | { status: "unavailable"; reason: string };

/**
 * Splits a target into the pieces training used: the first `maxLength - 1` pieces of the
 * tokenizer, then end-of-sentence, one per token weight a token-level strategy stores.
 */
export function targetPieces(tokenizer: SubwordTokenizer, target: string, maxLength: number): string[] {
  return [...encodeTruncated(tokenizer, target, maxLength), EOS_ID].map((id) => tokenizer.pieces[id]);
}

/**
 * Loads the tokenizer of the run's newest checkpoint and splits `target` with it. A run without a
 * checkpoint, or whose checkpoint and tokenizer cache file cannot be read, gives the reason instead.
 */
export async function loadTargetPieces(options: {
  runId: number;
  checkpoint: { epoch: number; path: string } | null;
  target: string;
}): Promise<TargetPieces> {
  const { runId, checkpoint, target } = options;
  if (checkpoint === null) return { status: "unavailable", reason: "the run has no checkpoint yet" };

  try {
    const loaded = await loadCheckpointTokenizer(checkpoint.path);
    return { status: "loaded", pieces: targetPieces(loaded.tokenizer, target, loaded.maxLength), checkpointEpoch: loaded.epoch };
  } catch (error) {
    logFailureOnce(runId, checkpoint.path, error);
    return { status: "unavailable", reason: `the tokenizer of the epoch ${checkpoint.epoch} checkpoint could not be loaded: ${(error as Error).message}` };
  }
}

function logFailureOnce(runId: number, checkpointPath: string, error: unknown): void {
  if (loggedFailures.has(checkpointPath)) return;
  if (loggedFailures.size >= MAX_LOGGED_FAILURES) loggedFailures.clear();
  loggedFailures.add(checkpointPath);
  log.warn({ runId, checkpoint: checkpointPath, err: error }, "checkpoint tokenizer could not be loaded, labelling token weights by word or position");
}

import { WinnowError } from "../lib/errors";
import { requireRunCheckpoint } from "../lib/queries/run-checkpoint";
import { DEFAULT_TRANSLATE_BEAM_SIZE } from "../lib/translate-request";
import { type BackendInfo, selectBackend } from "./engine/backend";
import type { EncodedPair } from "./engine/batches";
import { MAX_BEAM_SIZE } from "./engine/beam-search";
import type { DecodingModel } from "./engine/load-model-for-decoding";
import { EOS_ID } from "../lib/tokenizer/subword-tokenizer";
import { translate } from "./engine/translate";
import { DecodingModelCache } from "./decoding-model-cache";

/** Sentences per decoding batch. */
const TRANSLATE_BATCH_SIZE = 64;

export interface TranslateSentencesOptions {
  /** Run whose newest checkpoint translates (from the Checkpoint table); give this or `checkpointDir`. */
  runId?: number;
  /** Checkpoint folder to translate with, without the database; give this or `runId`. */
  checkpointDir?: string;
  /** Source sentences. A blank one translates to "" without being decoded. */
  sentences: readonly string[];
  /** Hypotheses per sentence, 1 to 64 (default 5); 1 is greedy search. */
  beamSize?: number;
  /** Loaded models kept between calls. Without it the model is loaded for this call and disposed after. */
  models?: DecodingModelCache;
}

export interface SentenceTranslations {
  /** The run whose checkpoint translated; null when the caller gave `checkpointDir`. */
  runId: number | null;
  checkpointDir: string;
  /** Epochs the checkpoint's model was trained for. */
  epoch: number;
  beamSize: number;
  /** One translation per input sentence, in input order. */
  translations: string[];
}

/**
 * Translates sentences with a run's newest checkpoint, or with a checkpoint folder, by beam
 * search (greedy search for beam size 1). Sources are rewritten by the run's strategy (the
 * tagged strategy puts `<clean>` first) and cut to the model's maximum length, as validation
 * and test sources were in training. Throws a WinnowError: not_found for an unknown run,
 * conflict for a run without a checkpoint (still training, failed or cancelled), unavailable
 * when the checkpoint cannot be loaded.
 */
export async function translateSentences(options: TranslateSentencesOptions): Promise<SentenceTranslations> {
  const beamSize = options.beamSize ?? DEFAULT_TRANSLATE_BEAM_SIZE;
  validateOptions(options, beamSize);
  const checkpoint =
    options.runId !== undefined ? await findRunCheckpoint(options.runId) : { runId: null, path: options.checkpointDir as string };
  await activateBackend();

  const work = (decoding: DecodingModel) => ({
    epoch: decoding.epoch,
    translations: decodeSentences(decoding, options.sentences, beamSize),
  });
  try {
    const result = options.models ? await options.models.use(checkpoint.path, work) : await useOnce(checkpoint.path, work);
    return { runId: checkpoint.runId, checkpointDir: checkpoint.path, beamSize, ...result };
  } catch (error) {
    if (error instanceof WinnowError) throw error;
    const owner = checkpoint.runId === null ? "" : `run ${checkpoint.runId}: `;
    throw new WinnowError("unavailable", `${owner}translation with checkpoint ${checkpoint.path} failed: ${(error as Error).message}`, { cause: error });
  }
}

function validateOptions(options: TranslateSentencesOptions, beamSize: number): void {
  if ((options.runId === undefined) === (options.checkpointDir === undefined)) {
    throw new WinnowError("invalid_input", "give exactly one of runId and checkpointDir");
  }
  if (options.sentences.length === 0) throw new WinnowError("invalid_input", "sentences must contain at least one sentence, got 0");
  if (!Number.isInteger(beamSize) || beamSize < 1 || beamSize > MAX_BEAM_SIZE) {
    throw new WinnowError("invalid_input", `beamSize must be an integer from 1 to ${MAX_BEAM_SIZE}, got ${beamSize}`);
  }
}

/** Looks up the run's newest checkpoint; a failing database becomes an unavailable error naming the run. */
async function findRunCheckpoint(runId: number): Promise<{ runId: number; path: string }> {
  try {
    return await requireRunCheckpoint(runId);
  } catch (error) {
    if (error instanceof WinnowError) throw error;
    // Prisma's message starts with the failed call and source lines; the cause is on the last line.
    const reason = (error as Error).message.trim().split("\n").at(-1);
    throw new WinnowError("unavailable", `run ${runId}: reading its checkpoint from the database failed: ${reason}`, { cause: error });
  }
}

let backend: Promise<BackendInfo> | undefined;

/** Selects the tfjs backend once per process; a failure is not kept, so the next call tries again. */
function activateBackend(): Promise<BackendInfo> {
  backend ??= selectBackend().catch((error: unknown) => {
    backend = undefined;
    throw error;
  });
  return backend;
}

async function useOnce<T>(dir: string, work: (decoding: DecodingModel) => T): Promise<T> {
  const models = new DecodingModelCache(1);
  try {
    return await models.use(dir, work);
  } finally {
    models.clear();
  }
}

function decodeSentences(decoding: DecodingModel, sentences: readonly string[], beamSize: number): string[] {
  const { tokenizer, maxLength } = decoding;
  const sources: EncodedPair[] = sentences.flatMap((text, index) =>
    text.trim() === "" ? [] : [{ index, srcIds: [...tokenizer.encode(decoding.decodeSource(text)).slice(0, maxLength - 1), EOS_ID], tgtIds: [] }],
  );
  const hypotheses = translate({
    model: decoding.model,
    tokenizer,
    sources,
    batchSize: TRANSLATE_BATCH_SIZE,
    maxLength,
    beamSize,
  });
  return sentences.map((_, index) => hypotheses.get(index) ?? "");
}

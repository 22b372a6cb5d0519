import { z } from "zod";
import { ERROR_CODES, type ErrorCode } from "./errors";

/** Most sentences one request to the translate API may contain. */
export const MAX_TRANSLATE_SENTENCES = 20;
/** Maximum length of a sentence the translate API accepts, in characters. */
export const MAX_TRANSLATE_SENTENCE_CHARS = 500;
/** Hypotheses per sentence unless the request sets `beamSize`; the final test score uses the same. */
export const DEFAULT_TRANSLATE_BEAM_SIZE = 5;
/** Widest beam the translate API accepts, so one request cannot hold the worker for long. */
export const MAX_TRANSLATE_BEAM_SIZE = 10;

/** Body of POST /api/runs/[id]/translate. The worker checks the job payload with the same rules. */
export const translateRequestSchema = z
  .object({
    sentences: z
      .array(
        z
          .string()
          .min(1, "a sentence must not be empty")
          .max(MAX_TRANSLATE_SENTENCE_CHARS, `a sentence must have at most ${MAX_TRANSLATE_SENTENCE_CHARS} characters`),
      )
      .min(1, "sentences must contain at least one sentence")
      .max(MAX_TRANSLATE_SENTENCES, `sentences must contain at most ${MAX_TRANSLATE_SENTENCES} sentences`),
    beamSize: z.number().int().min(1).max(MAX_TRANSLATE_BEAM_SIZE).default(DEFAULT_TRANSLATE_BEAM_SIZE),
  })
  .strict();

export type TranslateRequestInput = z.input<typeof translateRequestSchema>;
export type TranslateRequest = z.output<typeof translateRequestSchema>;

/** Payload of a job on the translate queue. */
export const translateJobSchema = translateRequestSchema
  .extend({
    runId: z.number().int().positive(),
    /** Milliseconds since the epoch after which the API has stopped waiting, so the worker skips the job. */
    expiresAt: z.number().int().positive(),
  })
  .strict();

export type TranslateJob = z.infer<typeof translateJobSchema>;

/** Translations of one request, in the order of its sentences. */
export const translationsSchema = z.object({
  runId: z.number().int().positive(),
  /** Epoch of the checkpoint that translated. */
  epoch: z.number().int().positive(),
  beamSize: z.number().int().positive(),
  translations: z.array(z.string()),
});

export type Translations = z.infer<typeof translationsSchema>;

const errorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

/**
 * Return value of a translate job. Expected failures (unknown run, no checkpoint) come back as
 * `ok: false` with the error's code, so the API can respond with the right status.
 */
export const translateJobResultSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), result: translationsSchema }),
  z.object({ ok: z.literal(false), error: z.object({ code: errorCodeSchema, message: z.string() }) }),
]);

export type TranslateJobResult = z.infer<typeof translateJobResultSchema>;

import type { SandboxedJob } from "bullmq";
import { toWinnowError } from "../lib/errors";
import { moduleLogger } from "../lib/logger";
import { describeIssues } from "../lib/run-config";
import { translateJobSchema, type TranslateJobResult } from "../lib/translate-request";
import { DecodingModelCache } from "./decoding-model-cache";
import { translateSentences } from "./translate-run";

const log = moduleLogger("translate-processor");

/**
 * Models of this child process. BullMQ 6 returns a sandboxed child to its pool after each job
 * and gives it the next one, so the cache lasts across requests until the child exits.
 */
const models = new DecodingModelCache();

/**
 * Translates the sentences of one translate job with the run's newest checkpoint. Expected
 * failures return `ok: false` with the error's code and message instead of failing the job, so
 * the API can respond with the matching status.
 */
export default async function processTranslation(job: SandboxedJob): Promise<TranslateJobResult> {
  const parsed = translateJobSchema.safeParse(job.data);
  if (!parsed.success) {
    log.error({ jobId: job.id, issues: parsed.error.issues }, "translate job rejected: invalid payload");
    return { ok: false, error: { code: "invalid_input", message: `translate job ${job.id}: invalid payload: ${describeIssues(parsed.error)}` } };
  }
  const { runId, sentences, beamSize, expiresAt } = parsed.data;
  if (Date.now() > expiresAt) {
    log.warn({ runId, jobId: job.id }, "translate job skipped: expired, the API stopped waiting");
    return { ok: false, error: { code: "unavailable", message: `translation for run ${runId} expired before a worker took it` } };
  }

  const startedAt = performance.now();
  try {
    const result = await translateSentences({ runId, sentences, beamSize, models });
    const ms = Math.round(performance.now() - startedAt);
    log.info({ runId, jobId: job.id, epoch: result.epoch, sentences: sentences.length, beamSize, ms }, "sentences translated");
    return { ok: true, result: { runId, epoch: result.epoch, beamSize, translations: result.translations } };
  } catch (thrown) {
    const error = toWinnowError(thrown);
    if (error.httpStatus >= 500) log.error({ runId, jobId: job.id, err: thrown }, "translation failed");
    else log.info({ runId, jobId: job.id, code: error.code, message: error.message }, "translation rejected");
    return { ok: false, error: { code: error.code, message: error.message } };
  }
}

import { requireRunCheckpoint } from "../../../../../lib/queries/run-checkpoint";
import { requestTranslation } from "../../../../../lib/queue";
import { translateRequestSchema } from "../../../../../lib/translate-request";
import { handleMutation, readJsonBody, RequestValidationError, requireRunId, toFieldIssues } from "../../../_lib/http";

export const dynamic = "force-dynamic";

/**
 * Translates 1 to 20 sentences with the run's newest checkpoint. The app never loads a model,
 * so the request goes to a worker through the translate queue, and this handler waits for the
 * result. Responds 404 for an unknown run, 409 for a run without a checkpoint, and 503 when no
 * worker returns a result within WINNOW_TRANSLATE_TIMEOUT_MS.
 */
export async function POST(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleMutation(request, async () => {
    const runId = requireRunId((await context.params).id);
    const parsed = translateRequestSchema.safeParse(await readJsonBody(request), { reportInput: true });
    if (!parsed.success) throw new RequestValidationError("invalid translate request", toFieldIssues(parsed.error));

    // Checked here as well as in the worker, so these errors return at once, even with no worker running.
    await requireRunCheckpoint(runId);
    const translations = await requestTranslation(runId, parsed.data);
    return Response.json(translations);
  });
}

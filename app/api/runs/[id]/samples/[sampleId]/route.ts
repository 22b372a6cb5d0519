import { getRunSample } from "../../../../../../lib/queries/get-run-sample";
import { parseRunId } from "../../../../../../lib/queries/run-id";
import { MAX_ROW_ID } from "../../../../../../lib/run-config";
import { handleErrors, RequestValidationError, requireRunId } from "../../../../_lib/http";

export const dynamic = "force-dynamic";

/**
 * Returns one training pair of the run with its loss, weight, token weights and output per epoch,
 * and the target's subword pieces when it has token weights.
 */
export async function GET(_request: Request, context: { params: Promise<{ id: string; sampleId: string }> }): Promise<Response> {
  return handleErrors(async () => {
    const params = await context.params;
    const runId = requireRunId(params.id);
    // Sample ids are SERIAL like run ids, so the same parser applies.
    const sampleId = parseRunId(params.sampleId);
    if (sampleId === null) {
      throw new RequestValidationError("invalid sample id", [
        { path: "sampleId", message: `sample id must be an integer from 1 to ${MAX_ROW_ID}, got ${JSON.stringify(params.sampleId)}` },
      ]);
    }
    return Response.json(await getRunSample(runId, sampleId));
  });
}

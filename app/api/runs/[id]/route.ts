import { WinnowError } from "../../../../lib/errors";
import { getRunDetail } from "../../../../lib/queries/get-run-detail";
import { handleErrors, requireRunId } from "../../_lib/http";

export const dynamic = "force-dynamic";

/** Returns one run with its per-epoch metrics. */
export async function GET(_request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleErrors(async () => {
    const runId = requireRunId((await context.params).id);
    const run = await getRunDetail(runId);
    if (!run) throw new WinnowError("not_found", `run ${runId} not found`);
    return Response.json({ run });
  });
}

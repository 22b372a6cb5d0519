import { requestCancel } from "../../../../../lib/runs";
import { handleMutation, requireRunId } from "../../../_lib/http";

export const dynamic = "force-dynamic";

/** Cancels a queued run or a run no worker holds at once, or flags a running one, whose worker stops at its next step. */
export async function POST(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleMutation(request, async () => {
    const runId = requireRunId((await context.params).id);
    const { status } = await requestCancel(runId);
    return Response.json({ run: { id: runId, status } });
  });
}

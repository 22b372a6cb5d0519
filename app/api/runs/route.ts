import { listRuns } from "../../../lib/queries/list-runs";
import { createRun } from "../../../lib/runs";
import { handleErrors, handleMutation, readJsonBody } from "../_lib/http";
import { validateRunRequest } from "../_lib/run-request";

export const dynamic = "force-dynamic";

/** Lists runs, newest first. */
export async function GET(): Promise<Response> {
  return handleErrors(async () => Response.json({ runs: await listRuns() }));
}

/** Validates a run request, stores the run and queues its training job. */
export async function POST(request: Request): Promise<Response> {
  return handleMutation(request, async () => {
    const body = await readJsonBody(request);
    validateRunRequest(body);
    const run = await createRun(body);
    return Response.json({ run: { id: run.id, config: run.config } }, { status: 201 });
  });
}

import { WinnowError } from "../../../../../lib/errors";
import { listRunSamples } from "../../../../../lib/queries/list-run-samples";
import { runSampleQuerySchema } from "../../../../../lib/queries/run-sample-query";
import { handleErrors, requireRunId, RequestValidationError, toFieldIssues } from "../../../_lib/http";

export const dynamic = "force-dynamic";

/** Reads the query; the strict schema names any parameter it does not define. */
function parseSampleQuery(url: URL) {
  const parsed = runSampleQuerySchema.safeParse(Object.fromEntries(url.searchParams), { reportInput: true });
  if (!parsed.success) throw new RequestValidationError("invalid samples query", toFieldIssues(parsed.error));
  return parsed.data;
}

/**
 * Returns one page of the training pairs of the run's dataset, filtered and sorted as the query
 * asks (see lib/queries/run-sample-query.ts), each with its trace over the epochs.
 */
export async function GET(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleErrors(async () => {
    const runId = requireRunId((await context.params).id);
    const query = parseSampleQuery(new URL(request.url));
    const page = await listRunSamples(runId, query);
    if (!page) throw new WinnowError("not_found", `run ${runId} not found`);
    return Response.json(page);
  });
}

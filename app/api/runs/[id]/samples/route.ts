import { z } from "zod";
import { WinnowError } from "../../../../../lib/errors";
import {
  listNoisySamples,
  NOISY_SAMPLES_MAX_PAGE_SIZE,
  NOISY_SAMPLES_PAGE_SIZE,
} from "../../../../../lib/queries/list-noisy-samples";
import { handleErrors, requireRunId, RequestValidationError, toFieldIssues } from "../../../_lib/http";

export const dynamic = "force-dynamic";

const pageQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(NOISY_SAMPLES_MAX_PAGE_SIZE).default(NOISY_SAMPLES_PAGE_SIZE),
});

function parsePageQuery(url: URL) {
  const query = {
    page: url.searchParams.get("page") ?? undefined,
    pageSize: url.searchParams.get("pageSize") ?? undefined,
  };
  const parsed = pageQuerySchema.safeParse(query, { reportInput: true });
  if (!parsed.success) throw new RequestValidationError("invalid page query", toFieldIssues(parsed.error));
  return parsed.data;
}

/** Returns one page of the noisy training pairs of the run's dataset, with their latest weight and loss. */
export async function GET(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleErrors(async () => {
    const runId = requireRunId((await context.params).id);
    const pageQuery = parsePageQuery(new URL(request.url));
    const page = await listNoisySamples(runId, pageQuery);
    if (!page) throw new WinnowError("not_found", `run ${runId} not found`);
    return Response.json(page);
  });
}

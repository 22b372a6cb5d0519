import { z } from "zod";
import { WinnowError } from "../../../../../lib/errors";
import {
  listNoisySamples,
  NOISY_SAMPLES_MAX_PAGE_SIZE,
  NOISY_SAMPLES_PAGE_SIZE,
} from "../../../../../lib/queries/list-noisy-samples";
import { handleErrors, requireRunId, RequestValidationError, toFieldIssues } from "../../../_lib/http";

export const dynamic = "force-dynamic";

/** Largest page number accepted, so the row offset stays a safe integer. */
const MAX_PAGE = 2 ** 31 - 1;

const DECIMAL_DIGITS = /^[0-9]{1,10}$/;

/**
 * Returns the schema of a query parameter that must be an integer in plain decimal digits, from
 * `min` to `max`. Number() would also read "", " ", "0x10", "1e3" and "1.5", so they are checked first.
 */
function decimalIntegerParam(min: number, max: number) {
  return z
    .string()
    .refine((text) => DECIMAL_DIGITS.test(text) && Number(text) >= min && Number(text) <= max, {
      error: `must be an integer from ${min} to ${max} in decimal digits`,
    })
    .transform(Number);
}

const pageQuerySchema = z.object({
  page: decimalIntegerParam(1, MAX_PAGE).default(1),
  pageSize: decimalIntegerParam(1, NOISY_SAMPLES_MAX_PAGE_SIZE).default(NOISY_SAMPLES_PAGE_SIZE),
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

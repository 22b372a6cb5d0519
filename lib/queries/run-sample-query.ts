import { z } from "zod";
import { MAX_EPOCHS } from "../run-config";

/** Default and maximum rows per page of a run's samples tab and of GET /api/runs/[id]/samples. */
export const RUN_SAMPLES_PAGE_SIZE = 25;
export const RUN_SAMPLES_MAX_PAGE_SIZE = 200;

/** Largest page number accepted, so the row offset stays a safe integer. */
const MAX_PAGE = 2 ** 31 - 1;

const DECIMAL_DIGITS = /^[0-9]{1,10}$/;
const DECIMAL_NUMBER = /^(?:[0-9]{1,10}(?:\.[0-9]{0,12})?|\.[0-9]{1,12})$/;

/** Which training pairs the tab lists by their noisy flag. */
export const NOISE_FILTERS = ["all", "noisy", "clean"] as const;
export type NoiseFilter = (typeof NOISE_FILTERS)[number];

/**
 * Which pairs the tab lists by what the strategy did with them: all; those whose latest weight is
 * below 1, the weight uniform training gives every pair; or those dropped in `droppedEpoch`.
 */
export const SAMPLE_VIEWS = ["all", "down-weighted", "dropped"] as const;
export type SampleView = (typeof SAMPLE_VIEWS)[number];

/**
 * Orders of the list. `loss` and `weight` are the pair's latest traced values; `weight-change` is
 * the latest weight minus the weight of the pair's first traced epoch. Ties keep dataset order.
 */
export const SAMPLE_SORTS = ["index", "loss", "weight", "weight-change"] as const;
export type SampleSort = (typeof SAMPLE_SORTS)[number];

export const SORT_ORDERS = ["asc", "desc"] as const;

/**
 * Returns the schema of a query parameter that must be an integer in plain decimal digits, from
 * `min` to `max`. Number() would also read "", " ", "0x10", "1e3" and "1.5", so they are checked first.
 */
export function decimalIntegerParam(min: number, max: number) {
  return z
    .string()
    .refine((text) => DECIMAL_DIGITS.test(text) && Number(text) >= min && Number(text) <= max, {
      error: `must be an integer from ${min} to ${max} in decimal digits`,
    })
    .transform(Number);
}

/** Returns the schema of a query parameter that must be a non-negative decimal number such as 0.25. */
function decimalWeightParam() {
  return z
    .string()
    .refine((text) => DECIMAL_NUMBER.test(text), { error: "must be a non-negative decimal number such as 0.25" })
    .transform(Number);
}

/** Query parameters of a run's samples list, shared by the samples tab and the samples API. */
export const runSampleQuerySchema = z
  .object({
    noise: z.enum(NOISE_FILTERS).default("all"),
    view: z.enum(SAMPLE_VIEWS).default("all"),
    /** Epoch whose dropped pairs `view=dropped` lists; required with it. */
    droppedEpoch: decimalIntegerParam(1, MAX_EPOCHS).optional(),
    /** Inclusive bounds on the latest weight; pairs not traced yet have none and are left out. */
    minWeight: decimalWeightParam().optional(),
    maxWeight: decimalWeightParam().optional(),
    sort: z.enum(SAMPLE_SORTS).default("index"),
    order: z.enum(SORT_ORDERS).default("asc"),
    page: decimalIntegerParam(1, MAX_PAGE).default(1),
    pageSize: decimalIntegerParam(1, RUN_SAMPLES_MAX_PAGE_SIZE).default(RUN_SAMPLES_PAGE_SIZE),
  })
  .strict()
  .superRefine((query, context) => {
    if (query.view === "dropped" && query.droppedEpoch === undefined) {
      context.addIssue({ code: "custom", path: ["droppedEpoch"], message: "is required when view is dropped" });
    }
    if (query.minWeight !== undefined && query.maxWeight !== undefined && query.minWeight > query.maxWeight) {
      context.addIssue({
        code: "custom",
        path: ["maxWeight"],
        message: `must be at least minWeight (${query.minWeight}), got ${query.maxWeight}`,
      });
    }
  });

export type RunSampleQueryInput = z.input<typeof runSampleQuerySchema>;
export type RunSampleQuery = z.output<typeof runSampleQuerySchema>;

/** The query with every default filled in, as the tab starts. */
export const DEFAULT_RUN_SAMPLE_QUERY: RunSampleQuery = runSampleQuerySchema.parse({});

/**
 * Collects the samples query parameters of a URL or of a Next.js `searchParams` object. A repeated
 * parameter keeps its first value, and parameters of other features (such as `tab`) are left out.
 */
export function sampleQueryParams(
  params: URLSearchParams | Record<string, string | string[] | undefined>,
): Record<string, string> {
  const read = (name: string): string | undefined => {
    if (params instanceof URLSearchParams) return params.get(name) ?? undefined;
    const value = params[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const names = Object.keys(runSampleQuerySchema.shape);
  return Object.fromEntries(names.flatMap((name) => {
    const value = read(name);
    return value === undefined ? [] : [[name, value]];
  }));
}

/**
 * Formats a query as URL parameters, leaving out the values that equal the defaults, so links stay
 * short and the first page has a plain URL.
 */
export function formatSampleQuery(query: RunSampleQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query) as [keyof RunSampleQuery, unknown][]) {
    if (value === undefined || value === DEFAULT_RUN_SAMPLE_QUERY[name]) continue;
    params.set(name, String(value));
  }
  return params;
}

/** Builds the samples tab URL of a run for the given samples query parameters. */
export function samplesTabHref(runId: number, params: URLSearchParams): string {
  const search = new URLSearchParams({ tab: "samples" });
  for (const [name, value] of params) search.set(name, value);
  return `/runs/${runId}?${search.toString()}`;
}

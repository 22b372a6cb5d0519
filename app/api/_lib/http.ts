import { z } from "zod";
import { toWinnowError, WinnowError } from "../../../lib/errors";
import { moduleLogger } from "../../../lib/logger";
import { parseRunId } from "../../../lib/queries/run-id";

const log = moduleLogger("api");

/** One invalid field of a request: its dotted path ("epochs", "strategyParams.lambda") and the problem. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** The body of every error response. */
export interface ErrorBody {
  error: { code: WinnowError["code"]; message: string; issues: FieldIssue[] };
}

/**
 * A WinnowError with the field issues behind it, so the form can show each one beside its input.
 */
export class RequestValidationError extends WinnowError {
  readonly issues: FieldIssue[];

  constructor(summary: string, issues: FieldIssue[]) {
    const detail = issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
    super("invalid_input", `${summary}: ${detail}`);
    this.issues = issues;
  }
}

/** Strings longer than this are described by their length, so an error does not echo a whole text back. */
const MAX_ECHOED_STRING_CHARS = 60;

function describeReceived(input: unknown): string {
  if (typeof input === "string" && input.length > MAX_ECHOED_STRING_CHARS) return `, got ${input.length} characters`;
  const isPrimitive =
    input === null || typeof input === "string" || typeof input === "boolean" || (typeof input === "number" && Number.isFinite(input));
  return isPrimitive ? `, got ${JSON.stringify(input)}` : "";
}

/**
 * Formats zod issues as field issues. Where the schema was parsed with `reportInput: true`, a
 * rejected primitive value is appended ("..., got -2"); objects and arrays are left out. A
 * string over 60 characters is given by its length.
 */
export function toFieldIssues(error: z.ZodError, pathPrefix: readonly PropertyKey[] = []): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = [...pathPrefix, ...issue.path].map(String).join(".") || "(body)";
    const received = "input" in issue ? describeReceived(issue.input) : "";
    return { path, message: `${issue.message}${received}` };
  });
}

// Messages from lib/ name the field first ("datasetId: dataset 9 not found"); this recovers it.
const LEADING_FIELD = /^([A-Za-z][\w.]*): /;

function issuesOf(error: WinnowError): FieldIssue[] {
  if (error instanceof RequestValidationError) return error.issues;
  const field = LEADING_FIELD.exec(error.message)?.[1];
  return field ? [{ path: field, message: error.message.slice(field.length + 2) }] : [];
}

/** Turns any thrown value into the JSON error response, logging the ones that are not the caller's fault. */
export function errorResponse(thrown: unknown): Response {
  const error = toWinnowError(thrown);
  if (error.httpStatus >= 500) {
    log.error({ err: error, cause: error.cause }, "request failed");
  }
  const body: ErrorBody = { error: { code: error.code, message: error.message, issues: issuesOf(error) } };
  return Response.json(body, { status: error.httpStatus });
}

/** Runs a route handler body and turns whatever it throws into an error response. */
export async function handleErrors(handler: () => Promise<Response>): Promise<Response> {
  try {
    return await handler();
  } catch (thrown) {
    return errorResponse(thrown);
  }
}

/** Reads the request body as JSON; an empty or malformed body is an invalid_input error. */
export async function readJsonBody(request: Request): Promise<unknown> {
  const text = await request.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new WinnowError("invalid_input", `request body: invalid JSON (${(error as Error).message})`, { cause: error });
  }
}

/** Parses the run id of a URL; the error names the value when it is not a positive integer. */
export function requireRunId(text: string): number {
  const id = parseRunId(text);
  if (id === null) {
    throw new RequestValidationError("invalid run id", [
      { path: "id", message: `run id must be a positive integer, got ${JSON.stringify(text)}` },
    ]);
  }
  return id;
}

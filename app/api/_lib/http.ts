import { z } from "zod";
import { describeDatabaseError } from "../../../lib/database-errors";
import { toWinnowError, WinnowError } from "../../../lib/errors";
import { moduleLogger } from "../../../lib/logger";
import { parseRunId } from "../../../lib/queries/run-id";
import { MAX_ROW_ID } from "../../../lib/run-config";
import { listParseProblems } from "../../../lib/zod-issues";

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

/** Most field issues one error response lists; its message counts the ones left out. */
export const MAX_REPORTED_ISSUES = 20;

/**
 * A WinnowError with the field issues behind it, so the form can show each one beside its input.
 * It keeps the first MAX_REPORTED_ISSUES issues, so a body with thousands of unknown keys gets a
 * short response.
 */
export class RequestValidationError extends WinnowError {
  readonly issues: FieldIssue[];

  constructor(summary: string, issues: FieldIssue[]) {
    const reported = issues.slice(0, MAX_REPORTED_ISSUES);
    const omitted = issues.length - reported.length;
    const detail = reported.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
    super("invalid_input", `${summary}: ${detail}${omitted > 0 ? `; and ${omitted} more` : ""}`);
    this.issues = reported;
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
 * Formats zod issues as field issues, one per unknown key at the key's path. Where the schema
 * was parsed with `reportInput: true`, a rejected primitive value is appended ("..., got -2");
 * objects and arrays are left out. A string over 60 characters is given by its length.
 */
export function toFieldIssues(error: z.ZodError, pathPrefix: readonly PropertyKey[] = []): FieldIssue[] {
  return listParseProblems(error).map((problem) => {
    const path = [...pathPrefix, ...problem.path].map(String).join(".") || "(body)";
    const received = "input" in problem ? describeReceived(problem.input) : "";
    return { path, message: `${problem.message}${received}` };
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
  const error = toWinnowError(describeDatabaseError(thrown) ?? thrown);
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

/** Methods that change state, which a page of another site must not be able to send. */
const STATE_CHANGING_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Rejects a state-changing request that a browser sent from a page of another site: its Origin
 * header names a host other than the request's Host. Browsers send Origin with every POST, so a
 * request without one comes from a client such as curl and passes.
 * NOTE: behind a reverse proxy that rewrites Host, the proxy must keep the browser's Host.
 */
export function rejectCrossSiteRequest(request: Request): void {
  const origin = request.headers.get("origin");
  if (!STATE_CHANGING_METHODS.has(request.method) || origin === null) return;
  const host = request.headers.get("host") ?? new URL(request.url).host;
  let originHost: string | null = null;
  try {
    originHost = new URL(origin).host;
  } catch {
    // "null" (a sandboxed page or a file) and other unparsable origins match no host.
  }
  if (originHost !== host) {
    throw new WinnowError("forbidden", `cross-site request rejected: Origin ${origin} does not match the host ${host}`);
  }
}

/**
 * Runs the body of a state-changing route handler like `handleErrors`, after rejecting a request
 * from a page of another site.
 */
export async function handleMutation(request: Request, handler: () => Promise<Response>): Promise<Response> {
  return handleErrors(async () => {
    rejectCrossSiteRequest(request);
    return handler();
  });
}

/** Largest request body the API reads, in bytes (64 KiB). A run config or 20 sentences of 500 characters fit. */
export const MAX_BODY_BYTES = 64 * 1024;

function bodyTooLarge(): WinnowError {
  return new WinnowError("payload_too_large", `request body is larger than the limit of ${MAX_BODY_BYTES} bytes (64 KiB)`);
}

/**
 * Rejects a body that is not declared as JSON. Only JSON is read, and the check also stops a page
 * of another site from posting a form or text/plain body, which browsers send without asking.
 */
function requireJsonContentType(request: Request): void {
  const contentType = request.headers.get("content-type");
  const mediaType = contentType?.split(";")[0].trim().toLowerCase();
  if (mediaType !== "application/json") {
    const received = contentType === null ? "no content-type" : JSON.stringify(contentType);
    throw new WinnowError("unsupported_media_type", `request body must be sent with content-type: application/json, got ${received}`);
  }
}

/** Reads the body as UTF-8 text chunk by chunk, and stops reading once it exceeds MAX_BODY_BYTES. */
async function readBodyText(request: Request): Promise<string> {
  if (Number(request.headers.get("content-length")) > MAX_BODY_BYTES) throw bodyTooLarge();
  if (!request.body) return "";

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let receivedBytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    receivedBytes += value.byteLength;
    if (receivedBytes > MAX_BODY_BYTES) {
      await reader.cancel();
      throw bodyTooLarge();
    }
    chunks.push(value);
  }

  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch (error) {
    throw new WinnowError("invalid_input", "request body: invalid UTF-8", { cause: error });
  }
}

/**
 * Reads the request body as JSON. A body without content-type: application/json is rejected
 * with 415, one over MAX_BODY_BYTES with 413, and an empty or malformed one with 400.
 */
export async function readJsonBody(request: Request): Promise<unknown> {
  requireJsonContentType(request);
  const text = await readBodyText(request);
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
      { path: "id", message: `run id must be an integer from 1 to ${MAX_ROW_ID}, got ${JSON.stringify(text)}` },
    ]);
  }
  return id;
}

import { runConfigSchema } from "../../../lib/run-config";
import { RequestValidationError, toFieldIssues } from "./http";

/** Throws a RequestValidationError naming every invalid field of a new-run request. */
export function validateRunRequest(body: unknown): void {
  const parsed = runConfigSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) throw new RequestValidationError("invalid run config", toFieldIssues(parsed.error));
}

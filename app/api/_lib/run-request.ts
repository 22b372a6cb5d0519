import { runConfigSchema } from "../../../lib/run-config";
import { strategyNameSchema, strategyParamSchemas } from "../../../lib/strategies";
import { RequestValidationError, toFieldIssues, type FieldIssue } from "./http";

// runConfigSchema reports every strategyParams problem as one issue on "strategyParams";
// parsing the params again with the strategy's own schema gives one issue per parameter.
function strategyParamIssues(body: unknown): FieldIssue[] | null {
  if (typeof body !== "object" || body === null) return null;
  const { strategy, strategyParams } = body as Record<string, unknown>;
  const name = strategyNameSchema.safeParse(strategy);
  if (!name.success) return null;
  const parsed = strategyParamSchemas[name.data].safeParse(strategyParams ?? {}, { reportInput: true });
  return parsed.success ? null : toFieldIssues(parsed.error, ["strategyParams"]);
}

/** Throws a RequestValidationError naming every invalid field of a new-run request. */
export function validateRunRequest(body: unknown): void {
  const parsed = runConfigSchema.safeParse(body, { reportInput: true });
  if (parsed.success) return;

  const issues = toFieldIssues(parsed.error).flatMap((issue) =>
    issue.path === "strategyParams" ? (strategyParamIssues(body) ?? [issue]) : [issue],
  );
  throw new RequestValidationError("invalid run config", issues);
}

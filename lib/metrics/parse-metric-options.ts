import type { z } from "zod";
import { WinnowError } from "../errors";

/**
 * Validates metric options against `schema` and fills its defaults. Throws an `invalid_input`
 * WinnowError that names each invalid option and the value it was given.
 */
export function parseMetricOptions<Schema extends z.ZodType>(
  schema: Schema,
  options: unknown,
  metric: string,
): z.output<Schema> {
  const parsed = schema.safeParse(options ?? {}, { reportInput: true });
  if (parsed.success) return parsed.data;

  const problems = parsed.error.issues.map((issue) => {
    const option = issue.path.join(".") || "(options)";
    return `${option}: ${issue.message}, got ${JSON.stringify(issue.input)}`;
  });
  throw new WinnowError("invalid_input", `invalid ${metric} options: ${problems.join("; ")}`);
}

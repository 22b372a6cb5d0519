import type { z } from "zod";

/** One problem of a parsed value: where it is, what is wrong, and the rejected value when zod reported it. */
export interface ParseProblem {
  path: PropertyKey[];
  message: string;
  /** Whether the problem is a key the object's schema does not define. */
  unknownKey: boolean;
  /** Present only where the value was parsed with `reportInput: true`. */
  input?: unknown;
}

/**
 * Lists the problems of a zod error, one per field. Zod reports all unknown keys of a strict
 * object as one issue on the object. This turns that issue into one "unknown field" problem per
 * key, at the key's own path.
 */
export function listParseProblems(error: z.ZodError): ParseProblem[] {
  return error.issues.flatMap((issue): ParseProblem[] => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: [...issue.path, key], message: "unknown field", unknownKey: true }));
    }
    const problem: ParseProblem = { path: issue.path, message: issue.message, unknownKey: false };
    if ("input" in issue) problem.input = issue.input;
    return [problem];
  });
}

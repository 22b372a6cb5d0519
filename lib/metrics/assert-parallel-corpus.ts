import { WinnowError } from "../errors";

/**
 * Throws an `invalid_input` WinnowError unless there is at least one hypothesis and one reference
 * stream, and every stream has one reference per hypothesis. sacreBLEU's Python API would instead
 * stop silently at the end of the shortest stream.
 */
export function assertParallelCorpus(
  metric: string,
  hypotheses: readonly string[],
  references: ReadonlyArray<readonly string[]>,
): void {
  if (hypotheses.length === 0) {
    throw new WinnowError("invalid_input", `${metric}: hypotheses must not be empty`);
  }
  if (references.length === 0) {
    throw new WinnowError("invalid_input", `${metric}: references must contain at least one reference stream`);
  }

  references.forEach((stream, index) => {
    if (stream.length !== hypotheses.length) {
      throw new WinnowError(
        "invalid_input",
        `${metric}: reference stream ${index} has ${stream.length} lines but there are ${hypotheses.length} ` +
          "hypotheses. Pass references as streams, each with one line per hypothesis",
      );
    }
  });
}

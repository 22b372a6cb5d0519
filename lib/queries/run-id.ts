/** Largest value of a Postgres INTEGER column, which Run.id is. */
const MAX_RUN_ID = 2 ** 31 - 1;

const DECIMAL_ID = /^[1-9]\d{0,9}$/;

/** Parses a run id from a URL segment or query value; null unless it is a valid positive INTEGER. */
export function parseRunId(text: string): number | null {
  if (!DECIMAL_ID.test(text)) return null;
  const id = Number(text);
  return id <= MAX_RUN_ID ? id : null;
}

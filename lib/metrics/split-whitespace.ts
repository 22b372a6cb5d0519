/**
 * The characters for which Python 3's `str.isspace()` is true (listed with CPython 3.11, Unicode 14).
 * sacreBLEU splits and strips lines with `str.split()` and `str.rstrip()`, which use this set.
 * JavaScript's `\s` differs: it adds U+FEFF and lacks U+001C-U+001F and U+0085.
 */
const PYTHON_WHITESPACE =
  "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

const WHITESPACE_RUN = new RegExp(`[${PYTHON_WHITESPACE}]+`, "u");

const TRAILING_WHITESPACE = new RegExp(`[${PYTHON_WHITESPACE}]+$`, "u");

/** Splits text on runs of whitespace as Python's `str.split()` does, so no piece is empty. */
export function splitWhitespace(text: string): string[] {
  return text.split(WHITESPACE_RUN).filter((piece) => piece !== "");
}

/** Removes trailing whitespace as Python's `str.rstrip()` does. */
export function trimTrailingWhitespace(text: string): string {
  return text.replace(TRAILING_WHITESPACE, "");
}

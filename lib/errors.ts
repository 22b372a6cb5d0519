/** The closed set of error codes winnow reports; the app maps each to an HTTP status. */
export const ERROR_CODES = {
  invalid_input: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The project's one error type. Unknown thrown values become one through `toWinnowError`. */
export class WinnowError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WinnowError";
    this.code = code;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code];
  }
}

/** Wraps any thrown value as a WinnowError, keeping the original as `cause`. */
export function toWinnowError(value: unknown): WinnowError {
  if (value instanceof WinnowError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new WinnowError("internal", message, { cause: value });
}

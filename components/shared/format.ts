/** Formats a score or loss with fixed decimals; null and non-finite values show as a dash. */
export function formatNumber(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return value.toFixed(digits);
}

/** Formats a chart axis tick with at most three significant digits, so "6.3650000001" reads "6.37". */
export function formatTick(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/**
 * Formats an ISO timestamp as "2026-12-04 21:54 UTC". UTC and a fixed layout make the server's
 * HTML and the browser's first render identical, whatever the browser's locale and time zone.
 */
export function formatTimestamp(iso: string | null): string {
  if (!iso) return "–";
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** Formats strategy parameters as "lambda=0.3, warmup=2", or "none". */
export function formatParams(params: Record<string, unknown>): string {
  const entries = Object.entries(params);
  if (entries.length === 0) return "none";
  return entries.map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(", ");
}

/**
 * The maximum number of decimals `Number.prototype.toFixed` accepts. It shows the exact value of
 * every double from 2^-48 up, and an exact tie at up to 47 decimals is a multiple of 2^-48.
 */
const EXACT_DIGITS = 100;

/**
 * Formats a number with `digits` decimals as Python's `f"{value:.{digits}f}"` does, which
 * sacreBLEU uses for every score it prints. JavaScript's `toFixed` rounds an exact tie away from
 * zero, and Python rounds it to the even digit, so 12.25 becomes "12.3" in one and "12.2" in the other.
 */
export function formatFixed(value: number, digits: number): string {
  const rounded = value.toFixed(digits);
  if (!Number.isFinite(value) || Math.abs(value) >= 1e21) return rounded;

  const exact = Math.abs(value).toFixed(EXACT_DIGITS);
  const point = exact.indexOf(".");
  const end = digits > 0 ? point + 1 + digits : point;
  const discarded = exact.slice(digits > 0 ? end : point + 1);
  if (!/^50*$/.test(discarded)) return rounded;

  // An exact tie: keep the truncated digits when the last one is even, as Python does.
  if (Number(exact[end - 1]) % 2 === 1) return rounded;
  const truncated = exact.slice(0, end);
  return value < 0 ? `-${truncated}` : truncated;
}

/** Pieces an output may have beyond its source's length, so a runaway hypothesis stops early. */
export const MAX_EXTRA_OUTPUT_PIECES = 50;

/**
 * Returns the most pieces (eos excluded) that decoding may produce for a source of `srcIds`
 * (ending in eos): its own length plus 50, cut to `maxLength` and to the model's position table.
 */
export function maxOutputLength(srcIds: readonly number[], maxLength: number, maxPositions: number): number {
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new Error(`maxLength must be a positive integer, got ${maxLength}`);
  const srcPieces = Math.max(0, srcIds.length - 1);
  return Math.min(srcPieces + MAX_EXTRA_OUTPUT_PIECES, maxLength, maxPositions);
}

/**
 * Counts the n-grams of one order in a sequence of units (words or characters). Each key is the
 * n-gram's units joined by `separator`, so units must not contain the separator when it is not "".
 * A sequence shorter than `order` has no n-grams.
 */
export function countNgrams(units: readonly string[], order: number, separator: string): Map<string, number> {
  const counts = new Map<string, number>();

  for (let start = 0; start + order <= units.length; start++) {
    const ngram = units.slice(start, start + order).join(separator);
    counts.set(ngram, (counts.get(ngram) ?? 0) + 1);
  }

  return counts;
}

/** The sacreBLEU release whose numbers winnow's metrics reproduce, named in every signature. */
export const SACREBLEU_VERSION = "2.6.0";

/**
 * Formats a sacreBLEU reproducibility signature such as
 * `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0`. The reference count comes first,
 * then the metric's fields in the given order, then the version.
 */
export function formatSignature(
  referenceCount: number,
  fields: ReadonlyArray<readonly [string, string | number]>,
): string {
  const pairs = [["nrefs", referenceCount], ...fields, ["version", SACREBLEU_VERSION]] as const;
  return pairs.map(([name, value]) => `${name}:${value}`).join("|");
}

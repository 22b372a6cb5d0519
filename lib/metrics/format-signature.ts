/** The sacreBLEU release whose numbers winnow's metrics reproduce; signatures name it. */
export const SACREBLEU_VERSION = "2.6.0";

/**
 * Formats a sacreBLEU reproducibility signature such as
 * `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0`: the reference count first, the
 * metric's fields in the given order, and the version last.
 */
export function formatSignature(referenceCount: number, fields: ReadonlyArray<readonly [string, string | number]>): string {
  const pairs = [["nrefs", referenceCount], ...fields, ["version", SACREBLEU_VERSION]] as const;
  return pairs.map(([name, value]) => `${name}:${value}`).join("|");
}

/**
 * Names a strategy group: the strategy, then its parameters sorted by name, for example
 * `fixed-weight (lambda=0.3)`, or just `uniform` without parameters. Runs that differ only in
 * seed share the key, and the same strategy with other parameters is another group.
 */
export function strategyGroupKey(strategy: string, strategyParams: Record<string, unknown>): string {
  const names = Object.keys(strategyParams).sort();
  if (names.length === 0) return strategy;
  const params = names.map((name) => `${name}=${JSON.stringify(strategyParams[name])}`);
  return `${strategy} (${params.join(", ")})`;
}

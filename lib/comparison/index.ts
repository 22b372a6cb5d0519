/**
 * Comparison of noise strategies over runs and seeds: loading runs, grouping them by strategy,
 * mean and spread over seeds, paired bootstrap significance against a baseline, and a table
 * formatter. Loading uses the database, so only server code and scripts import this module.
 * Browser code imports `./types` alone.
 *
 * @example
 * const comparison = await loadComparison({ runIds: [4, 5, 6, 7], baselineStrategy: "uniform" });
 * console.log(formatComparisonTable(comparison, "markdown"));
 */
export { buildComparison, type BuildComparisonOptions } from "./build-comparison";
export { formatComparisonTable, type ComparisonTableFormat } from "./format-comparison-table";
export { loadComparison, type LoadComparisonRequest } from "./load-comparison";
export { loadComparisonRuns } from "./load-comparison-runs";
export { pairedSignificance, type SignificanceOptions } from "./paired-significance";
export { resolveBaseline, type ResolvedBaseline } from "./resolve-baseline";
export { DEFAULT_SIGNIFICANCE_CACHE_ENTRIES, SignificanceCache } from "./significance-cache";
export { strategyGroupKey } from "./strategy-group-key";
export { epochBands, sampleStd, summarizeValues } from "./summarize-values";
export type * from "./types";

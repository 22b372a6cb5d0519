/**
 * Comparison of noise strategies over runs and seeds: loading runs, grouping them by strategy,
 * mean and spread over seeds, paired bootstrap significance against a baseline, and a table
 * formatter. Server-side only, because loading uses the database; browser code imports the types.
 */
export { buildComparison, type BuildComparisonOptions } from "./build-comparison";
export { formatComparisonTable, type ComparisonTableFormat } from "./format-comparison-table";
export { loadComparison, type LoadComparisonRequest } from "./load-comparison";
export { loadComparisonRuns } from "./load-comparison-runs";
export { pairedSignificance, type SignificanceOptions } from "./paired-significance";
export { resolveBaseline } from "./resolve-baseline";
export { SignificanceCache } from "./significance-cache";
export { strategyGroupKey } from "./strategy-group-key";
export { epochBands, sampleStd, summarizeValues } from "./summarize-values";
export type * from "./types";

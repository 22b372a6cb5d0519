import type { Comparison, MetricSignificance, StrategyComparison, ValueSummary } from "./types";

/** `text` for terminals (aligned columns), `markdown` for README files (a pipe table). */
export type ComparisonTableFormat = "text" | "markdown";

const HEADERS = ["Strategy", "Seeds", "Test BLEU", "Test chrF2", "ΔBLEU", "p (BLEU)", "BLEU 95% CI", "ΔchrF2", "p (chrF2)", "p (BLEU) per seed"];
/** Columns after the first two hold numbers and are right-aligned. */
const FIRST_NUMBER_COLUMN = 2;
const SCORE_DIGITS = 2;
/** sacreBLEU prints p-values with four decimals. */
const P_VALUE_DIGITS = 4;
const DASH = "–";

function formatFixed(value: number | null, digits = SCORE_DIGITS): string {
  return value === null ? DASH : value.toFixed(digits);
}

function formatSigned(value: number | null): string {
  if (value === null) return DASH;
  return `${value >= 0 ? "+" : ""}${value.toFixed(SCORE_DIGITS)}`;
}

function formatSummary(summary: ValueSummary): string {
  if (summary.mean === null) return DASH;
  return summary.std === null ? formatFixed(summary.mean) : `${formatFixed(summary.mean)} ± ${formatFixed(summary.std)}`;
}

function formatCi(result: MetricSignificance | undefined): string {
  return result ? `${formatFixed(result.mean)} ± ${formatFixed(result.ci)}` : DASH;
}

function formatSeeds(group: StrategyComparison): string {
  return group.seeds.length === 0 ? "0" : `${group.seeds.length} (${group.seeds.join(", ")})`;
}

function groupCells(group: StrategyComparison): string[] {
  const base = [group.groupKey, formatSeeds(group), formatSummary(group.testBleu), formatSummary(group.testChrf)];
  if (group.isBaseline) return [...base, "baseline", DASH, DASH, "baseline", DASH, DASH];

  const { significance } = group;
  const perSeed = group.perSeed.map((entry) => `${entry.seed}: ${entry.bleu.pValue.toFixed(P_VALUE_DIGITS)}`).join(", ");
  return [
    ...base,
    formatSigned(group.deltaBleu),
    significance ? significance.bleu.pValue.toFixed(P_VALUE_DIGITS) : DASH,
    formatCi(significance?.bleu),
    formatSigned(group.deltaChrf),
    significance ? significance.chrf.pValue.toFixed(P_VALUE_DIGITS) : DASH,
    perSeed || DASH,
  ];
}

function explanation(comparison: Comparison): string[] {
  const { resamples, seed } = comparison.bootstrap;
  return [
    `Baseline: ${comparison.baseline.kind === "run" ? `run #${comparison.baseline.runId}, group ` : ""}${comparison.baselineGroupKey}.`,
    "Test scores are mean ± sample standard deviation over seeds. Δ is the difference of those means to the baseline's.",
    `p and 95% CI: paired bootstrap resampling (${resamples} resamples, seed ${seed}) over the test sets of every seed ` +
      "shared with the baseline, pooled into one test; the CI is the pooled score's resampled mean ± half-width.",
  ];
}

function formatText(rows: string[][], footer: string[]): string {
  const widths = HEADERS.map((_, column) => Math.max(...rows.map((row) => Array.from(row[column]).length)));
  const align = (cell: string, column: number) => {
    const padding = " ".repeat(widths[column] - Array.from(cell).length);
    return column >= FIRST_NUMBER_COLUMN ? padding + cell : cell + padding;
  };
  const lines = rows.map((row) => row.map(align).join("  ").trimEnd());
  lines.splice(1, 0, widths.map((width) => "-".repeat(width)).join("  "));
  return [...lines, "", ...footer].join("\n");
}

function formatMarkdown(rows: string[][], footer: string[]): string {
  const escape = (cell: string) => cell.replaceAll("|", "\\|");
  const line = (row: string[]) => `| ${row.map(escape).join(" | ")} |`;
  const rule = `|${HEADERS.map((_, column) => (column >= FIRST_NUMBER_COLUMN ? " ---: " : " --- ")).join("|")}|`;
  const [header, ...body] = rows;
  return [line(header), rule, ...body.map(line), "", ...footer.map((text) => `- ${text}`)].join("\n");
}

/**
 * Formats a comparison as one row per strategy group: seeds, test BLEU and chrF2 as mean ± sample
 * standard deviation, differences of means to the baseline, the pooled paired bootstrap p-values
 * and BLEU 95% CI, and the per-seed BLEU p-values. Below the table come lines that explain the
 * columns and the comparison's notes about runs left out.
 */
export function formatComparisonTable(comparison: Comparison, format: ComparisonTableFormat = "text"): string {
  const rows = [HEADERS, ...comparison.groups.map(groupCells)];
  const footer = [...explanation(comparison), ...comparison.notes];
  return format === "markdown" ? formatMarkdown(rows, footer) : formatText(rows, footer);
}

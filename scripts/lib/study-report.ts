import { buildComparison, type Comparison, formatComparisonTable, loadComparisonRuns } from "../../lib/comparison";
import type { StrategyName } from "../../lib/strategies";

/** The strategies every other strategy of a study is tested against, when the study trains them. */
export const STUDY_BASELINES: readonly StrategyName[] = ["clean-only", "uniform"];

export interface StudyReportInput {
  /** Heading of the saved file, such as the sweep's name. */
  title: string;
  /** Lines about the study's settings, printed above the tables. */
  settings: string[];
  strategies: readonly StrategyName[];
  /** Every run of the study; those that did not complete appear in the notes under each table. */
  runIds: number[];
}

export interface StudyReport {
  /** Aligned plain text, for the terminal. */
  text: string;
  /** Markdown, for the saved file. */
  markdown: string;
}

/**
 * Compares the study's runs against each baseline in STUDY_BASELINES that the study trains, with
 * lib/comparison: per strategy the seeds, mean and standard deviation of test BLEU and chrF2, and
 * the seed-matched paired bootstrap p-value and 95% CI against the baseline.
 */
export async function buildStudyReport(input: StudyReportInput): Promise<StudyReport> {
  const { missingIds, ...data } = await loadComparisonRuns(input.runIds);
  if (missingIds.length > 0) throw new Error(`runs ${missingIds.join(", ")} of the study were not found; were they deleted?`);

  const comparisons: { baseline: StrategyName; comparison: Comparison }[] = [];
  const skipped: string[] = [];
  for (const baseline of STUDY_BASELINES) {
    if (input.strategies.includes(baseline)) {
      comparisons.push({ baseline, comparison: await buildComparison(data, { kind: "strategy", strategy: baseline }) });
    } else {
      skipped.push(`No comparison against ${baseline}: the study does not train it (add it to --strategies).`);
    }
  }

  const text = [
    ...input.settings,
    ...comparisons.flatMap(({ baseline, comparison }) => ["", `Against ${baseline}:`, formatComparisonTable(comparison, "text")]),
    ...(skipped.length > 0 ? ["", ...skipped] : []),
  ].join("\n");
  const markdown = [
    `# ${input.title}`,
    "",
    ...input.settings.map((line) => `- ${line}`),
    ...comparisons.flatMap(({ baseline, comparison }) => ["", `## Against ${baseline}`, "", formatComparisonTable(comparison, "markdown")]),
    ...(skipped.length > 0 ? ["", ...skipped] : []),
  ].join("\n");
  return { text: `${text}\n`, markdown: `${markdown}\n` };
}

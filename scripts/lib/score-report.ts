import type { BleuResult } from "../../lib/metrics/compute-bleu";
import type { PairedResult, PairedTestReport } from "../../lib/metrics/paired-test";
import { formatFixed } from "./format-fixed";
import { formatGrid } from "./format-grid";

/** Decimals of printed scores, sacreBLEU's default `--width`. */
const SCORE_DECIMALS = 1;

/** Decimals of printed p-values, fixed in sacreBLEU. */
const P_VALUE_DECIMALS = 4;

/** sacreBLEU marks a p-value with "*" unless it is above this level. */
const SIGNIFICANCE_LEVEL = 0.05;

/** One metric's score of one system. */
export interface CorpusScore {
  /** The metric's name as sacreBLEU prints it, e.g. `BLEU` or `chrF2`. */
  name: string;
  signature: string;
  score: number;
  /** BLEU's n-gram precisions, brevity penalty and lengths, printed after the score. */
  bleu?: BleuResult;
}

/** The scores of each system, or a paired test of systems against a baseline. */
export type ScoreOutcome =
  | { kind: "scores"; systems: { name: string; scores: CorpusScore[] }[] }
  | { kind: "paired"; report: PairedTestReport };

function formatScore(value: number): string {
  return formatFixed(value, SCORE_DECIMALS);
}

/** BLEU's details as sacreBLEU prints them, e.g. `80.1/64.2/53.0/44.1 (BP = 1.000 ratio = 1.002 hyp_len = 9 ref_len = 9)`. */
function formatBleuDetails(bleu: BleuResult): string {
  const precisions = bleu.precisions.map(formatScore).join("/");
  const ratio = `BP = ${formatFixed(bleu.bp, 3)} ratio = ${formatFixed(bleu.ratio, 3)}`;
  return `${precisions} (${ratio} hyp_len = ${bleu.sysLen} ref_len = ${bleu.refLen})`;
}

/** Formats one line per metric, `NAME|SIGNATURE = SCORE [DETAILS]`, aligned on " = " as sacreBLEU aligns them. */
function formatSingleSystem(scores: readonly CorpusScore[]): string {
  const lines = scores.map((score) => {
    const details = score.bleu ? ` ${formatBleuDetails(score.bleu)}` : "";
    return { label: `${score.name}|${score.signature}`, value: `= ${formatScore(score.score)}${details}` };
  });
  const width = Math.max(...lines.map(({ label }) => label.length));
  return lines.map(({ label, value }) => `${label.padStart(width)} ${value}`).join("\n");
}

function formatSignatures(metrics: readonly { name: string; signature: string }[]): string {
  const lines = metrics.map(({ name, signature }) => ` - ${name.padEnd(10)} ${signature}`);
  return ["-----------------", "Metric signatures", "-----------------", ...lines].join("\n");
}

function formatSystemsTable(systems: Extract<ScoreOutcome, { kind: "scores" }>["systems"]): string {
  const metrics = systems[0].scores;
  const headers = ["System", ...metrics.map((metric) => metric.name)];
  const rows = systems.map((system) => [system.name, ...system.scores.map((score) => formatScore(score.score))]);
  return `${formatGrid(headers, rows)}\n\n${formatSignatures(metrics)}`;
}

/** Formats a paired-test cell: the score, `(mean ± CI)` after a bootstrap, and the p-value on a second line. */
function formatPairedCell(result: PairedResult): string {
  let cell = formatScore(result.score);
  if (result.mean !== null && result.ci !== null) cell += ` (${formatScore(result.mean)} ± ${formatScore(result.ci)})`;
  if (result.pValue !== null) {
    const mark = result.pValue > SIGNIFICANCE_LEVEL ? "" : "*";
    cell += `\n(p = ${formatFixed(result.pValue, P_VALUE_DECIMALS)})${mark}`;
  }
  return cell;
}

function formatPairedLegend(report: PairedTestReport): string {
  const title =
    report.test === "bs"
      ? `Paired bootstrap resampling test with ${report.samples} resamples`
      : `Paired approximate randomization test with ${report.samples} trials`;
  const cells =
    report.test === "bs"
      ? "Each cell shows the actual score, then the mean and 95% CI half-width of the resampled scores."
      : "Each cell shows the actual score.";
  const rule = "-".repeat(title.length);

  return [
    rule,
    title,
    rule,
    ` - Each system is compared with ${report.systems[0].name}.`,
    `   ${cells}`,
    " - The p-value estimates how likely an absolute score difference this large is if the system",
    "   and the baseline come from the same process. A p-value of at most 0.05 is marked \"*\":",
    "   the difference is significant at the 0.05 level.",
    " - A significant difference says that the systems differ, not which one is better.",
  ].join("\n");
}

function formatPairedTable(report: PairedTestReport): string {
  const bootstrap = report.test === "bs";
  const headers = ["System", ...report.metrics.map(({ name }) => (bootstrap ? `${name} (μ ± 95% CI)` : name))];
  const rows = report.systems.map((system) => [
    system.name,
    ...report.metrics.map(({ name }) => formatPairedCell(system.results[name])),
  ]);
  return `${formatGrid(headers, rows)}\n\n${formatPairedLegend(report)}\n\n${formatSignatures(report.metrics)}`;
}

/**
 * Formats the JSON output. A paired test gives sacreBLEU 2.6.0's list, one object per system
 * with `{ score, p_value, mean, ci }` per metric. Plain scores give one object per system with
 * `{ score, signature }` per metric, and BLEU adds its counts, precisions and lengths.
 */
function formatJson(outcome: ScoreOutcome): string {
  if (outcome.kind === "paired") {
    const { metrics, systems } = outcome.report;
    const entries = systems.map((system) => ({
      system: system.name,
      ...Object.fromEntries(
        metrics.map(({ name }) => {
          const { score, pValue, mean, ci } = system.results[name];
          return [name, { score, p_value: pValue, mean, ci }];
        }),
      ),
    }));
    return JSON.stringify(entries, null, 4);
  }

  const entries = outcome.systems.map((system) => ({
    system: system.name,
    ...Object.fromEntries(
      system.scores.map(({ name, signature, score, bleu }) => [name, { score, signature, ...bleuJson(bleu) }]),
    ),
  }));
  return JSON.stringify(entries, null, 4);
}

function bleuJson(bleu: BleuResult | undefined): object {
  if (!bleu) return {};
  const { counts, totals, precisions, bp, ratio, sysLen, refLen } = bleu;
  return { counts, totals, precisions, bp, ratio, hyp_len: sysLen, ref_len: refLen };
}

/**
 * Formats what `npm run score` prints. As text, one system's scores become sacreBLEU's
 * single-system lines, several systems its table, and a paired test its paired table with a
 * legend. Tables end with the metric signatures. sacreBLEU's terminal colours are left out.
 */
export function formatScoreReport(outcome: ScoreOutcome, format: "text" | "json"): string {
  if (format === "json") return formatJson(outcome);
  if (outcome.kind === "paired") return formatPairedTable(outcome.report);
  if (outcome.systems.length === 1) return formatSingleSystem(outcome.systems[0].scores);
  return formatSystemsTable(outcome.systems);
}

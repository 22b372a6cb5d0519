import { DEFAULT_BOOTSTRAP_RESAMPLES } from "../metrics/paired-bootstrap";
import { DEFAULT_PAIRED_TEST_SEED, signPairedTest } from "../metrics/paired-test";
import { WinnowError } from "../errors";
import { createComparisonMetrics, pairedSignificance, type SignificanceOptions } from "./paired-significance";
import { resolveBaseline, type ResolvedBaseline } from "./resolve-baseline";
import { SignificanceCache } from "./significance-cache";
import { epochBands, summarizeValues } from "./summarize-values";
import type {
  BaselineChoice,
  Comparison,
  ComparisonData,
  ComparisonRun,
  ExclusionReason,
  PairedSignificance,
  RunComparison,
  SeedSignificance,
  StrategyComparison,
} from "./types";

export interface BuildComparisonOptions extends SignificanceOptions {
  /** Reuses paired test results across calls, for a server that rebuilds the same comparison. */
  cache?: SignificanceCache;
  /** Leaves every `significance` and `perSeed` empty, for views that need only means and bands. Default false. */
  skipSignificance?: boolean;
}

/** Paired tests of one comparison, with the settings, cache and event-loop yield they share. */
interface TestRunner {
  /** Returns null when the comparison skips significance. */
  run(systemRuns: ComparisonRun[], baselineRuns: ComparisonRun[]): Promise<PairedSignificance | null>;
}

/** Runs no test and returns null, for `skipSignificance`. */
const SKIPPED_TESTS: TestRunner = { run: async () => null };

function createTestRunner(data: ComparisonData, resamples: number, seed: number, cache: SignificanceCache | undefined): TestRunner {
  return {
    async run(systemRuns, baselineRuns) {
      const key = SignificanceCache.key(systemRuns.map((run) => run.id), baselineRuns.map((run) => run.id), resamples, seed);
      const cached = cache?.get(key);
      if (cached) return cached;

      // One test over 1,000 pairs takes about 0.25 s. Yielding before each lets a server handle
      // other requests between the tests of a large comparison.
      await new Promise((resolve) => setImmediate(resolve));
      const references = data.testSets[systemRuns[0].datasetId].references;
      const result = pairedSignificance(systemRuns, baselineRuns, references, { resamples, seed });
      cache?.set(key, result);
      return result;
    },
  };
}

function exclusionReason(run: ComparisonRun, baselineDatasetId: number): ExclusionReason | null {
  if (run.status !== "completed") return "not_completed";
  if (run.testBleu === null || run.testChrf === null) return "no_test_scores";
  if (run.testHypotheses === null) return "missing_test_translations";
  if (run.datasetId !== baselineDatasetId) return "other_dataset";
  return null;
}

/** Picks the baseline's dataset: the baseline run's, else that of the baseline group's first completed run. */
function baselineDatasetId(runs: readonly ComparisonRun[], baseline: ResolvedBaseline): number {
  if (baseline.run) return baseline.run.datasetId;
  const group = runs.filter((run) => run.groupKey === baseline.groupKey);
  return (group.find((run) => run.status === "completed" && run.testHypotheses !== null) ?? group[0]).datasetId;
}

function describeExclusion(run: ComparisonRun, reason: ExclusionReason): string {
  const name = `Run #${run.id} (${run.groupKey}, seed ${run.seed})`;
  switch (reason) {
    case "not_completed":
      return `${name} is ${run.status}, so it is left out of the statistics.`;
    case "no_test_scores":
      return `${name} completed without test scores, so it is left out of the statistics.`;
    case "missing_test_translations":
      return `${name} lacks stored test translations for some test pairs, so it is left out of the statistics.`;
    case "other_dataset":
      return `${name} uses dataset ${run.datasetId}, not the baseline's, so it is left out of the statistics.`;
  }
}

/** Maps each seed to the group's first included run with it, noting runs that repeat a seed. */
function runsBySeed(included: readonly ComparisonRun[], notes: string[]): Map<number, ComparisonRun> {
  const bySeed = new Map<number, ComparisonRun>();
  for (const run of included) {
    const first = bySeed.get(run.seed);
    if (first) {
      notes.push(`Run #${run.id} repeats seed ${run.seed} of ${run.groupKey}; seed-matched tests use run #${first.id}.`);
    } else {
      bySeed.set(run.seed, run);
    }
  }
  return bySeed;
}

/** Runs the per-seed tests of a group against the baseline group, and the test pooled over the shared seeds. */
async function testGroup(
  groupRuns: Map<number, ComparisonRun>,
  baselineRuns: Map<number, ComparisonRun>,
  tests: TestRunner,
): Promise<{ significance: PairedSignificance | null; perSeed: SeedSignificance[] }> {
  const seeds = [...groupRuns.keys()].filter((seed) => baselineRuns.has(seed)).sort((a, b) => a - b);
  const perSeed: SeedSignificance[] = [];
  for (const seed of seeds) {
    const result = await tests.run([groupRuns.get(seed) as ComparisonRun], [baselineRuns.get(seed) as ComparisonRun]);
    if (result) perSeed.push({ seed, ...result });
  }
  if (seeds.length <= 1) return { significance: perSeed[0] ?? null, perSeed };

  const system = seeds.map((seed) => groupRuns.get(seed) as ComparisonRun);
  const baseline = seeds.map((seed) => baselineRuns.get(seed) as ComparisonRun);
  return { significance: await tests.run(system, baseline), perSeed };
}

function subtract(value: number | null, baseline: number | null): number | null {
  return value === null || baseline === null ? null : value - baseline;
}

function groupRunsByKey(runs: readonly ComparisonRun[]): Map<string, ComparisonRun[]> {
  const groups = new Map<string, ComparisonRun[]>();
  for (const run of runs) groups.set(run.groupKey, [...(groups.get(run.groupKey) ?? []), run]);
  return groups;
}

/** Summarizes one strategy group's included runs, without its significance. */
function summarizeGroup(groupKey: string, runs: ComparisonRun[], included: ComparisonRun[], isBaseline: boolean): StrategyComparison {
  return {
    groupKey,
    strategy: runs[0].strategy,
    strategyParams: runs[0].strategyParams,
    isBaseline,
    runIds: runs.map((run) => run.id),
    includedRunIds: included.map((run) => run.id),
    seeds: [...new Set(included.map((run) => run.seed))].sort((a, b) => a - b),
    testBleu: summarizeValues(included.map((run) => run.testBleu as number)),
    testChrf: summarizeValues(included.map((run) => run.testChrf as number)),
    deltaBleu: null,
    deltaChrf: null,
    validBleuBands: epochBands(included.map((run) => run.validBleu)),
    significance: null,
    perSeed: [],
  };
}

function bootstrapSettings(resamples: number, seed: number) {
  const signatures = Object.fromEntries(
    createComparisonMetrics([""]).map((metric) => [metric.name, signPairedTest(metric.signature, "bs", resamples, seed)]),
  );
  return { resamples, seed, signatures };
}

/**
 * Builds the comparison of loaded runs against a baseline. Runs are grouped by strategy and
 * parameters (`groupKey`). Only completed runs with test scores and stored test translations count
 * in the statistics, and only on the baseline's dataset. Other runs get a reason and a note.
 *
 * Per group: mean and sample standard deviation over its runs of test BLEU and chrF2, and per epoch
 * the mean, min, max and standard deviation of validation BLEU.
 *
 * Significance is sacreBLEU 2.6's paired bootstrap (lib/metrics). A run is tested against the
 * baseline run, or for a strategy baseline against the baseline group's run with the same seed. A
 * group is tested against the baseline group by seed-matched pooling. For every seed both groups
 * have, the group's run is paired with the baseline run of that seed. The test sets of all those
 * pairs then form one paired test of seeds x test pairs segments. The pooled test's scores are corpus scores
 * over the pool, not means over seeds. Resampling test pairs measures how much the result depends
 * on the test set for these trained models, not how much training with another seed would change
 * it, so the seed spread (the standard deviations) is reported beside it. The per-seed tests are
 * reported too. Throws an `invalid_input` WinnowError for no runs or a baseline not among them.
 */
export async function buildComparison(
  data: ComparisonData,
  baselineChoice: BaselineChoice,
  options: BuildComparisonOptions = {},
): Promise<Comparison> {
  if (data.runs.length === 0) throw new WinnowError("invalid_input", "a comparison needs at least one run");
  const baseline = resolveBaseline(data.runs, baselineChoice);
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES;
  const seed = options.seed ?? DEFAULT_PAIRED_TEST_SEED;
  const tests = options.skipSignificance ? SKIPPED_TESTS : createTestRunner(data, resamples, seed, options.cache);
  const notes: string[] = [];

  const datasetId = baselineDatasetId(data.runs, baseline);
  const exclusions = new Map(data.runs.map((run) => [run.id, exclusionReason(run, datasetId)]));
  for (const run of data.runs) {
    const reason = exclusions.get(run.id);
    if (reason) notes.push(describeExclusion(run, reason));
  }
  const isIncluded = (run: ComparisonRun) => exclusions.get(run.id) === null;

  const grouped = groupRunsByKey(data.runs);
  const seedMaps = new Map([...grouped].map(([key, runs]) => [key, runsBySeed(runs.filter(isIncluded), notes)]));
  const baselineSeeds = seedMaps.get(baseline.groupKey) as Map<number, ComparisonRun>;
  const baselineRunUsable = baseline.run === null || isIncluded(baseline.run);
  if (!baselineRunUsable) notes.push(`The baseline run #${baseline.run?.id} is not in the statistics, so no run has a p-value against it.`);

  const groups: StrategyComparison[] = [];
  for (const [groupKey, runs] of grouped) {
    const isBaseline = groupKey === baseline.groupKey;
    groups.push(summarizeGroup(groupKey, runs, runs.filter(isIncluded), isBaseline));
  }
  const baselineGroup = groups.find((group) => group.isBaseline) as StrategyComparison;

  for (const group of groups) {
    if (group.isBaseline) continue;
    group.deltaBleu = subtract(group.testBleu.mean, baselineGroup.testBleu.mean);
    group.deltaChrf = subtract(group.testChrf.mean, baselineGroup.testChrf.mean);
    Object.assign(group, await testGroup(seedMaps.get(group.groupKey) as Map<number, ComparisonRun>, baselineSeeds, tests));
    if (!options.skipSignificance && group.includedRunIds.length > 0 && group.significance === null) {
      notes.push(`${group.groupKey} shares no seed with the baseline ${baseline.groupKey}, so it has no p-value.`);
    }
  }

  const runs: RunComparison[] = [];
  for (const run of data.runs) {
    const isBaseline = baseline.run ? run.id === baseline.run.id : run.groupKey === baseline.groupKey;
    const excluded = exclusions.get(run.id) ?? null;
    let significance: PairedSignificance | null = null;
    if (!isBaseline && excluded === null && baselineRunUsable) {
      if (baseline.run) {
        significance = await tests.run([run], [baseline.run]);
      } else {
        const group = groups.find((candidate) => candidate.groupKey === run.groupKey);
        significance = group?.perSeed.find((entry) => entry.runIds[0] === run.id) ?? null;
      }
    }
    if (significance?.identicalOutputs) {
      notes.push(
        `Run #${run.id} translated the test set exactly as baseline run #${significance.baselineRunIds[0]} did; ` +
          "its p-value is the smallest possible although the two do not differ.",
      );
    }
    runs.push({ run, isBaseline, excluded, significance });
  }

  return {
    baseline: baselineChoice,
    baselineGroupKey: baseline.groupKey,
    runs,
    groups,
    bootstrap: bootstrapSettings(resamples, seed),
    notes,
  };
}

import type { RunStatus } from "../db";

/** How the runs of a comparison are tested: against one run, or against a strategy group. */
export type BaselineChoice = { kind: "run"; runId: number } | { kind: "strategy"; strategy: string };

/** Validation BLEU of one run after one epoch. */
export interface EpochBleu {
  epoch: number;
  bleu: number;
}

/** The test split of a dataset, in split order, which every run's test translations follow. */
export interface TestSet {
  datasetId: number;
  /** Reference translation of each test pair. */
  references: string[];
}

/** One run as loaded for a comparison. JSON-safe, so a server component can pass it to the browser. */
export interface ComparisonRun {
  id: number;
  datasetId: number;
  strategy: string;
  strategyParams: Record<string, unknown>;
  /** Strategy and parameters, e.g. `fixed-weight (lambda=0.3)`; runs that share it form a group. */
  groupKey: string;
  seed: number;
  status: RunStatus;
  /** Validation BLEU per epoch, sorted by epoch. */
  validBleu: EpochBleu[];
  /** Final test BLEU (beam search), null until the run completes. */
  testBleu: number | null;
  /** Final test chrF2, null until the run completes. */
  testChrf: number | null;
  /**
   * Test translations in test split order, or null when the run has none for some test pair
   * (it has not completed, or its outputs were not stored).
   */
  testHypotheses: string[] | null;
}

/** What `loadComparisonRuns` reads from the database. */
export interface ComparisonData {
  /** Runs in the order of the requested ids. */
  runs: ComparisonRun[];
  /** Test set of every dataset the runs use, keyed by dataset id. */
  testSets: Record<number, TestSet>;
}

/** Count, mean and sample standard deviation (n - 1) of some values. */
export interface ValueSummary {
  n: number;
  /** null when n is 0. */
  mean: number | null;
  /** Sample standard deviation; null when n is below 2. */
  std: number | null;
}

/** Validation BLEU of a strategy group at one epoch, over the seeds that reached it. */
export interface EpochBand {
  epoch: number;
  /** Seeds with a validation BLEU at this epoch. */
  n: number;
  mean: number;
  min: number;
  max: number;
  /** Sample standard deviation; null when n is below 2. */
  std: number | null;
}

/** One metric's paired bootstrap result for a system against its baseline. */
export interface MetricSignificance {
  /** Corpus score of the system on the tested segments. */
  score: number;
  /** Corpus score of the baseline on the same segments. */
  baselineScore: number;
  /** score - baselineScore. */
  delta: number;
  /** Paired bootstrap p-value of the difference, as sacreBLEU 2.6 computes it. */
  pValue: number;
  /** Mean of the system's resampled scores. */
  mean: number;
  /** Half-width of the 95% confidence interval of the system's resampled scores. */
  ci: number;
}

/** Paired bootstrap of one system against one baseline, for BLEU and chrF2. */
export interface PairedSignificance {
  /** Runs whose test translations make up the system, in seed order (several when pooled). */
  runIds: number[];
  /** Runs whose test translations make up the baseline, seed-matched to `runIds`. */
  baselineRunIds: number[];
  /** Segments in the test: seeds x test pairs when pooled. */
  segments: number;
  /**
   * True when system and baseline translated every test pair the same. sacreBLEU's p-value is
   * then its smallest, 1 / (resamples + 1), though the systems do not differ.
   */
  identicalOutputs: boolean;
  bleu: MetricSignificance;
  chrf: MetricSignificance;
}

/** A run's significance against the baseline run that the same seed was paired with. */
export interface SeedSignificance extends PairedSignificance {
  seed: number;
}

/** Why a run is not part of the statistics. */
export type ExclusionReason = "not_completed" | "no_test_scores" | "missing_test_translations" | "other_dataset";

export interface RunComparison {
  run: ComparisonRun;
  /** True when the run is the baseline run or belongs to the baseline strategy group. */
  isBaseline: boolean;
  /** Null when the run is part of the statistics, else the reason it is left out. */
  excluded: ExclusionReason | null;
  /**
   * Paired bootstrap against the baseline run (baseline kind "run") or against the baseline
   * group's run with the same seed (kind "strategy"); null for baseline runs, excluded runs and
   * runs without a seed-matched baseline run.
   */
  significance: PairedSignificance | null;
}

export interface StrategyComparison {
  groupKey: string;
  strategy: string;
  strategyParams: Record<string, unknown>;
  isBaseline: boolean;
  /** Every run of the group, in request order. */
  runIds: number[];
  /** Runs that count in the statistics: completed, with test scores and translations. */
  includedRunIds: number[];
  /** Seeds of the included runs, ascending. */
  seeds: number[];
  testBleu: ValueSummary;
  testChrf: ValueSummary;
  /** Mean test BLEU minus the baseline group's mean; null for the baseline or without both means. */
  deltaBleu: number | null;
  deltaChrf: number | null;
  /** Validation BLEU per epoch over the group's runs, including runs still training. */
  validBleuBands: EpochBand[];
  /**
   * Seed-matched paired bootstrap pooled over every seed the group shares with the baseline
   * group; null for the baseline group or when no seed is shared.
   */
  significance: PairedSignificance | null;
  /** The separate paired bootstrap of each shared seed, by ascending seed. */
  perSeed: SeedSignificance[];
}

/** Settings of the paired bootstrap, reported with the results. */
export interface BootstrapSettings {
  resamples: number;
  seed: number;
  /** sacreBLEU-style signatures with the test's fields, keyed by metric name. */
  signatures: Record<string, string>;
}

export interface Comparison {
  baseline: BaselineChoice;
  /** Group key of the baseline strategy group (the baseline run's group for kind "run"). */
  baselineGroupKey: string;
  runs: RunComparison[];
  /** Strategy groups in order of their first run. */
  groups: StrategyComparison[];
  bootstrap: BootstrapSettings;
  /** Sentences for the reader about runs left out or paired differently. */
  notes: string[];
}

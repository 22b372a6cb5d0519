import type { ComparisonData, ComparisonRun, EpochBleu } from "../../lib/comparison/types";
import { strategyGroupKey } from "../../lib/comparison/strategy-group-key";

const SUBJECTS = ["a dog", "two children", "a woman", "an old man", "three birds", "a red car"];
const VERBS = ["runs across", "sits on", "looks at", "waits near", "walks past"];
const PLACES = ["the green field", "a wooden bench", "the busy street", "a small lake", "the old bridge"];

/** Builds `size` distinct English captions, deterministically. */
export function makeReferences(size: number): string[] {
  return Array.from(
    { length: size },
    (_, i) => `${SUBJECTS[i % SUBJECTS.length]} ${VERBS[(i * 7) % VERBS.length]} ${PLACES[(i * 3) % PLACES.length]} number ${i} .`,
  );
}

/** Copies the references, cutting every `every`-th one (offset by `shift`) down to its first two words. */
export function degrade(references: readonly string[], every: number, shift: number): string[] {
  return references.map((reference, i) => ((i + shift) % every === 0 ? reference.split(" ").slice(0, 2).join(" ") : reference));
}

export interface RunSpec {
  id: number;
  strategy: string;
  strategyParams?: Record<string, unknown>;
  seed: number;
  status?: ComparisonRun["status"];
  datasetId?: number;
  testBleu?: number | null;
  testChrf?: number | null;
  validBleu?: EpochBleu[];
  testHypotheses?: string[] | null;
}

/** Completed runs default to test BLEU 30, chrF2 50 and no hypotheses; other runs to none of them. */
function defaultTestFields(completed: boolean) {
  if (!completed) return { testBleu: null, testChrf: null, testHypotheses: null };
  return { testBleu: 30, testChrf: 50, testHypotheses: [] as string[] };
}

export function makeRun(spec: RunSpec): ComparisonRun {
  const strategyParams = spec.strategyParams ?? {};
  const defaults = defaultTestFields((spec.status ?? "completed") === "completed");
  return {
    id: spec.id,
    datasetId: spec.datasetId ?? 1,
    strategy: spec.strategy,
    strategyParams,
    groupKey: strategyGroupKey(spec.strategy, strategyParams),
    seed: spec.seed,
    status: spec.status ?? "completed",
    validBleu: spec.validBleu ?? [],
    testBleu: spec.testBleu !== undefined ? spec.testBleu : defaults.testBleu,
    testChrf: spec.testChrf !== undefined ? spec.testChrf : defaults.testChrf,
    testHypotheses: spec.testHypotheses !== undefined ? spec.testHypotheses : defaults.testHypotheses,
  };
}

export function makeData(runs: ComparisonRun[], references: string[], datasetId = 1): ComparisonData {
  return { runs, testSets: { [datasetId]: { datasetId, references } } };
}

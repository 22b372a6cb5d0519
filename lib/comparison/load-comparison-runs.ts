import type { Prisma } from "../db";
import { prisma } from "../db";
import { runSummarySelect, toRunConfigView } from "../queries/run-summary";
import { strategyGroupKey } from "./strategy-group-key";
import type { ComparisonData, ComparisonRun, TestSet } from "./types";

const comparisonRunSelect = {
  ...runSummarySelect,
  metrics: { where: { name: "valid_bleu" }, select: { epoch: true, value: true }, orderBy: { epoch: "asc" } },
} satisfies Prisma.RunSelect;

type ComparisonRunRow = Prisma.RunGetPayload<{ select: typeof comparisonRunSelect }>;

/** Test translations of the runs, newest epoch first, so the first row per pair is the final output. */
async function loadTestTranslations(runIds: readonly number[]) {
  return prisma().translation.findMany({
    where: { runId: { in: [...runIds] }, sample: { split: "test" } },
    select: { runId: true, epoch: true, hypothesis: true, sample: { select: { idx: true } } },
    orderBy: { epoch: "desc" },
  });
}

async function loadTestSets(datasetIds: readonly number[]): Promise<Record<number, TestSet & { positionByIdx: Map<number, number> }>> {
  const samples = await prisma().sample.findMany({
    where: { datasetId: { in: [...datasetIds] }, split: "test" },
    select: { datasetId: true, idx: true, tgt: true },
    orderBy: [{ datasetId: "asc" }, { idx: "asc" }],
  });
  const testSets: Record<number, TestSet & { positionByIdx: Map<number, number> }> = {};
  for (const datasetId of datasetIds) testSets[datasetId] = { datasetId, references: [], positionByIdx: new Map() };
  for (const sample of samples) {
    const testSet = testSets[sample.datasetId];
    testSet.positionByIdx.set(sample.idx, testSet.references.length);
    testSet.references.push(sample.tgt);
  }
  return testSets;
}

/** Orders a run's final test outputs like its test set; null unless every test pair has one. */
function alignHypotheses(
  rows: ReadonlyArray<{ idx: number; hypothesis: string }>,
  positionByIdx: ReadonlyMap<number, number>,
): string[] | null {
  if (positionByIdx.size === 0) return null;
  const hypotheses = new Array<string | undefined>(positionByIdx.size);
  for (const { idx, hypothesis } of rows) {
    const position = positionByIdx.get(idx);
    if (position !== undefined && hypotheses[position] === undefined) hypotheses[position] = hypothesis;
  }
  return hypotheses.every((hypothesis) => hypothesis !== undefined) ? (hypotheses as string[]) : null;
}

function toComparisonRun(row: ComparisonRunRow, hypotheses: string[] | null): ComparisonRun {
  const { strategyParams } = toRunConfigView(row.config);
  return {
    id: row.id,
    datasetId: row.datasetId,
    strategy: row.strategy,
    strategyParams,
    groupKey: strategyGroupKey(row.strategy, strategyParams),
    seed: row.seed,
    status: row.status,
    validBleu: row.metrics.map((metric) => ({ epoch: metric.epoch, bleu: metric.value })),
    testBleu: row.testBleu,
    testChrf: row.testChrf,
    // Only a completed run's test outputs are final; a run that has not finished has none yet.
    testHypotheses: row.status === "completed" ? hypotheses : null,
  };
}

/**
 * Loads the runs of a comparison in the order of `runIds`, without duplicates. Each run comes with
 * its validation BLEU per epoch (Metric rows named `valid_bleu`) and its final test BLEU and chrF2
 * (Run columns). Its final test translations are, per test pair, the Translation row of the newest
 * epoch, which the worker writes on completion. The test references of the runs' datasets come
 * too. Ids that match no run are returned in `missingIds`, not thrown.
 */
export async function loadComparisonRuns(runIds: readonly number[]): Promise<ComparisonData & { missingIds: number[] }> {
  const ids = [...new Set(runIds)];
  const rows = await prisma().run.findMany({ where: { id: { in: ids } }, select: comparisonRunSelect });
  const datasetIds = [...new Set(rows.map((row) => row.datasetId))];
  const [translations, testSets] = await Promise.all([loadTestTranslations(rows.map((row) => row.id)), loadTestSets(datasetIds)]);

  const translationsByRun = new Map<number, { idx: number; hypothesis: string }[]>();
  for (const translation of translations) {
    const list = translationsByRun.get(translation.runId) ?? [];
    list.push({ idx: translation.sample.idx, hypothesis: translation.hypothesis });
    translationsByRun.set(translation.runId, list);
  }

  const byId = new Map(
    rows.map((row) => {
      const hypotheses = alignHypotheses(translationsByRun.get(row.id) ?? [], testSets[row.datasetId].positionByIdx);
      return [row.id, toComparisonRun(row, hypotheses)];
    }),
  );
  return {
    runs: ids.flatMap((id) => byId.get(id) ?? []),
    testSets: Object.fromEntries(
      Object.values(testSets).map(({ datasetId, references }) => [datasetId, { datasetId, references }]),
    ),
    missingIds: ids.filter((id) => !byId.has(id)),
  };
}

import { prisma } from "../../lib/db";
import { writeCompletion, writeEpoch } from "../../worker/run-store";

/** A dataset stored for comparison tests, with the sample ids of its splits in idx order. */
export interface StoredDataset {
  datasetId: number;
  testSampleIds: number[];
  validSampleIds: number[];
}

/** Stores a dataset whose test split has `references` as targets, plus three validation pairs. */
export async function storeComparisonDataset(name: string, references: readonly string[]): Promise<StoredDataset> {
  const { id: datasetId } = await prisma().dataset.create({
    data: { name, srcLang: "de", tgtLang: "en", source: "test", hash: "0" },
    select: { id: true },
  });
  // Test pairs are inserted in reverse, so only ordering by idx gives the split order.
  const test = references.map((tgt, idx) => ({ datasetId, split: "test" as const, idx, src: `Quelle ${idx}`, tgt })).reverse();
  const valid = [0, 1, 2].map((idx) => ({ datasetId, split: "valid" as const, idx, src: `V ${idx}`, tgt: `valid ${idx}` }));
  await prisma().sample.createMany({ data: [...test, ...valid] });

  const samples = await prisma().sample.findMany({ where: { datasetId }, select: { id: true, split: true }, orderBy: { idx: "asc" } });
  return {
    datasetId,
    testSampleIds: samples.filter((sample) => sample.split === "test").map((sample) => sample.id),
    validSampleIds: samples.filter((sample) => sample.split === "valid").map((sample) => sample.id),
  };
}

export interface StoredRunSpec {
  strategy: string;
  seed: number;
  /** Validation BLEU of each epoch from 1; the run has as many epochs. */
  validBleu: number[];
  /** Final test scores and outputs in test split order; without them the run stays running. */
  test?: { bleu: number; chrf: number; hypotheses: string[] };
}

/** Stores a run the way the worker does: per-epoch metrics and outputs, then the test scores and outputs. */
export async function storeComparisonRun(dataset: StoredDataset, spec: StoredRunSpec): Promise<number> {
  const epochs = spec.validBleu.length;
  const run = await prisma().run.create({
    data: { datasetId: dataset.datasetId, strategy: spec.strategy, config: { epochs, strategyParams: {} }, seed: spec.seed, status: "running" },
    select: { id: true },
  });
  for (const [index, bleu] of spec.validBleu.entries()) {
    await writeEpoch(run.id, epochs, {
      epoch: index + 1, step: 10 * (index + 1), trainLoss: 3, validBleu: bleu, validChrf: bleu + 20,
      validLengthRatio: 1, validBrevityPenalty: 1, seconds: 1, traces: [],
      translations: dataset.validSampleIds.map((sampleId) => ({ sampleId, hypothesis: `valid output ${index}` })),
    });
  }
  if (!spec.test) return run.id;

  const { test } = spec;
  const rows = dataset.testSampleIds.map((sampleId, position) => ({ sampleId, hypothesis: test.hypotheses[position] }));
  await writeCompletion(run.id, epochs, {
    bestValidBleu: Math.max(...spec.validBleu), testBleu: test.bleu, testChrf: test.chrf,
    testLengthRatio: 1, testBrevityPenalty: 1, backend: "cpu", device: "cpu",
    // Written in reverse, so only aligning by the pairs' idx restores the split order.
    testTranslations: rows.reverse(),
  });
  return run.id;
}

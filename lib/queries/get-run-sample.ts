import { WinnowError } from "../errors";
import { database, prisma } from "../db";
import { loadTargetPieces, type TargetPieces } from "./target-pieces";

/** One epoch of a pair's trace, with the token weights when the strategy stored them. */
export interface SampleEpoch {
  epoch: number;
  loss: number;
  weight: number;
  dropped: boolean;
  /** Weight of each target token, end-of-sentence included; null for sentence-level strategies. */
  tokenWeights: number[] | null;
  /** The model's greedy output after this epoch; null where the worker stored none. */
  hypothesis: string | null;
}

/** A training pair of a run's dataset with the run's full trace of it. */
export interface RunSampleDetail {
  run: { id: number; strategy: string; status: string; latestCheckpointEpoch: number | null };
  sample: { sampleId: number; idx: number; src: string; tgt: string; noisy: boolean; noiseKind: string | null };
  /** Every epoch that traced the pair, oldest first. */
  epochs: SampleEpoch[];
  /** The target's subword pieces from the newest checkpoint's tokenizer, or null when no epoch stored token weights. */
  targetPieces: TargetPieces | null;
}

async function loadEpochs(runId: number, sampleId: number): Promise<SampleEpoch[]> {
  const { rows } = await database().pool.query<SampleEpoch>(
    `SELECT t.epoch, t.loss, t.weight, t.dropped, t."tokenWeights", tr.hypothesis
     FROM "SampleTrace" t
     LEFT JOIN "Translation" tr ON tr."runId" = t."runId" AND tr."sampleId" = t."sampleId" AND tr.epoch = t.epoch
     WHERE t."runId" = $1 AND t."sampleId" = $2
     ORDER BY t.epoch`,
    [runId, sampleId],
  );
  return rows;
}

/**
 * Loads one training pair of a run with its loss, weight, token weights and output per epoch,
 * and, when it has token weights, the target's pieces from the run's tokenizer.
 * Throws a not_found WinnowError naming the id when the run does not exist or the sample is not
 * a training pair of the run's dataset.
 */
export async function getRunSample(runId: number, sampleId: number): Promise<RunSampleDetail> {
  const run = await prisma().run.findUnique({
    where: { id: runId },
    select: { id: true, strategy: true, status: true, datasetId: true, checkpoints: { select: { epoch: true, path: true }, orderBy: { epoch: "desc" }, take: 1 } },
  });
  if (!run) throw new WinnowError("not_found", `run ${runId} not found`);

  const sample = await prisma().sample.findFirst({
    where: { id: sampleId, datasetId: run.datasetId, split: "train" },
    select: { id: true, idx: true, src: true, tgt: true, noisy: true, noiseKind: true },
  });
  if (!sample) throw new WinnowError("not_found", `sample ${sampleId} is not a training pair of run ${runId}`);

  const epochs = await loadEpochs(runId, sampleId);
  const checkpoint = run.checkpoints[0] ?? null;
  const hasTokenWeights = epochs.some((epoch) => epoch.tokenWeights !== null);
  return {
    run: { id: run.id, strategy: run.strategy, status: run.status, latestCheckpointEpoch: checkpoint?.epoch ?? null },
    sample: { sampleId: sample.id, idx: sample.idx, src: sample.src, tgt: sample.tgt, noisy: sample.noisy, noiseKind: sample.noiseKind },
    epochs,
    targetPieces: hasTokenWeights ? await loadTargetPieces({ runId, checkpoint, target: sample.tgt }) : null,
  };
}

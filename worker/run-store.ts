import { database, prisma } from "../lib/db";
import type { EpochReport, SampleTraceRow, TrainResult, TranslationRow } from "./engine/types";

/** Rows per INSERT for traces and translations. */
const INSERT_CHUNK_ROWS = 10000;

/** Loads the training data of a dataset as the engine takes it, with the dataset's content hash. */
export async function loadRunData(datasetId: number) {
  const dataset = await prisma().dataset.findUniqueOrThrow({ where: { id: datasetId }, select: { hash: true } });
  const samples = await prisma().sample.findMany({
    where: { datasetId },
    select: { id: true, split: true, src: true, tgt: true, noisy: true },
    orderBy: [{ split: "asc" }, { idx: "asc" }],
  });
  const pick = (split: string) => samples.filter((sample) => sample.split === split);
  return {
    train: pick("train").map((s) => ({ sampleId: s.id, src: s.src, tgt: s.tgt, noisy: s.noisy })),
    valid: pick("valid").map((s) => ({ sampleId: s.id, src: s.src, tgt: s.tgt })),
    test: pick("test").map((s) => ({ sampleId: s.id, src: s.src, tgt: s.tgt })),
    datasetHash: dataset.hash,
  };
}

/** Upserts the Checkpoint row of a run's epoch, so a checkpoint written again updates its row. */
export async function recordCheckpoint(runId: number, epoch: number, checkpointPath: string): Promise<void> {
  await prisma().checkpoint.upsert({
    where: { runId_epoch: { runId, epoch } },
    create: { runId, epoch, path: checkpointPath },
    update: { path: checkpointPath, createdAt: new Date() },
  });
}

/** Deletes the Checkpoint rows of a run whose epoch is not in `keptEpochs`. */
export async function deleteCheckpointRows(runId: number, keptEpochs: readonly number[]): Promise<void> {
  await prisma().checkpoint.deleteMany({ where: { runId, epoch: { notIn: [...keptEpochs] } } });
}

/** Upserts named metrics for one epoch, so a rerun epoch rewrites its values. */
export async function writeMetrics(runId: number, epoch: number, step: number, values: Record<string, number>) {
  const names = Object.keys(values).filter((name) => Number.isFinite(values[name]));
  await database().pool.query(
    `INSERT INTO "Metric" ("runId", epoch, step, name, value)
     SELECT $1, $2, $3, n, v FROM unnest($4::text[], $5::float8[]) AS t(n, v)
     ON CONFLICT ("runId", name, epoch) DO UPDATE SET value = EXCLUDED.value, step = EXCLUDED.step`,
    [runId, epoch, step, names, names.map((name) => values[name])],
  );
}

/**
 * Formats token weights as a Postgres array literal such as "{1,0.25}", or null when the strategy
 * weighted no tokens. Postgres cannot unnest a ragged two-dimensional array, so each row's weights
 * travel as one literal in a text[] parameter and are cast back to float8[] in the INSERT.
 */
function tokenWeightsLiteral(tokenWeights: readonly number[] | undefined): string | null {
  return tokenWeights === undefined ? null : `{${tokenWeights.map(String).join(",")}}`;
}

/** Writes one epoch's per-sample traces in a few multi-row upserts. */
export async function writeTraces(runId: number, epoch: number, traces: SampleTraceRow[]) {
  for (let start = 0; start < traces.length; start += INSERT_CHUNK_ROWS) {
    const chunk = traces.slice(start, start + INSERT_CHUNK_ROWS);
    await database().pool.query(
      `INSERT INTO "SampleTrace" ("runId", "sampleId", epoch, loss, weight, dropped, "tokenWeights")
       SELECT $1, s, $2, l, w, d, tw::float8[]
       FROM unnest($3::int[], $4::float8[], $5::float8[], $6::bool[], $7::text[]) AS t(s, l, w, d, tw)
       ON CONFLICT ("runId", "sampleId", epoch)
       DO UPDATE SET loss = EXCLUDED.loss, weight = EXCLUDED.weight, dropped = EXCLUDED.dropped,
         "tokenWeights" = EXCLUDED."tokenWeights"`,
      [
        runId,
        epoch,
        chunk.map((row) => row.sampleId),
        chunk.map((row) => row.loss),
        chunk.map((row) => row.weight),
        chunk.map((row) => row.dropped),
        chunk.map((row) => tokenWeightsLiteral(row.tokenWeights)),
      ],
    );
  }
}

export async function writeTranslations(runId: number, epoch: number, rows: TranslationRow[]) {
  for (let start = 0; start < rows.length; start += INSERT_CHUNK_ROWS) {
    const chunk = rows.slice(start, start + INSERT_CHUNK_ROWS);
    await database().pool.query(
      `INSERT INTO "Translation" ("runId", "sampleId", epoch, hypothesis)
       SELECT $1, s, $2, h FROM unnest($3::int[], $4::text[]) AS t(s, h)
       ON CONFLICT ("runId", "sampleId", epoch) DO UPDATE SET hypothesis = EXCLUDED.hypothesis`,
      [runId, epoch, chunk.map((row) => row.sampleId), chunk.map((row) => row.hypothesis)],
    );
  }
}

/** Stores everything an epoch reports and moves the run's progress and best BLEU forward. */
export async function writeEpoch(runId: number, totalEpochs: number, report: EpochReport) {
  await writeMetrics(runId, report.epoch, report.step, {
    train_loss: report.trainLoss,
    valid_bleu: report.validBleu,
    valid_chrf: report.validChrf,
    valid_length_ratio: report.validLengthRatio,
    valid_bp: report.validBrevityPenalty,
    epoch_seconds: report.seconds,
  });
  await writeTraces(runId, report.epoch, report.traces);
  await writeTranslations(runId, report.epoch, report.translations);
  await database().pool.query(
    `UPDATE "Run" SET progress = GREATEST(progress, $2),
       "bestValidBleu" = GREATEST(COALESCE("bestValidBleu", $3), $3) WHERE id = $1`,
    [runId, report.epoch / totalEpochs, report.validBleu],
  );
}

/** Stores the test scores and outputs and marks the run completed. */
export async function writeCompletion(runId: number, lastEpoch: number, result: TrainResult) {
  await writeMetrics(runId, lastEpoch, 0, {
    test_bleu: result.testBleu,
    test_chrf: result.testChrf,
    test_length_ratio: result.testLengthRatio,
    test_bp: result.testBrevityPenalty,
  });
  await writeTranslations(runId, lastEpoch, result.testTranslations);
  await prisma().run.update({
    where: { id: runId },
    data: {
      status: "completed",
      progress: 1,
      testBleu: result.testBleu,
      testChrf: result.testChrf,
      bestValidBleu: result.bestValidBleu,
      backend: result.backend,
      device: result.device,
      finishedAt: new Date(),
    },
  });
}

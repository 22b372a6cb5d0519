import type { Prisma } from "../db";
import { prisma } from "../db";

/** Default and maximum rows per page of the noisy-samples table. */
export const NOISY_SAMPLES_PAGE_SIZE = 25;
export const NOISY_SAMPLES_MAX_PAGE_SIZE = 200;

function noisySampleSelect(runId: number) {
  return {
    id: true,
    idx: true,
    src: true,
    tgt: true,
    noiseKind: true,
    // The trace of the highest epoch is the sample's latest weight and loss.
    traces: {
      where: { runId },
      orderBy: { epoch: "desc" },
      take: 1,
      select: { epoch: true, loss: true, weight: true, dropped: true },
    },
  } satisfies Prisma.SampleSelect;
}

export type NoisySampleRow = Prisma.SampleGetPayload<{ select: ReturnType<typeof noisySampleSelect> }>;

/** A noisy training pair of a run's dataset, with what the run last did with it. */
export interface NoisySample {
  sampleId: number;
  /** Position inside the training split. */
  idx: number;
  src: string;
  tgt: string;
  noiseKind: string | null;
  /** Epoch of the latest trace; null until the run has traced this pair. */
  epoch: number | null;
  loss: number | null;
  weight: number | null;
  dropped: boolean | null;
}

export interface NoisySamplePage {
  samples: NoisySample[];
  /** 1-based page number. */
  page: number;
  pageSize: number;
  /** Noisy training pairs in the dataset, over all pages. */
  total: number;
}

export function toNoisySample(row: NoisySampleRow): NoisySample {
  const trace = row.traces[0];
  return {
    sampleId: row.id,
    idx: row.idx,
    src: row.src,
    tgt: row.tgt,
    noiseKind: row.noiseKind,
    epoch: trace?.epoch ?? null,
    loss: trace?.loss ?? null,
    weight: trace?.weight ?? null,
    dropped: trace?.dropped ?? null,
  };
}

/**
 * Loads one page of the noisy training pairs of the run's dataset, in dataset order, each with
 * its latest trace in this run. Returns null when no run has that id.
 */
export async function listNoisySamples(
  runId: number,
  { page, pageSize }: { page: number; pageSize: number },
): Promise<NoisySamplePage | null> {
  const run = await prisma().run.findUnique({ where: { id: runId }, select: { datasetId: true } });
  if (!run) return null;

  const where = { datasetId: run.datasetId, split: "train", noisy: true } satisfies Prisma.SampleWhereInput;
  const [total, rows] = await Promise.all([
    prisma().sample.count({ where }),
    prisma().sample.findMany({
      where,
      select: noisySampleSelect(runId),
      orderBy: { idx: "asc" },
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
  ]);
  return { samples: rows.map(toNoisySample), page, pageSize, total };
}

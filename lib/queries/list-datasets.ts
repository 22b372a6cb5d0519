import type { Prisma } from "../db";
import { prisma } from "../db";

export const datasetSelect = {
  id: true,
  name: true,
  srcLang: true,
  tgtLang: true,
  source: true,
  createdAt: true,
} satisfies Prisma.DatasetSelect;

export type DatasetRow = Prisma.DatasetGetPayload<{ select: typeof datasetSelect }>;

/** Pair counts of a dataset: training pairs split into clean and noisy, plus validation and test. */
export interface DatasetCounts {
  clean: number;
  noisy: number;
  valid: number;
  test: number;
}

export interface DatasetSummary {
  id: number;
  name: string;
  srcLang: string;
  tgtLang: string;
  source: string;
  createdAt: string;
  counts: DatasetCounts;
}

export interface SampleCountRow {
  datasetId: number;
  split: "train" | "valid" | "test";
  noisy: boolean;
  count: number;
}

export function toDatasetCounts(rows: readonly SampleCountRow[]): DatasetCounts {
  const counts: DatasetCounts = { clean: 0, noisy: 0, valid: 0, test: 0 };
  for (const row of rows) {
    if (row.split === "train") {
      counts[row.noisy ? "noisy" : "clean"] += row.count;
    } else {
      counts[row.split] += row.count;
    }
  }
  return counts;
}

export function toDatasetSummary(row: DatasetRow, countRows: readonly SampleCountRow[]): DatasetSummary {
  return {
    id: row.id,
    name: row.name,
    srcLang: row.srcLang,
    tgtLang: row.tgtLang,
    source: row.source,
    createdAt: row.createdAt.toISOString(),
    counts: toDatasetCounts(countRows.filter((count) => count.datasetId === row.id)),
  };
}

/** All datasets, newest first, with their pair counts. */
export async function listDatasets(): Promise<DatasetSummary[]> {
  const [rows, groups] = await Promise.all([
    prisma().dataset.findMany({ select: datasetSelect, orderBy: { id: "desc" } }),
    prisma().sample.groupBy({ by: ["datasetId", "split", "noisy"], _count: { _all: true } }),
  ]);
  const countRows = groups.map((group) => ({
    datasetId: group.datasetId,
    split: group.split,
    noisy: group.noisy,
    count: group._count._all,
  }));
  return rows.map((row) => toDatasetSummary(row, countRows));
}

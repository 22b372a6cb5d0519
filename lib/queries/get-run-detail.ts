import type { Prisma } from "../db";
import { prisma } from "../db";
import { metricSelect, toEpochMetrics, type EpochMetrics } from "./epoch-metrics";
import { runSummarySelect, toRunSummary, type RunSummary } from "./run-summary";

export const runDetailSelect = {
  ...runSummarySelect,
  metrics: { select: metricSelect },
  checkpoints: { select: { epoch: true }, orderBy: { epoch: "desc" }, take: 1 },
} satisfies Prisma.RunSelect;

export type RunDetailRow = Prisma.RunGetPayload<{ select: typeof runDetailSelect }>;

/** A run with its per-epoch metrics, for the run page and the comparison. */
export interface RunDetail extends RunSummary {
  epochs: EpochMetrics[];
  /** Epoch of the run's newest checkpoint, which translate requests use; null when it has none. */
  latestCheckpointEpoch: number | null;
}

export function toRunDetail(row: RunDetailRow): RunDetail {
  return {
    ...toRunSummary(row),
    epochs: toEpochMetrics(row.metrics),
    latestCheckpointEpoch: row.checkpoints[0]?.epoch ?? null,
  };
}

/** Loads one run with its metrics; null when no run has that id. */
export async function getRunDetail(runId: number): Promise<RunDetail | null> {
  const row = await prisma().run.findUnique({ where: { id: runId }, select: runDetailSelect });
  return row ? toRunDetail(row) : null;
}

/**
 * Loads several runs with their metrics, in the order of `runIds`.
 * Returns the ids that match no run in `missingIds`.
 */
export async function getRunDetails(
  runIds: readonly number[],
): Promise<{ runs: RunDetail[]; missingIds: number[] }> {
  const rows = await prisma().run.findMany({ where: { id: { in: [...runIds] } }, select: runDetailSelect });
  const byId = new Map(rows.map((row) => [row.id, toRunDetail(row)]));
  const runs = runIds.flatMap((id) => byId.get(id) ?? []);
  const missingIds = runIds.filter((id) => !byId.has(id));
  return { runs, missingIds };
}

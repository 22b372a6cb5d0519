import type { Prisma, RunStatus } from "../db";
import { prisma } from "../db";
import { WinnowError } from "../errors";

const latestCheckpointSelect = {
  status: true,
  error: true,
  checkpoints: { select: { epoch: true, path: true }, orderBy: { epoch: "desc" }, take: 1 },
} satisfies Prisma.RunSelect;

/** The newest checkpoint of a run, which translation decodes with. */
export interface RunCheckpoint {
  runId: number;
  epoch: number;
  /** Checkpoint folder on the worker's disk. */
  path: string;
}

/**
 * Returns the newest checkpoint of a run. Throws a not_found WinnowError for an unknown run,
 * and a conflict error that gives the reason for a run without a checkpoint.
 */
export async function requireRunCheckpoint(runId: number): Promise<RunCheckpoint> {
  const run = await prisma().run.findUnique({ where: { id: runId }, select: latestCheckpointSelect });
  if (!run) throw new WinnowError("not_found", `run ${runId} not found`);

  const latest = run.checkpoints[0];
  if (latest) return { runId, epoch: latest.epoch, path: latest.path };
  throw new WinnowError("conflict", missingCheckpointMessage(runId, run.status, run.error));
}

/** Explains, by the run's status, why it has no checkpoint to translate with and what to do. */
export function missingCheckpointMessage(runId: number, status: RunStatus, error: string | null): string {
  switch (status) {
    case "queued":
      return `run ${runId} has no checkpoint yet: it is still queued; translate once its first epoch has finished`;
    case "running":
      return `run ${runId} has no checkpoint yet: it is still training; translate once its first epoch has finished`;
    case "failed":
      return `run ${runId} has no checkpoint: it failed before its first epoch finished${error ? ` (${error})` : ""}`;
    case "cancelled":
      return `run ${runId} has no checkpoint: it was cancelled before its first epoch finished`;
    case "completed":
      return `run ${runId} has no checkpoint: it completed without recording one; train it again to translate with it`;
  }
}

import path from "node:path";
import { env } from "../lib/env";
import { type CheckpointRef, listCheckpoints, removeCheckpoint } from "./engine/checkpoint";
import { deleteCheckpointRows, recordCheckpoint } from "./run-store";

/**
 * Epoch checkpoints kept per run, newest first, besides the final one; older ones are deleted.
 * NOTE: only new checkpoints trigger deletion, so folders of failed and cancelled runs, and of
 * deleted Run rows, stay on disk until removed by hand.
 */
export const KEPT_CHECKPOINTS = 2;

/**
 * Returns the folder of a run's checkpoints. The run's creation time is part of the name because
 * run ids repeat when a database is created again, and a new run must never resume from the
 * checkpoints of an old one.
 */
export function runCheckpointDir(run: { id: number; createdAt: Date }): string {
  return path.resolve(env().WINNOW_CHECKPOINT_DIR, `run-${run.id}-${run.createdAt.getTime()}`);
}

/** Chooses the checkpoints to delete: every one except the newest `keep` and the final epoch's. */
export function checkpointsToRemove(
  checkpoints: readonly CheckpointRef[],
  options: { keep: number; finalEpoch: number },
): CheckpointRef[] {
  const newestFirst = [...checkpoints].sort((a, b) => b.epoch - a.epoch);
  return newestFirst.slice(options.keep).filter((checkpoint) => checkpoint.epoch !== options.finalEpoch);
}

/**
 * Records a checkpoint in the Checkpoint table, then deletes the checkpoints the retention rule
 * no longer keeps. Rows go before folders, so a row never points to a deleted folder.
 */
export async function storeCheckpoint(options: {
  runId: number;
  runDir: string;
  checkpoint: { epoch: number; path: string };
  finalEpoch: number;
}): Promise<CheckpointRef[]> {
  const { runId, runDir, checkpoint } = options;
  await recordCheckpoint(runId, checkpoint.epoch, checkpoint.path);

  const all = await listCheckpoints(runDir);
  const removed = checkpointsToRemove(all, { keep: KEPT_CHECKPOINTS, finalEpoch: options.finalEpoch });
  const removedEpochs = new Set(removed.map((entry) => entry.epoch));
  const keptEpochs = all.map((entry) => entry.epoch).filter((epoch) => !removedEpochs.has(epoch));
  await deleteCheckpointRows(runId, keptEpochs);
  for (const entry of removed) await removeCheckpoint(entry.path);
  return removed;
}

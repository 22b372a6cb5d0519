import { prisma } from "./db";
import { WinnowError } from "./errors";
import { enqueueRun, isRunJobHeld } from "./queue";
import { describeIssues, runConfigSchema, type RunConfig, type RunConfigInput } from "./run-config";

/** Validates a run request, checks its dataset exists, stores the Run row and queues its job. */
export async function createRun(input: RunConfigInput | unknown, queueName?: string): Promise<{ id: number; config: RunConfig }> {
  const parsed = runConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new WinnowError("invalid_input", `invalid run config: ${describeIssues(parsed.error)}`);
  }
  const config = parsed.data;
  const dataset = await prisma().dataset.findUnique({ where: { id: config.datasetId }, select: { id: true } });
  if (!dataset) throw new WinnowError("not_found", `datasetId: dataset ${config.datasetId} not found`);
  if (config.sweepId !== undefined) {
    const sweep = await prisma().sweep.findUnique({ where: { id: config.sweepId }, select: { id: true } });
    if (!sweep) throw new WinnowError("not_found", `sweepId: sweep ${config.sweepId} not found`);
  }

  const run = await prisma().run.create({
    data: {
      datasetId: config.datasetId,
      sweepId: config.sweepId,
      strategy: config.strategy,
      config,
      seed: config.seed,
    },
    select: { id: true, createdAt: true },
  });
  try {
    await enqueueRun(run, queueName);
  } catch (error) {
    // Without its job the row would stay queued forever, so it is marked failed with the cause.
    await prisma().run.update({
      where: { id: run.id },
      data: { status: "failed", error: `could not queue the run: ${(error as Error).message}`, finishedAt: new Date() },
    });
    throw new WinnowError("unavailable", `run ${run.id}: queueing failed: ${(error as Error).message}`, { cause: error });
  }
  return { id: run.id, config };
}

/**
 * Asks a run to stop. A queued run is cancelled at once. A running run whose job a worker holds
 * gets a flag that the worker checks between steps. A running run whose job no worker holds (its
 * worker died and none took the job back, or BullMQ failed the job) is cancelled at once, since
 * no worker would ever read the flag. Finished runs are left as they are.
 */
export async function requestCancel(runId: number): Promise<{ status: string }> {
  const run = await prisma().run.findUnique({ where: { id: runId }, select: { status: true, createdAt: true } });
  if (!run) throw new WinnowError("not_found", `run ${runId} not found`);
  if (run.status === "queued" || (run.status === "running" && !(await isRunJobHeld({ id: runId, createdAt: run.createdAt })))) {
    // Conditional on the status read above, so a run that a worker finished meanwhile keeps its end.
    const updated = await prisma().run.updateMany({
      where: { id: runId, status: run.status },
      data: { status: "cancelled", cancelRequested: true, finishedAt: new Date() },
    });
    if (updated.count === 1) return { status: "cancelled" };
  }
  const flagged = await prisma().run.updateMany({
    where: { id: runId, status: { in: ["queued", "running"] } },
    data: { cancelRequested: true },
  });
  if (flagged.count === 1) return { status: "cancelling" };
  const finished = await prisma().run.findUniqueOrThrow({ where: { id: runId }, select: { status: true } });
  return { status: finished.status };
}

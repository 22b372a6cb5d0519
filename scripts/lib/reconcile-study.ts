import { database, prisma } from "../../lib/db";
import { env } from "../../lib/env";
import { enqueueRun, runJobId, runQueue } from "../../lib/queue";
import { createRun } from "../../lib/runs";
import { formatDuration } from "./study-progress";
import { type CellPlan, planStudy, type StudyCell, type StudySettings, type SweepRun } from "./plan-study";

export interface ReconcileStudyOptions {
  /** Name of the study's Sweep row; a sweep of that name is reused, else one is created. */
  name: string;
  cells: StudyCell[];
  settings: StudySettings;
  log: (line: string) => void;
}

export interface ReconciledStudy {
  sweepId: number;
  /** The run of each cell, in the order of the cells. */
  runIds: number[];
  /** Number of cells whose completed run is kept. */
  keptCount: number;
  /** Number of cells whose queued or running run is waited for. */
  waitingCount: number;
  /** Number of cells that got a new run. */
  queuedCount: number;
}

/** BullMQ states in which a job will still be processed by a worker. */
const PENDING_JOB_STATES = new Set(["waiting", "active", "delayed", "prioritized", "waiting-children"]);

const cellName = (cell: StudyCell) => `${cell.strategy}, seed ${cell.seed}`;

/**
 * Explains the wait for a running run whose worker stopped. Its job stays active until its lock
 * expires, and a worker's stalled check, run every half lock duration, then puts it back in the queue.
 */
function describeResume(): string {
  const seconds = (env().WINNOW_LOCK_DURATION_MS * 1.5) / 1000;
  return ` (if its worker stopped, a worker resumes it from its newest checkpoint once its job lock expires, within ${formatDuration(seconds)})`;
}

/** Returns the id of the oldest sweep named `name`, creating the sweep when there is none. */
async function findOrCreateSweep(name: string): Promise<{ id: number; created: boolean }> {
  const existing = await prisma().sweep.findFirst({ where: { name }, orderBy: { id: "asc" }, select: { id: true } });
  if (existing) return { id: existing.id, created: false };
  const created = await prisma().sweep.create({ data: { name }, select: { id: true } });
  return { id: created.id, created: true };
}

async function loadSweepRuns(sweepId: number): Promise<SweepRun[]> {
  return prisma().run.findMany({
    where: { sweepId },
    select: { id: true, datasetId: true, strategy: true, seed: true, status: true, config: true, error: true, createdAt: true },
  });
}

/**
 * Queues the job of a queued or running run again when the queue contains no pending job for it, as
 * after Redis lost its data. A job that BullMQ finished while the row stayed active is removed
 * first, since a job id that exists makes adding the job a no-op.
 */
async function ensureJobPending(run: SweepRun, log: (line: string) => void): Promise<void> {
  const queue = runQueue();
  const jobId = runJobId(run);
  const state = await queue.getJobState(jobId);
  if (PENDING_JOB_STATES.has(state)) return;
  if (state !== "unknown") await queue.remove(jobId);
  await enqueueRun(run);
  log(`run ${run.id} is ${run.status} but its job was ${state === "unknown" ? "missing" : state} in queue ${queue.name}; queued it again`);
}

async function applyCellPlan(plan: CellPlan, sweepId: number, settings: StudySettings, log: (line: string) => void): Promise<number> {
  if (plan.action === "keep") return plan.run.id;
  if (plan.action === "wait") {
    log(`waiting for ${plan.run.status} run ${plan.run.id}: ${cellName(plan.cell)}${plan.run.status === "running" ? describeResume() : ""}`);
    await ensureJobPending(plan.run, log);
    return plan.run.id;
  }
  const { strategy, seed } = plan.cell;
  const run = await createRun({ datasetId: settings.datasetId, strategy, seed, preset: settings.preset, epochs: settings.epochs, sweepId });
  const replaced = plan.replaces ? ` in place of ${plan.replaces.status} run ${plan.replaces.id}${plan.replaces.error ? ` (${plan.replaces.error})` : ""}` : "";
  log(`queued run ${run.id}: ${cellName(plan.cell)}${replaced}`);
  return run.id;
}

/**
 * Brings the sweep named `options.name` to one run per cell: completed runs are kept, queued and
 * running runs are waited for, and cells without either get a new run. A Postgres advisory lock
 * on the name makes two studies of the same name started at once queue each cell only once.
 */
export async function reconcileStudy(options: ReconcileStudyOptions): Promise<ReconciledStudy> {
  const lockClient = await database().pool.connect();
  try {
    await lockClient.query("SELECT pg_advisory_lock(hashtext($1))", [`sweep:${options.name}`]);
    const sweep = await findOrCreateSweep(options.name);
    options.log(sweep.created ? `created sweep ${sweep.id} "${options.name}"` : `resuming sweep ${sweep.id} "${options.name}"`);

    const plans = planStudy(options.cells, await loadSweepRuns(sweep.id), options.settings);
    const runIds: number[] = [];
    for (const plan of plans) runIds.push(await applyCellPlan(plan, sweep.id, options.settings, options.log));
    const count = (action: CellPlan["action"]) => plans.filter((plan) => plan.action === action).length;
    return { sweepId: sweep.id, runIds, keptCount: count("keep"), waitingCount: count("wait"), queuedCount: count("queue") };
  } finally {
    // A connection whose unlock failed is closed rather than returned to the pool, which frees the lock.
    const unlocked = await lockClient.query("SELECT pg_advisory_unlock(hashtext($1))", [`sweep:${options.name}`]).then(() => true, () => false);
    lockClient.release(!unlocked);
  }
}

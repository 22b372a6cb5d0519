import { prisma } from "../db";
import { runSummarySelect, toRunSummary, type RunSummary } from "./run-summary";

/** Runs shown on the runs list, newest first. */
// LIMITATION: older runs beyond this count are not listed; a paginated list would lift it.
export const RUNS_LIST_LIMIT = 500;

export async function listRuns(): Promise<RunSummary[]> {
  const rows = await prisma().run.findMany({
    select: runSummarySelect,
    orderBy: { id: "desc" },
    take: RUNS_LIST_LIMIT,
  });
  return rows.map(toRunSummary);
}

import type { RunStatus } from "../../lib/db";

/** Statuses a run can still leave on its own, so views that show it keep polling. */
const ACTIVE_RUN_STATUSES: ReadonlySet<RunStatus> = new Set<RunStatus>(["queued", "running"]);

export function isActiveStatus(status: RunStatus): boolean {
  return ACTIVE_RUN_STATUSES.has(status);
}

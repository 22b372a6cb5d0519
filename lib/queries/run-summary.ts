import { z } from "zod";
import type { Prisma, RunStatus } from "../db";

/** The Run columns every run view needs, with the dataset's name. */
export const runSummarySelect = {
  id: true,
  datasetId: true,
  strategy: true,
  config: true,
  seed: true,
  status: true,
  progress: true,
  backend: true,
  device: true,
  error: true,
  bestValidBleu: true,
  testBleu: true,
  testChrf: true,
  cancelRequested: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  dataset: { select: { name: true } },
} satisfies Prisma.RunSelect;

export type RunSummaryRow = Prisma.RunGetPayload<{ select: typeof runSummarySelect }>;

/** The parts of a stored Run.config that the dashboard shows; other keys are kept as they are. */
export interface RunConfigView {
  preset: string | null;
  epochs: number | null;
  strategyParams: Record<string, unknown>;
}

/** One run as the dashboard shows it. Timestamps are ISO 8601 strings so the value is JSON-safe. */
export interface RunSummary {
  id: number;
  datasetId: number;
  datasetName: string;
  strategy: string;
  config: RunConfigView;
  seed: number;
  status: RunStatus;
  /** Fraction of training steps done, 0 to 1. */
  progress: number;
  backend: string | null;
  device: string | null;
  error: string | null;
  bestValidBleu: number | null;
  testBleu: number | null;
  testChrf: number | null;
  cancelRequested: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

// Tolerant on purpose: a config stored by an older version still renders, with nulls for
// the fields it lacks, instead of breaking the page.
const storedConfigSchema = z.looseObject({
  preset: z.string().optional().catch(undefined),
  epochs: z.number().optional().catch(undefined),
  strategyParams: z.record(z.string(), z.unknown()).optional().catch(undefined),
});

export function toRunConfigView(config: unknown): RunConfigView {
  const parsed = storedConfigSchema.safeParse(config);
  const fields = parsed.success ? parsed.data : {};
  return {
    preset: fields.preset ?? null,
    epochs: fields.epochs ?? null,
    strategyParams: fields.strategyParams ?? {},
  };
}

export function toRunSummary(row: RunSummaryRow): RunSummary {
  return {
    id: row.id,
    datasetId: row.datasetId,
    datasetName: row.dataset.name,
    strategy: row.strategy,
    config: toRunConfigView(row.config),
    seed: row.seed,
    status: row.status,
    progress: row.progress,
    backend: row.backend,
    device: row.device,
    error: row.error,
    bestValidBleu: row.bestValidBleu,
    testBleu: row.testBleu,
    testChrf: row.testChrf,
    cancelRequested: row.cancelRequested,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

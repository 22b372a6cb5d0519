import type { Prisma } from "../db";

export const metricSelect = {
  epoch: true,
  step: true,
  name: true,
  value: true,
} satisfies Prisma.MetricSelect;

export type MetricRow = Prisma.MetricGetPayload<{ select: typeof metricSelect }>;

/** The per-epoch scalars the worker writes, one field per Metric.name; null where none was written. */
export interface EpochMetrics {
  epoch: number;
  /** Optimizer steps done when the epoch ended. */
  step: number;
  trainLoss: number | null;
  validBleu: number | null;
  validChrf: number | null;
  /** Hypothesis length over reference length on the validation set. */
  validLengthRatio: number | null;
  /** BLEU's brevity penalty on the validation set, 0 to 1. */
  validBp: number | null;
}

const FIELD_BY_METRIC_NAME = {
  train_loss: "trainLoss",
  valid_bleu: "validBleu",
  valid_chrf: "validChrf",
  valid_length_ratio: "validLengthRatio",
  valid_bp: "validBp",
} as const satisfies Record<string, keyof EpochMetrics>;

function isKnownMetricName(name: string): name is keyof typeof FIELD_BY_METRIC_NAME {
  return Object.hasOwn(FIELD_BY_METRIC_NAME, name);
}

/** Pivots Metric rows into one record per epoch, sorted by epoch. Unknown metric names are skipped. */
export function toEpochMetrics(rows: readonly MetricRow[]): EpochMetrics[] {
  const byEpoch = new Map<number, EpochMetrics>();
  for (const row of rows) {
    if (!isKnownMetricName(row.name)) continue;
    let entry = byEpoch.get(row.epoch);
    if (!entry) {
      entry = {
        epoch: row.epoch, step: row.step,
        trainLoss: null, validBleu: null, validChrf: null, validLengthRatio: null, validBp: null,
      };
      byEpoch.set(row.epoch, entry);
    }
    entry[FIELD_BY_METRIC_NAME[row.name]] = row.value;
    entry.step = Math.max(entry.step, row.step);
  }
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

import { database } from "../db";

/** Bins of the weight histogram, which spans 0 to max(1, the run's largest weight). */
export const WEIGHT_HISTOGRAM_BINS = 20;

/** One bin of one epoch: weights in [from, to), the last bin also holding `to` itself. */
export interface WeightBin {
  from: number;
  to: number;
  clean: number;
  noisy: number;
}

export interface WeightHistogram {
  /** Upper end of the last bin, shared by every epoch so the bars of two epochs compare. */
  upper: number;
  /** One entry per traced epoch, oldest first; empty before the run's first epoch ends. */
  epochs: { epoch: number; bins: WeightBin[] }[];
}

interface BinCountRow {
  epoch: number;
  noisy: boolean;
  bin: number;
  count: number;
}

function emptyBins(upper: number): WeightBin[] {
  const width = upper / WEIGHT_HISTOGRAM_BINS;
  return Array.from({ length: WEIGHT_HISTOGRAM_BINS }, (_, index) => ({
    from: index * width,
    to: (index + 1) * width,
    clean: 0,
    noisy: 0,
  }));
}

/**
 * Counts a run's training-pair weights in WEIGHT_HISTOGRAM_BINS equal bins per epoch, clean and
 * noisy apart, in one grouped scan of the run's traces.
 */
export async function loadWeightHistogram(runId: number): Promise<WeightHistogram> {
  const pool = database().pool;
  const { rows: bounds } = await pool.query<{ upper: number }>(
    `SELECT GREATEST(1, COALESCE(max(weight), 1)) AS upper FROM "SampleTrace" WHERE "runId" = $1`,
    [runId],
  );
  const upper = bounds[0].upper;

  // width_bucket puts a weight equal to `upper` in bin count + 1, so LEAST folds it into the last
  // bin. Strategies never give negative weights, but GREATEST would fold one into the first bin.
  const { rows } = await pool.query<BinCountRow>(
    `SELECT t.epoch, s.noisy, GREATEST(LEAST(width_bucket(t.weight, 0, $2, $3), $3), 1) AS bin, count(*)::int AS count
     FROM "SampleTrace" t JOIN "Sample" s ON s.id = t."sampleId"
     WHERE t."runId" = $1
     GROUP BY t.epoch, s.noisy, bin
     ORDER BY t.epoch`,
    [runId, upper, WEIGHT_HISTOGRAM_BINS],
  );

  const byEpoch = new Map<number, WeightBin[]>();
  for (const row of rows) {
    const bins = byEpoch.get(row.epoch) ?? emptyBins(upper);
    byEpoch.set(row.epoch, bins);
    bins[row.bin - 1][row.noisy ? "noisy" : "clean"] += row.count;
  }
  return { upper, epochs: [...byEpoch].map(([epoch, bins]) => ({ epoch, bins })) };
}

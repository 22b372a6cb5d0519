import { database, prisma } from "../db";
import type { RunSampleQuery, SampleSort } from "./run-sample-query";

/** Loss, weight and drop flag of one pair in one epoch, as a sparkline point. */
export interface TracePoint {
  epoch: number;
  loss: number;
  weight: number;
  dropped: boolean;
}

/** A training pair of a run's dataset, with what the run did with it over the epochs. */
export interface RunSample {
  sampleId: number;
  /** Position inside the training split. */
  idx: number;
  src: string;
  tgt: string;
  noisy: boolean;
  noiseKind: string | null;
  /** Epoch of the pair's latest trace; null until the run has traced it. */
  epoch: number | null;
  loss: number | null;
  weight: number | null;
  dropped: boolean | null;
  /** Latest weight minus the weight of the first traced epoch; null until traced. */
  weightChange: number | null;
  /** Every traced epoch, oldest first. */
  trace: TracePoint[];
  /** The newest stored model output for the pair; the worker stores them for a share of the noisy pairs. */
  output: { epoch: number; hypothesis: string } | null;
}

export interface RunSamplePage {
  samples: RunSample[];
  /** The query this page answers, with defaults filled in. */
  query: RunSampleQuery;
  /** 1-based page number. */
  page: number;
  pageSize: number;
  /** Pairs that pass the filters, over all pages. */
  total: number;
  /** Highest epoch the run has traced; null before its first epoch ends. */
  lastEpoch: number | null;
}

/** SQL expression of each sort key. The latest and first traces are the lateral joins below. */
const SORT_COLUMNS: Record<SampleSort, string> = {
  index: "s.idx",
  loss: "latest.loss",
  weight: "latest.weight",
  "weight-change": "latest.weight - first.weight",
};

/**
 * The training pairs of the dataset with each one's latest and first trace in the run. Both are
 * looked up by the SampleTrace primary key (runId, sampleId, epoch), so a page costs one index
 * probe per filtered pair rather than a scan of every trace.
 */
const FILTERED_PAIRS_SQL = `
FROM "Sample" s
LEFT JOIN LATERAL (
  SELECT t.epoch, t.loss, t.weight, t.dropped FROM "SampleTrace" t
  WHERE t."runId" = $1 AND t."sampleId" = s.id ORDER BY t.epoch DESC LIMIT 1
) latest ON true
LEFT JOIN LATERAL (
  SELECT t.weight FROM "SampleTrace" t
  WHERE t."runId" = $1 AND t."sampleId" = s.id ORDER BY t.epoch ASC LIMIT 1
) first ON true`;

/** Builds the WHERE clause of the query and its parameters, after $1 (run id) and $2 (dataset id). */
function filterClause(query: RunSampleQuery): { sql: string; params: unknown[] } {
  const conditions = [`s."datasetId" = $2`, `s.split = 'train'`];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length + 2}`;
  };

  if (query.noise !== "all") conditions.push(`s.noisy = ${param(query.noise === "noisy")}`);
  if (query.view === "down-weighted") conditions.push("latest.weight < 1");
  if (query.view === "dropped" && query.droppedEpoch !== undefined) {
    conditions.push(`EXISTS (SELECT 1 FROM "SampleTrace" d
      WHERE d."runId" = $1 AND d."sampleId" = s.id AND d.epoch = ${param(query.droppedEpoch)} AND d.dropped)`);
  }
  if (query.minWeight !== undefined) conditions.push(`latest.weight >= ${param(query.minWeight)}`);
  if (query.maxWeight !== undefined) conditions.push(`latest.weight <= ${param(query.maxWeight)}`);

  return { sql: `WHERE ${conditions.join(" AND ")}`, params };
}

interface PairRow {
  id: number;
  idx: number;
  src: string;
  tgt: string;
  noisy: boolean;
  noiseKind: string | null;
  epoch: number | null;
  loss: number | null;
  weight: number | null;
  dropped: boolean | null;
  weight_change: number | null;
}

async function loadPairs(runId: number, datasetId: number, query: RunSampleQuery): Promise<{ rows: PairRow[]; total: number }> {
  const filter = filterClause(query);
  const direction = query.order === "asc" ? "ASC" : "DESC";
  const limit = `$${filter.params.length + 3}`;
  const offset = `$${filter.params.length + 4}`;
  const pool = database().pool;

  const [pairs, count] = await Promise.all([
    pool.query<PairRow>(
      `SELECT s.id, s.idx, s.src, s.tgt, s.noisy, s."noiseKind", latest.epoch, latest.loss, latest.weight,
         latest.dropped, latest.weight - first.weight AS weight_change
       ${FILTERED_PAIRS_SQL}
       ${filter.sql}
       ORDER BY ${SORT_COLUMNS[query.sort]} ${direction} NULLS LAST, s.idx ASC
       LIMIT ${limit} OFFSET ${offset}`,
      [runId, datasetId, ...filter.params, query.pageSize, (query.page - 1) * query.pageSize],
    ),
    pool.query<{ total: number }>(
      `SELECT count(*)::int AS total ${FILTERED_PAIRS_SQL} ${filter.sql}`,
      [runId, datasetId, ...filter.params],
    ),
  ]);
  return { rows: pairs.rows, total: count.rows[0].total };
}

/** Loads every traced epoch of the given pairs, oldest first, keyed by sample id. */
async function loadTraces(runId: number, sampleIds: number[]): Promise<Map<number, TracePoint[]>> {
  const { rows } = await database().pool.query<TracePoint & { sampleId: number }>(
    `SELECT "sampleId", epoch, loss, weight, dropped FROM "SampleTrace"
     WHERE "runId" = $1 AND "sampleId" = ANY($2::int[]) ORDER BY "sampleId", epoch`,
    [runId, sampleIds],
  );
  const traces = new Map<number, TracePoint[]>();
  for (const { sampleId, ...point } of rows) {
    const points = traces.get(sampleId) ?? [];
    points.push(point);
    traces.set(sampleId, points);
  }
  return traces;
}

/** Loads the newest stored output of each of the given pairs, keyed by sample id. */
async function loadLatestOutputs(runId: number, sampleIds: number[]): Promise<Map<number, RunSample["output"]>> {
  const { rows } = await database().pool.query<{ sampleId: number; epoch: number; hypothesis: string }>(
    `SELECT DISTINCT ON ("sampleId") "sampleId", epoch, hypothesis FROM "Translation"
     WHERE "runId" = $1 AND "sampleId" = ANY($2::int[]) ORDER BY "sampleId", epoch DESC`,
    [runId, sampleIds],
  );
  return new Map(rows.map((row) => [row.sampleId, { epoch: row.epoch, hypothesis: row.hypothesis }]));
}

async function loadLastEpoch(runId: number): Promise<number | null> {
  const { rows } = await database().pool.query<{ epoch: number | null }>(
    `SELECT max(epoch) AS epoch FROM "SampleTrace" WHERE "runId" = $1`,
    [runId],
  );
  return rows[0].epoch;
}

function toRunSample(row: PairRow, trace: TracePoint[], output: RunSample["output"]): RunSample {
  return {
    sampleId: row.id,
    idx: row.idx,
    src: row.src,
    tgt: row.tgt,
    noisy: row.noisy,
    noiseKind: row.noiseKind,
    epoch: row.epoch,
    loss: row.loss,
    weight: row.weight,
    dropped: row.dropped,
    weightChange: row.weight_change,
    trace,
    output,
  };
}

/**
 * Loads one page of the training pairs of a run's dataset, filtered and sorted in SQL, each with
 * its trace over the epochs and its newest stored output. Returns null when no run has that id.
 */
export async function listRunSamples(runId: number, query: RunSampleQuery): Promise<RunSamplePage | null> {
  const run = await prisma().run.findUnique({ where: { id: runId }, select: { datasetId: true } });
  if (!run) return null;

  const [{ rows, total }, lastEpoch] = await Promise.all([loadPairs(runId, run.datasetId, query), loadLastEpoch(runId)]);
  const sampleIds = rows.map((row) => row.id);
  const [traces, outputs] = await Promise.all([loadTraces(runId, sampleIds), loadLatestOutputs(runId, sampleIds)]);

  return {
    samples: rows.map((row) => toRunSample(row, traces.get(row.id) ?? [], outputs.get(row.id) ?? null)),
    query,
    page: query.page,
    pageSize: query.pageSize,
    total,
    lastEpoch,
  };
}

import { createHash } from "node:crypto";
import { database } from "../db";
import { WinnowError } from "../errors";
import type { DatasetPairs } from "./dataset-pairs";

/** Rows per INSERT: large enough to be fast, small enough to stay well under Postgres' limits. */
const INSERT_CHUNK_ROWS = 5000;

export interface StoredDataset {
  id: number;
  created: boolean;
  counts: { clean: number; noisy: number; valid: number; test: number };
}

/** Longest dataset name accepted: long enough for descriptive names, short enough for tables. */
export const MAX_DATASET_NAME_LENGTH = 200;

function checkName(name: string): void {
  if (name.trim().length === 0 || name.length > MAX_DATASET_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new WinnowError(
      "invalid_input",
      `name must be 1 to ${MAX_DATASET_NAME_LENGTH} characters without control characters, got ${JSON.stringify(name.slice(0, 40))}${name.length > 40 ? ` (${name.length} characters)` : ""}`,
    );
  }
}

/** SHA-256 over every pair and flag, so the same pairs give the same hash on every machine. */
export function hashPairs(pairs: DatasetPairs): string {
  const hash = createHash("sha256");
  // One JSON array per line: sentences may contain tabs, so a joined string could collide.
  hash.update(`${JSON.stringify([pairs.srcLang, pairs.tgtLang])}\n`);
  for (const pair of pairs.train) {
    hash.update(`${JSON.stringify(["train", pair.noisy, pair.noiseKind ?? null, pair.src, pair.tgt])}\n`);
  }
  for (const pair of pairs.valid) hash.update(`${JSON.stringify(["valid", pair.src, pair.tgt])}\n`);
  for (const pair of pairs.test) hash.update(`${JSON.stringify(["test", pair.src, pair.tgt])}\n`);
  return hash.digest("hex");
}

/** Invalid pairs listed in the error message; the message gives the total count too. */
const MAX_LISTED_PROBLEMS = 5;

function findPairProblem(pair: { src: string; tgt: string }): string | undefined {
  for (const side of ["src", "tgt"] as const) {
    if (typeof pair[side] !== "string") return `${side} is not a string`;
    if (pair[side].trim() === "") return `${side} is empty`;
    // Postgres text cannot store U+0000, and the insert would fail with "invalid byte sequence".
    if (pair[side].includes("\u0000")) return `${side} contains a NUL byte (U+0000), which Postgres text cannot store`;
  }
  return undefined;
}

/**
 * Rejects a dataset with empty pairs or pairs Postgres cannot store, before anything is written,
 * naming each invalid pair by split and 0-based index (the Sample idx it would get).
 */
function checkPairs(name: string, pairs: DatasetPairs): void {
  const problems: string[] = [];
  const splits = { train: pairs.train, valid: pairs.valid, test: pairs.test };
  for (const [split, list] of Object.entries(splits)) {
    list.forEach((pair, idx) => {
      const problem = findPairProblem(pair);
      if (problem) problems.push(`${split}[${idx}]: ${problem}`);
    });
  }
  if (problems.length === 0) return;
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).join("; ");
  const more = problems.length > MAX_LISTED_PROBLEMS ? `; and ${problems.length - MAX_LISTED_PROBLEMS} more` : "";
  throw new WinnowError("invalid_input", `dataset "${name}" has ${problems.length} invalid pair(s), so nothing was stored: ${listed}${more}`);
}

function countPairs(pairs: DatasetPairs) {
  const noisy = pairs.train.filter((pair) => pair.noisy).length;
  return { clean: pairs.train.length - noisy, noisy, valid: pairs.valid.length, test: pairs.test.length };
}

/**
 * Stores a dataset and all its samples in one transaction. A dataset of the same name and
 * content is reused; the same name with other content is rejected, so nothing is overwritten.
 * Throws WinnowError with code `invalid_input` for empty pairs or NUL bytes, and `conflict` when
 * the name exists with other pairs.
 */
export async function storeDataset(name: string, source: string, pairs: DatasetPairs): Promise<StoredDataset> {
  checkName(name);
  checkPairs(name, pairs);
  const hash = hashPairs(pairs);
  const counts = countPairs(pairs);
  const client = await database().pool.connect();
  try {
    await client.query("BEGIN");
    // Serialises concurrent imports of the same name (two demo starts, say).
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`dataset:${name}`]);
    const existing = await client.query<{ id: number; hash: string }>(
      `SELECT id, hash FROM "Dataset" WHERE name = $1`, [name],
    );
    if (existing.rows[0]) {
      if (existing.rows[0].hash !== hash) {
        throw new WinnowError("conflict", `dataset "${name}" already exists with different pairs; import under another name`);
      }
      await client.query("ROLLBACK");
      return { id: existing.rows[0].id, created: false, counts };
    }
    const inserted = await client.query<{ id: number }>(
      `INSERT INTO "Dataset" (name, "srcLang", "tgtLang", source, hash) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [name, pairs.srcLang, pairs.tgtLang, source, hash],
    );
    const datasetId = inserted.rows[0].id;
    await insertSamples(client, datasetId, pairs);
    await client.query("COMMIT");
    return { id: datasetId, created: true, counts };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

type Queryable = { query: (sql: string, values: unknown[]) => Promise<unknown> };

async function insertSamples(client: Queryable, datasetId: number, pairs: DatasetPairs): Promise<void> {
  const rows = [
    ...pairs.train.map((pair, idx) => ({ split: "train", idx, ...pair, noiseKind: pair.noiseKind ?? null })),
    ...pairs.valid.map((pair, idx) => ({ split: "valid", idx, ...pair, noisy: false, noiseKind: null })),
    ...pairs.test.map((pair, idx) => ({ split: "test", idx, ...pair, noisy: false, noiseKind: null })),
  ];
  for (let start = 0; start < rows.length; start += INSERT_CHUNK_ROWS) {
    const chunk = rows.slice(start, start + INSERT_CHUNK_ROWS);
    await client.query(
      `INSERT INTO "Sample" ("datasetId", split, idx, src, tgt, noisy, "noiseKind")
       SELECT $1, s::"Split", i, src, tgt, n, k
       FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::bool[], $7::text[]) AS t(s, i, src, tgt, n, k)`,
      [
        datasetId,
        chunk.map((row) => row.split),
        chunk.map((row) => row.idx),
        chunk.map((row) => row.src),
        chunk.map((row) => row.tgt),
        chunk.map((row) => row.noisy),
        chunk.map((row) => row.noiseKind),
      ],
    );
  }
}

import { parseArgs } from "node:util";
import { closeDatabase } from "../lib/db";
import { env } from "../lib/env";
import { downloadMulti30k } from "../lib/datasets/multi30k-files";
import { buildMulti30kRecipe, dataPreset } from "../lib/datasets/multi30k-recipe";
import { storeDataset } from "../lib/datasets/store-dataset";
import { DATA_PRESETS } from "../lib/presets";

const USAGE = `usage: npm run import -- --preset ${Object.keys(DATA_PRESETS).join("|")} [--name NAME] [--dir DIR] [--download]
Imports the Multi30k clean + noisy recipe into DATABASE_URL and prints the dataset id.
  --preset    data size (default tiny)
  --name      dataset name (default multi30k-PRESET)
  --dir       folder with the raw .gz files (default MULTI30K_DIR)
  --download  fetch missing files into --dir first, checking their SHA-256`;

/** Postgres error codes that mean the schema is missing: undefined_table, invalid_catalog_name. */
const MISSING_SCHEMA_CODES = new Set(["42P01", "3D000"]);

function parseOptions() {
  try {
    return parseArgs({
      options: {
        preset: { type: "string", default: "tiny" },
        name: { type: "string" },
        dir: { type: "string" },
        download: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    }).values;
  } catch (error) {
    // An unknown option or a missing value: print which, without a stack trace.
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && MISSING_SCHEMA_CODES.has(code)) {
    return `${message}. Run npm run migrate first to create the database and its tables.`;
  }
  return message;
}

const values = parseOptions();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

try {
  const preset = dataPreset(values.preset);
  const dir = values.dir ?? env().MULTI30K_DIR;
  if (values.download) await downloadMulti30k(dir);
  const pairs = await buildMulti30kRecipe(dir, preset);
  const name = values.name ?? `multi30k-${values.preset}`;
  const stored = await storeDataset(name, `multi30k:${values.preset}`, pairs);
  const { clean, noisy, valid, test } = stored.counts;
  console.error(
    `${stored.created ? "imported" : "already imported"} dataset ${stored.id} "${name}": ${clean} clean + ${noisy} noisy training pairs, ${valid} valid, ${test} test`,
  );
  console.log(stored.id);
} catch (error) {
  console.error(`import failed: ${describeFailure(error)}`);
  process.exitCode = 1;
} finally {
  await closeDatabase();
}

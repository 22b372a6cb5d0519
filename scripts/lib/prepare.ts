import { env } from "../../lib/env";
import { applyMigrations } from "../../lib/migrations";
import { buildMulti30kRecipe, dataPreset } from "../../lib/datasets/multi30k-recipe";
import { storeDataset } from "../../lib/datasets/store-dataset";
import type { DataPresetName, ModelPresetName } from "../../lib/presets";
import { ensureServices, type Services } from "./services";

/** The Multi30k data size each model preset trains on by default. */
export const DATA_FOR_MODEL_PRESET: Record<ModelPresetName, DataPresetName> = {
  micro: "micro",
  tiny: "tiny",
  compact: "small",
  base: "full",
};

export interface Prepared {
  services: Services;
  datasetId: number;
}

/** Brings up Postgres and Redis, migrates the schema and imports the Multi30k recipe. */
export async function prepare(dataPresetName: DataPresetName, log: (line: string) => void): Promise<Prepared> {
  const services = await ensureServices(log);
  try {
    const applied = await applyMigrations({ databaseUrl: services.databaseUrl });
    log(applied.length ? `applied migrations: ${applied.join(", ")}` : "database schema is up to date");
    const pairs = await buildMulti30kRecipe(env().MULTI30K_DIR, dataPreset(dataPresetName));
    const stored = await storeDataset(`multi30k-${dataPresetName}`, `multi30k:${dataPresetName}`, pairs);
    const { clean, noisy, valid, test } = stored.counts;
    log(`dataset ${stored.id} multi30k-${dataPresetName}: ${clean} clean + ${noisy} noisy training pairs, ${valid} valid, ${test} test`);
    return { services, datasetId: stored.id };
  } catch (error) {
    await services.stop();
    throw error;
  }
}

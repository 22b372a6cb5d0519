import { readFile } from "node:fs/promises";
import path from "node:path";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "../../lib/migrations";
import { compareSchema } from "./compare-schema";
import { readLiveSchema } from "./live-schema";
import { parsePrismaSchema, type PrismaSchema } from "./prisma-schema";
import { connect, DATABASE_SETUP_TIMEOUT_MS, databaseUrl, dropDatabase, uniqueDatabaseName } from "./test-database";

const SCHEMA_PATH = path.resolve(import.meta.dirname, "../../prisma/schema.prisma");

/** One change to a migrated database and the exact mismatches compareSchema must report. */
interface DriftCase {
  change: string;
  sql: string;
  mismatches: string[];
}

const DRIFT_CASES: DriftCase[] = [
  {
    change: "a wider column type",
    sql: `ALTER TABLE "Run" ALTER COLUMN "seed" TYPE BIGINT`,
    mismatches: ["Run.seed: expected type integer, found bigint"],
  },
  {
    change: "a different timestamp precision",
    sql: `ALTER TABLE "Run" ALTER COLUMN "startedAt" TYPE TIMESTAMP(6)`,
    mismatches: ["Run.startedAt: expected type timestamp(3) without time zone, found timestamp(6) without time zone"],
  },
  {
    change: "a required column made nullable",
    sql: `ALTER TABLE "Run" ALTER COLUMN "strategy" DROP NOT NULL`,
    mismatches: ["Run.strategy: expected NOT NULL, found nullable"],
  },
  {
    change: "a dropped literal default",
    sql: `ALTER TABLE "Run" ALTER COLUMN "progress" DROP DEFAULT`,
    mismatches: ["Run.progress: expected default 0, found none"],
  },
  {
    change: "another enum default",
    sql: `ALTER TABLE "Run" ALTER COLUMN "status" SET DEFAULT 'running'`,
    mismatches: [`Run.status: expected default queued, found 'running'::"RunStatus"`],
  },
  {
    change: "another boolean default",
    sql: `ALTER TABLE "Sample" ALTER COLUMN "noisy" SET DEFAULT true`,
    mismatches: ["Sample.noisy: expected default false, found true"],
  },
  {
    change: "now() in place of CURRENT_TIMESTAMP",
    sql: `ALTER TABLE "Sweep" ALTER COLUMN "createdAt" SET DEFAULT now()`,
    mismatches: ["Sweep.createdAt: expected default CURRENT_TIMESTAMP, found now()"],
  },
  {
    change: "an id without its sequence default",
    sql: `ALTER TABLE "Sweep" ALTER COLUMN "id" DROP DEFAULT`,
    mismatches: ["Sweep.id: expected default autoincrement() (a integer sequence owned by the column), found none"],
  },
  {
    change: "an extra enum value",
    sql: `ALTER TYPE "Split" ADD VALUE 'holdout'`,
    mismatches: ["enum Split: expected values [train, valid, test], found [train, valid, test, holdout]"],
  },
  {
    change: "an extra enum type",
    sql: `CREATE TYPE "Mood" AS ENUM ('calm')`,
    mismatches: [`enum type "Mood" exists in the database but not in schema.prisma`],
  },
  {
    change: "a dropped index",
    sql: `DROP INDEX "Run_status_idx"`,
    mismatches: [`Run @@index([status]): index "Run_status_idx" is missing`],
  },
  {
    change: "index columns in another order",
    sql: `DROP INDEX "SampleTrace_runId_epoch_idx";
          CREATE INDEX "SampleTrace_runId_epoch_idx" ON "SampleTrace"("epoch", "runId")`,
    mismatches: [
      `SampleTrace @@index([runId, epoch]): expected "SampleTrace_runId_epoch_idx" on (runId, epoch), found (epoch, runId)`,
    ],
  },
  {
    change: "a unique index made non-unique",
    sql: `DROP INDEX "Dataset_name_key"; CREATE INDEX "Dataset_name_key" ON "Dataset"("name")`,
    mismatches: [`Dataset.name @unique: expected "Dataset_name_key" to be unique, found non-unique`],
  },
  {
    change: "an extra index",
    sql: `CREATE INDEX "Run_sweepId_idx" ON "Run"("sweepId")`,
    mismatches: [`Run: index "Run_sweepId_idx" (sweepId) exists in the database but not in schema.prisma`],
  },
  {
    change: "another ON DELETE action",
    sql: `ALTER TABLE "Run" DROP CONSTRAINT "Run_sweepId_fkey";
          ALTER TABLE "Run" ADD CONSTRAINT "Run_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "Sweep"("id")
            ON DELETE CASCADE ON UPDATE CASCADE`,
    mismatches: [`Run.sweep @relation: expected "Run_sweepId_fkey" ON DELETE SET NULL, found ON DELETE CASCADE`],
  },
  {
    change: "a dropped foreign key",
    sql: `ALTER TABLE "Metric" DROP CONSTRAINT "Metric_runId_fkey"`,
    mismatches: [`Metric.run @relation: foreign key "Metric_runId_fkey" is missing`],
  },
  {
    change: "primary key columns in another order",
    sql: `ALTER TABLE "Translation" DROP CONSTRAINT "Translation_pkey";
          ALTER TABLE "Translation" ADD CONSTRAINT "Translation_pkey" PRIMARY KEY ("sampleId", "runId", "epoch")`,
    mismatches: [
      "Translation @@id([runId, sampleId, epoch]): expected primary key columns (runId, sampleId, epoch), found (sampleId, runId, epoch)",
    ],
  },
  {
    change: "a check constraint",
    sql: `ALTER TABLE "Run" ADD CONSTRAINT "Run_progress_check" CHECK ("progress" >= 0)`,
    mismatches: [
      `Run: check constraint Run_progress_check: CHECK ((progress >= (0)::double precision)) exists in the database but not in schema.prisma`,
    ],
  },
  {
    change: "a dropped table",
    sql: `DROP TABLE "Checkpoint"`,
    mismatches: [`Checkpoint: table "Checkpoint" is missing`],
  },
  {
    change: "an extra table",
    sql: `CREATE TABLE "Scratch" ("id" INTEGER)`,
    mismatches: [`table "Scratch" exists in the database but no model in schema.prisma declares it`],
  },
];

let prismaSchema: PrismaSchema;

beforeAll(async () => {
  prismaSchema = parsePrismaSchema(await readFile(SCHEMA_PATH, "utf8"));
});

describe("schema drift", () => {
  describe("when only the migrations are applied", () => {
    const name = uniqueDatabaseName("drift");
    let client: pg.Client;

    beforeAll(async () => {
      await applyMigrations({ databaseUrl: databaseUrl(name) });
      client = await connect(name);
    }, DATABASE_SETUP_TIMEOUT_MS);

    afterAll(async () => {
      await client?.end();
      await dropDatabase(name);
    });

    it("matches schema.prisma", async () => {
      const mismatches = compareSchema(prismaSchema, await readLiveSchema(client));
      expect(mismatches).toEqual([]);
    });

    it("has one table per model plus the history", async () => {
      const live = await readLiveSchema(client);
      const expected = [...prismaSchema.models.map((model) => model.name), "_prisma_migrations"];
      expect(live.tables.map((table) => table.name).sort()).toEqual(expected.sort());
    });

    // Each change runs in a transaction that is rolled back, so the cases share one database.
    it.each(DRIFT_CASES)("reports $change", async ({ sql, mismatches }) => {
      await client.query("BEGIN");
      try {
        await client.query(sql);
        expect(compareSchema(prismaSchema, await readLiveSchema(client))).toEqual(mismatches);
      } finally {
        await client.query("ROLLBACK");
      }
    });
  });

  describe("when drifting SQL is committed after the migrations", () => {
    const name = uniqueDatabaseName("drift_committed");
    let client: pg.Client;

    beforeAll(async () => {
      await applyMigrations({ databaseUrl: databaseUrl(name) });
      client = await connect(name);
      await client.query(`ALTER TABLE "Run" ALTER COLUMN "error" SET NOT NULL`);
      await client.query(`ALTER TABLE "Run" ADD COLUMN "notes" TEXT`);
    }, DATABASE_SETUP_TIMEOUT_MS);

    afterAll(async () => {
      await client?.end();
      await dropDatabase(name);
    });

    it("reports exactly those mismatches", async () => {
      const mismatches = compareSchema(prismaSchema, await readLiveSchema(client));
      expect(mismatches).toEqual([
        "Run.error: expected nullable, found NOT NULL",
        "Run.notes: column exists in the database but not in schema.prisma",
      ]);
    });
  });
});

import { env } from "../lib/env";
import { exitWithError } from "../lib/exit-with-error";
import { applyMigrations } from "../lib/migrations";

// Applies prisma/migrations to DATABASE_URL, creating the database when it is missing.
try {
  const applied = await applyMigrations({ databaseUrl: env().DATABASE_URL });
  console.log(applied.length ? `applied migrations: ${applied.join(", ")}` : "database schema is up to date");
} catch (error) {
  exitWithError("migrate", error);
}

import { env } from "../lib/env";
import { applyMigrations } from "../lib/migrations";

// Applies prisma/migrations to DATABASE_URL, creating the database when it is missing.
const applied = await applyMigrations({ databaseUrl: env().DATABASE_URL });
console.log(applied.length ? `applied migrations: ${applied.join(", ")}` : "database schema is up to date");

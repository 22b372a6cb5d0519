import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { env } from "./env";
import { PrismaClient } from "./generated/prisma/client";

export type { Prisma } from "./generated/prisma/client";
export { RunStatus, Split } from "./generated/prisma/enums";

interface Database {
  pool: pg.Pool;
  prisma: InstanceType<typeof PrismaClient>;
}

// Next.js reloads modules in development; keeping the pool on globalThis stops each reload
// from opening a new set of connections.
const holder = globalThis as typeof globalThis & { winnowDatabase?: Database };

/** Opens (once per process) the Postgres pool and the Prisma client that uses it. */
export function database(): Database {
  if (!holder.winnowDatabase) {
    const pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 8 });
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    holder.winnowDatabase = { pool, prisma };
  }
  return holder.winnowDatabase;
}

export function prisma() {
  return database().prisma;
}

/** Closes the Prisma client and the pool; the next `database()` call opens new ones. */
export async function closeDatabase(): Promise<void> {
  const current = holder.winnowDatabase;
  holder.winnowDatabase = undefined;
  if (!current) return;
  try {
    await current.prisma.$disconnect();
  } finally {
    await current.pool.end();
  }
}

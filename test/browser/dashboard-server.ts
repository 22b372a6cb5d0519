import path from "node:path";
import { findFreePort } from "./free-port";
import { startChild, type ManagedChild } from "./managed-child";

const ROOT = path.resolve(import.meta.dirname, "../..");
const NEXT_BIN = path.join(ROOT, "node_modules/.bin/next");
const SERVER_START_TIMEOUT_MS = 60_000;

export interface Dashboard {
  baseUrl: string;
  server: ManagedChild;
}

/** Environment of a dashboard process: the given queue and database, production mode. */
export function dashboardEnv(databaseUrl: string, queueName: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    WINNOW_QUEUE: queueName,
    LOG_LEVEL: "warn",
    NEXT_TELEMETRY_DISABLED: "1",
    // vitest sets NODE_ENV=test, a value Next.js warns against; the dashboard runs as in production.
    NODE_ENV: "production",
  };
}

/**
 * Starts `next start` on a free port and waits until it serves a static file. The caller stops
 * the returned server; it is also added to `servers` so an afterAll can stop every one.
 */
export async function startDashboard(env: NodeJS.ProcessEnv, servers: ManagedChild[]): Promise<Dashboard> {
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = startChild("web", NEXT_BIN, ["start", "--hostname", "127.0.0.1", "--port", String(port)], { cwd: ROOT, env });
  servers.push(server);
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.hasExited()) throw new Error(`the dashboard exited before it responded:\n${server.outputTail()}`);
    const response = await fetch(`${baseUrl}/icon.svg`).catch(() => null);
    if (response?.ok) return { baseUrl, server };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the dashboard did not respond at ${baseUrl} within ${SERVER_START_TIMEOUT_MS} ms:\n${server.outputTail()}`);
}

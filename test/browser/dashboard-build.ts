import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runChild } from "./managed-child";

/** Sources whose change makes a production build of the dashboard stale. */
const BUILD_INPUTS = ["app", "components", "lib", "next.config.ts"];

async function newestModification(target: string): Promise<number> {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of await readdir(target, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** A build lock older than this is left over from a killed test run, and is taken over. */
const STALE_LOCK_MS = 15 * 60_000;
const LOCK_POLL_MS = 500;

/**
 * Runs `fn` while holding a lock folder in the system's temporary folder, one per checkout, so
 * that browser test files running in parallel do not build into the same `.next` at once.
 * The lock lives outside `.next` because `next build` empties that folder.
 */
async function withBuildLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const lockDir = path.join(os.tmpdir(), `winnow-next-build-${createHash("sha256").update(root).digest("hex").slice(0, 16)}.lock`);
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const lockedAt = await stat(lockDir).then((info) => info.mtimeMs, () => Date.now());
      if (Date.now() - lockedAt > STALE_LOCK_MS) await rm(lockDir, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

/**
 * Runs `next build` unless `.next` contains a build newer than every file the dashboard is built
 * from, because `next start` serves only a production build and building every time is slow.
 */
export async function ensureDashboardBuild(root: string, env: NodeJS.ProcessEnv): Promise<void> {
  await withBuildLock(root, async () => {
    const buildIdFile = path.join(root, ".next/BUILD_ID");
    const builtAt = existsSync(buildIdFile) ? statSync(buildIdFile).mtimeMs : 0;
    const sourceTimes = await Promise.all(BUILD_INPUTS.map((input) => newestModification(path.join(root, input))));
    if (builtAt > Math.max(...sourceTimes)) return;
    await runChild("next build", path.join(root, "node_modules/.bin/next"), ["build"], { cwd: root, env });
  });
}

import { existsSync, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
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

/**
 * Runs `next build` unless `.next` contains a build newer than every file the dashboard is built
 * from, because `next start` serves only a production build and building every time is slow.
 */
export async function ensureDashboardBuild(root: string, env: NodeJS.ProcessEnv): Promise<void> {
  const buildIdFile = path.join(root, ".next/BUILD_ID");
  const builtAt = existsSync(buildIdFile) ? statSync(buildIdFile).mtimeMs : 0;
  const sourceTimes = await Promise.all(BUILD_INPUTS.map((input) => newestModification(path.join(root, input))));
  if (builtAt > Math.max(...sourceTimes)) return;
  await runChild("next build", path.join(root, "node_modules/.bin/next"), ["build"], { cwd: root, env });
}

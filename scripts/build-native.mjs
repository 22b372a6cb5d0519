// Builds the N-API addon in native/ (OpenBLAS matrix products and fused training kernels for the
// wasm backend) into native/build/Release/winnow_native.node. npm install runs it after the Prisma
// client is generated. It never fails the install: when OpenBLAS, node-gyp, the Node headers or
// the compiler are missing, or the build fails, it prints one line saying so and exits 0, and
// training runs on plain WebAssembly. `--verbose` shows the compiler output.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const NATIVE_DIR = path.join(ROOT, "native");
const ADDON = path.join(NATIVE_DIR, "build", "Release", "winnow_native.node");
const FALLBACK = "training falls back to plain wasm";
const VERBOSE = process.argv.includes("--verbose");
const INSTALL_HINT =
  "install libopenblas-dev (Debian/Ubuntu: apt-get install libopenblas-dev; macOS: brew install openblas), then run node scripts/build-native.mjs";

/** Include and library folders that distributions use for OpenBLAS, tried after pkg-config. */
const KNOWN_PREFIXES = [
  { include: "/usr/include/x86_64-linux-gnu/openblas-pthread", lib: "/usr/lib/x86_64-linux-gnu/openblas-pthread" },
  { include: "/usr/include/aarch64-linux-gnu/openblas-pthread", lib: "/usr/lib/aarch64-linux-gnu/openblas-pthread" },
  { include: "/usr/include/openblas", lib: "/usr/lib64" },
  { include: "/usr/local/include", lib: "/usr/local/lib" },
  { include: "/opt/homebrew/opt/openblas/include", lib: "/opt/homebrew/opt/openblas/lib" },
  { include: "/usr/local/opt/openblas/include", lib: "/usr/local/opt/openblas/lib" },
];

function skip(reason) {
  console.log(`native kernels not built: ${reason}; ${FALLBACK}`);
  process.exit(0);
}

/** OpenBLAS folders from pkg-config, or from the known locations; null when its cblas.h is missing. */
function findOpenBlas() {
  const pkgConfig = spawnSync("pkg-config", ["--cflags-only-I", "--libs-only-L", "openblas"], { encoding: "utf8" });
  if (pkgConfig.status === 0) {
    const flags = pkgConfig.stdout.trim().split(/\s+/);
    const include = flags.find((flag) => flag.startsWith("-I"))?.slice(2).replace(/\/$/, "") ?? "/usr/include";
    const lib = flags.find((flag) => flag.startsWith("-L"))?.slice(2).replace(/\/$/, "") ?? "/usr/lib";
    if (existsSync(path.join(include, "cblas.h"))) return { include, lib };
  }
  return KNOWN_PREFIXES.find(
    (prefix) => existsSync(path.join(prefix.include, "cblas.h")) && existsSync(path.join(prefix.include, "openblas_config.h")),
  ) ?? null;
}

/** node-gyp's entry script: a local dependency if there is one, else the copy that npm bundles. */
function findNodeGyp() {
  const require = createRequire(import.meta.url);
  try {
    return require.resolve("node-gyp/bin/node-gyp.js");
  } catch {
    // Not a dependency of winnow; npm ships its own copy.
  }
  const npmCli = process.env.npm_execpath;
  const candidates = [
    npmCli ? path.join(path.dirname(npmCli), "..", "node_modules", "node-gyp", "bin", "node-gyp.js") : null,
    path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
  ];
  return candidates.find((candidate) => candidate !== null && existsSync(candidate)) ?? null;
}

/** Folder with include/node/node_api.h, so node-gyp does not try to download headers. */
function findNodeDir() {
  const configured = process.env.npm_config_nodedir;
  if (configured && existsSync(path.join(configured, "include", "node", "node_api.h"))) return configured;
  const prefix = path.resolve(path.dirname(process.execPath), "..");
  return existsSync(path.join(prefix, "include", "node", "node_api.h")) ? prefix : null;
}

/** Loads the built addon in a fresh process and returns its OpenBLAS description, or throws. */
function describeAddon() {
  const probe = `const addon = require(${JSON.stringify(ADDON)}); console.log(addon.describe().blas);`;
  const result = spawnSync(process.execPath, ["-e", probe], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(result.stderr.trim().split("\n")[0] || `exit status ${result.status}`);
  return result.stdout.trim();
}

function main() {
  const openBlas = findOpenBlas();
  if (openBlas === null) skip(`OpenBLAS headers (cblas.h) not found; ${INSTALL_HINT}`);
  const nodeGyp = findNodeGyp();
  if (nodeGyp === null) skip("node-gyp not found (npm bundles it; reinstall npm or run npm install node-gyp)");
  const nodeDir = findNodeDir();
  if (nodeDir === null) skip("Node.js headers (include/node/node_api.h) not found next to this node binary");

  const build = spawnSync(
    process.execPath,
    [nodeGyp, "rebuild", `--nodedir=${nodeDir}`, "--", `-Dopenblas_include=${openBlas.include}`, `-Dopenblas_lib=${openBlas.lib}`],
    { cwd: NATIVE_DIR, encoding: "utf8", stdio: VERBOSE ? "inherit" : "pipe" },
  );
  if (build.status !== 0) {
    const output = `${build.stdout ?? ""}\n${build.stderr ?? ""}`;
    const firstError = output.split("\n").find((line) => /error/i.test(line) && !line.startsWith("gyp info")) ?? `exit status ${build.status}`;
    skip(`node-gyp failed (${firstError.trim()}); run node scripts/build-native.mjs --verbose to see the compiler output`);
  }

  try {
    console.log(`native kernels built: ${path.relative(ROOT, ADDON)} (${describeAddon()})`);
  } catch (error) {
    skip(`${path.relative(ROOT, ADDON)} was built but does not load (${error.message})`);
  }
}

try {
  main();
} catch (error) {
  skip(`the build script failed (${error instanceof Error ? error.message : String(error)})`);
}

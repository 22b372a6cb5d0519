import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "node_modules/.bin");

export interface ManagedProcess {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a child process whose output is prefixed with `name`, and stops it with SIGTERM. */
export function startProcess(name: string, command: string, args: string[], options: { quiet?: boolean } = {}): ManagedProcess {
  const child = spawn(command, args, { cwd: ROOT, env: process.env, stdio: ["ignore", "pipe", "pipe"] });
  const forward = (stream: NodeJS.ReadableStream | null, target: NodeJS.WriteStream) => {
    if (!stream) return;
    let buffered = "";
    stream.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      if (!options.quiet) for (const line of lines) target.write(`[${name}] ${line}\n`);
    });
  };
  forward(child.stdout, process.stderr);
  forward(child.stderr, process.stderr);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timeout = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}

/** Starts `npm run worker` as a child process. */
export function startWorkerProcess(options: { quiet?: boolean } = {}): ManagedProcess {
  return startProcess("worker", path.join(BIN, "tsx"), ["worker/main.ts"], options);
}

/** Starts the built Next.js dashboard on 127.0.0.1:port. */
export function startDashboard(port: number, options: { quiet?: boolean } = {}): ManagedProcess {
  return startProcess("web", path.join(BIN, "next"), ["start", "--hostname", "127.0.0.1", "--port", String(port)], options);
}

/** Runs a command to the end, failing with its exit code. */
export async function runToEnd(name: string, command: string, args: string[]): Promise<void> {
  const managed = startProcess(name, command, args);
  const code = await new Promise<number | null>((resolve) => managed.child.once("exit", (exitCode) => resolve(exitCode)));
  if (code !== 0) throw new Error(`${name} failed with exit code ${code}`);
}

export const NEXT_BIN = path.join(BIN, "next");
export const PROJECT_ROOT = ROOT;

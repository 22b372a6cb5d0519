import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "node_modules/.bin");

export interface ManagedProcess {
  child: ChildProcess;
  /** Set once the process has exited: its exit code, or the signal that ended it. */
  exitedWith(): string | undefined;
  stop(): Promise<void>;
}

export interface StartProcessOptions {
  /** Drops the process's output instead of copying it to stderr. */
  quiet?: boolean;
  /** Variables added to this process's environment for the child. */
  env?: Record<string, string>;
}

/** Starts a child process whose output is prefixed with `name`, and stops it with SIGTERM. */
export function startProcess(name: string, command: string, args: string[], options: StartProcessOptions = {}): ManagedProcess {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
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
  let exitStatus: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exitStatus = signal ? `signal ${signal}` : `exit code ${code}`;
      resolve();
    }),
  );
  return {
    child,
    exitedWith: () => exitStatus,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timeout = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}

/** Starts `npm run worker` as a child process whose output lines are prefixed with `name`. */
export function startWorkerProcess(options: StartProcessOptions & { name?: string } = {}): ManagedProcess {
  return startProcess(options.name ?? "worker", path.join(BIN, "tsx"), ["worker/main.ts"], options);
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

/** Fails when something already listens on 127.0.0.1:port, naming the port and the flag. */
export async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === "EADDRINUSE" ? `port ${port} is in use; choose another with --port` : `port ${port}: ${error.message}`)),
    );
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

/** Waits until `url` responds to HTTP, failing when `managed` exits first or after `timeoutMs`. */
export async function waitForHttp(url: string, managed: ManagedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const exit = managed.exitedWith();
    if (exit) throw new Error(`the server for ${url} stopped (${exit}) before it responded`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(5000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  throw new Error(`${url} did not respond within ${timeoutMs / 1000} s`);
}

import { spawn, type ChildProcess } from "node:child_process";

/** Lines of a child's output kept for error messages. */
const OUTPUT_TAIL_LINES = 60;
/** Time a child gets to exit after SIGTERM before it is killed. */
const STOP_GRACE_MS = 10_000;

export interface ManagedChild {
  name: string;
  child: ChildProcess;
  /** The last lines the child wrote to stdout and stderr, prefixed with its name. */
  outputTail(): string;
  /** Everything the child wrote to stdout. */
  stdout(): string;
  /** Resolves with the exit code (null when killed by a signal) once the child has exited. */
  exited: Promise<number | null>;
  hasExited(): boolean;
  /** Sends SIGTERM, then SIGKILL after a grace period, and waits for the exit. */
  stop(): Promise<void>;
}

/** Starts a child process in `cwd` that keeps its recent output for diagnostics. */
export function startChild(name: string, command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): ManagedChild {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
  const tail: string[] = [];
  let stdoutText = "";
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line.trim() === "") continue;
      tail.push(`[${name}] ${line}`);
      if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
    }
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    stdoutText += chunk.toString("utf8");
    keep(chunk);
  });
  child.stderr?.on("data", keep);

  let exitedFlag = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      exitedFlag = true;
      resolve(code);
    });
    child.once("error", (error) => {
      tail.push(`[${name}] failed to start: ${error.message}`);
      exitedFlag = true;
      resolve(null);
    });
  });

  const stop = async () => {
    if (exitedFlag) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  return { name, child, outputTail: () => tail.join("\n"), stdout: () => stdoutText, exited, hasExited: () => exitedFlag, stop };
}

/** Runs a command to its end and returns its stdout; a non-zero exit throws with the output tail. */
export async function runChild(name: string, command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<string> {
  const managed = startChild(name, command, args, options);
  const code = await managed.exited;
  if (code !== 0) throw new Error(`${name} failed with exit code ${code}:\n${managed.outputTail()}`);
  return managed.stdout();
}

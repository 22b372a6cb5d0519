import { type ManagedProcess, startWorkerProcess } from "./processes";

export interface WorkerPool {
  readonly size: number;
  /** Set once every worker has exited: how each one ended. Undefined while one still runs. */
  exitedWith(): string | undefined;
  /** Stops every worker; a worker that fails to stop does not keep the others running. */
  stop(): Promise<void>;
}

export interface WorkerPoolOptions {
  /** Worker processes to start, at least 1. */
  size: number;
  /** CPU cores the workers share, for their OpenBLAS thread count. */
  cores: number;
  log: (line: string) => void;
}

/**
 * OpenBLAS threads for each of `size` workers on `cores` cores, so that workers times threads stays
 * within the cores: OpenBLAS otherwise gives every process all cores of the machine.
 *
 * NOTE: this covers the wasm backend's native kernels only. The tensorflow backend of tfjs-node
 * sizes its own thread pool, so many workers on it may oversubscribe the cores.
 */
export function openBlasThreadsPerWorker(size: number, cores: number): number {
  return Math.max(1, Math.floor(cores / size));
}

/**
 * Starts `size` processes of `npm run worker` on the queue of WINNOW_QUEUE, each training one run
 * at a time. OPENBLAS_NUM_THREADS is set for them unless this process's environment sets it.
 */
export function startWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const env: Record<string, string> = {};
  if (process.env.OPENBLAS_NUM_THREADS === undefined) {
    env.OPENBLAS_NUM_THREADS = String(openBlasThreadsPerWorker(options.size, options.cores));
  }
  const workers: ManagedProcess[] = [];
  let stopping = false;
  for (let index = 1; index <= options.size; index++) {
    const worker = startWorkerProcess({ name: `worker-${index}`, env });
    worker.child.once("exit", () => {
      if (!stopping) options.log(`worker-${index} exited (${worker.exitedWith()}); ${workers.filter((w) => !w.exitedWith()).length} workers remain`);
    });
    workers.push(worker);
  }

  return {
    size: options.size,
    exitedWith: () => {
      const exits = workers.map((worker) => worker.exitedWith());
      if (exits.some((exit) => exit === undefined)) return undefined;
      return `all ${workers.length} workers exited: ${exits.map((exit, index) => `worker-${index + 1} ${exit}`).join(", ")}`;
    },
    stop: async () => {
      stopping = true;
      const results = await Promise.allSettled(workers.map((worker) => worker.stop()));
      results.forEach((result, index) => {
        if (result.status === "rejected") options.log(`stopping worker-${index + 1} failed: ${(result.reason as Error).message}`);
      });
    },
  };
}

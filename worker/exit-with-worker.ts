// Loaded with --import into every process that BullMQ forks for a job (training and translate),
// before BullMQ's own child code, so it applies from the process's start. Such a process must exit
// when the worker above it stops or dies: the job's lock is gone, another worker takes the job
// over, and a process that trained on would later overwrite the run's status.
//
// Without this, a process could outlive its worker. BullMQ's child code reports uncaught errors
// to the worker and exits only once the report is sent. With the worker gone, the report fails,
// which raises a new error, and the loop spins the CPU and never lets the "disconnect" event in.
// Writing to stdout or stderr, which are pipes to the worker, is the usual first error.

function isWorkerGoneError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "EPIPE" || code === "ERR_IPC_CHANNEL_CLOSED";
}

process.once("disconnect", () => process.exit(1));

for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (isWorkerGoneError(error)) process.exit(1);
    throw error;
  });
}

// Registered before BullMQ's handler, so it runs first and exits before that handler's report fails.
process.on("uncaughtException", (error) => {
  if (!process.connected || isWorkerGoneError(error)) process.exit(1);
});

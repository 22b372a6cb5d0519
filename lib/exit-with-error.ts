/**
 * Prints "<program> failed: <message>" on one line of stderr, without a stack trace, and exits
 * with code 1. For command-line entry points, whose users need the cause, not the call stack.
 */
export function exitWithError(program: string, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`${program} failed: ${message.replace(/\s*\n\s*/g, " ")}`);
  process.exit(1);
}

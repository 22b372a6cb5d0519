import pino from "pino";
import { env } from "./env";

/**
 * Returns LOG_LEVEL, or "info" while the environment is invalid. The logger is created when this
 * module loads, and throwing then would turn the first request of the dashboard into Next's
 * generic error page instead of an error response that names the invalid variable.
 */
function configuredLogLevel(): string {
  try {
    return env().LOG_LEVEL;
  } catch {
    // The next env() call, which nearly every request and command makes, reports the problem.
    return "info";
  }
}

/** The root logger: JSON lines on stdout. Modules take a child with `logger.child({ module })`. */
export const logger = pino({
  level: configuredLogLevel(),
  redact: { paths: ["*.password", "*.DATABASE_URL", "*.REDIS_URL"], censor: "[redacted]" },
  base: undefined,
});

export function moduleLogger(module: string) {
  return logger.child({ module });
}

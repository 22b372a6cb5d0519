import pino from "pino";
import { env } from "./env";

/** The root logger: JSON lines on stdout. Modules take a child with `logger.child({ module })`. */
export const logger = pino({
  level: env().LOG_LEVEL,
  redact: { paths: ["*.password", "*.DATABASE_URL", "*.REDIS_URL"], censor: "[redacted]" },
  base: undefined,
});

export function moduleLogger(module: string) {
  return logger.child({ module });
}

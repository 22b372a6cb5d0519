import path from "node:path";
import { z } from "zod";

/**
 * Returns the schema of a URL variable whose scheme must be one of `protocols` ("redis:"). Its
 * messages name the variable and at most the scheme it got, never the URL, which may hold a password.
 */
function urlVariable(variable: string, protocols: string[]) {
  const expected = protocols.map((protocol) => `${protocol}//`).join(" or ");
  return z.string().superRefine((text, ctx) => {
    if (!URL.canParse(text)) {
      ctx.addIssue({ code: "custom", message: `${variable} must be a ${expected} URL, got text that is not a URL` });
    } else if (!protocols.includes(new URL(text).protocol)) {
      ctx.addIssue({ code: "custom", message: `${variable} must use the ${expected} scheme, got ${new URL(text).protocol}//` });
    }
  });
}

/** Environment variables read by winnow. Every other module takes its settings from `env()`. */
const envSchema = z.object({
  DATABASE_URL: urlVariable("DATABASE_URL", ["postgres:", "postgresql:"]).default("postgresql://postgres@127.0.0.1:5432/winnow"),
  REDIS_URL: urlVariable("REDIS_URL", ["redis:", "rediss:"]).default("redis://127.0.0.1:6379"),
  /** Folder with the raw Multi30k files (task1.*.gz, task2.*.gz). */
  MULTI30K_DIR: z.string().min(1).default("../shared/data/multi30k"),
  /** Folder for checkpoints, tokenizer caches and the embedded Postgres data. */
  WINNOW_DATA_DIR: z.string().min(1).default(".data"),
  /** BullMQ queue name, so tests and several deployments can share one Redis. */
  WINNOW_QUEUE: z.string().regex(/^[A-Za-z0-9_-]+$/).default("runs"),
  /** Training backend to force: tensorflow, wasm or cpu. Unset picks the fastest that loads. */
  WINNOW_BACKEND: z.enum(["tensorflow", "wasm", "cpu"]).optional(),
  /**
   * Folder for run checkpoints, one subfolder per run; default `<WINNOW_DATA_DIR>/checkpoints`.
   * A run resumes after a worker dies only where the next worker can read this folder, so
   * workers on several machines need it on shared storage.
   */
  WINNOW_CHECKPOINT_DIR: z.string().min(1).optional(),
  /**
   * How long a BullMQ job lock lasts without renewal, in milliseconds, from 1000 to 3600000;
   * default 60000. The stalled-job check runs every half of it, so a run whose worker died is
   * taken up again by another worker within about one and a half times this long.
   */
  WINNOW_LOCK_DURATION_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  /**
   * Whether training on the wasm backend uses the OpenBLAS kernels of native/ when they are
   * built: 1 (default) or 0. Set 0 to train on plain WebAssembly, for example to compare speed.
   */
  WINNOW_NATIVE_KERNELS: z.enum(["0", "1"]).default("1").transform((value) => value === "1"),
  /** Runs one worker process trains at a time. */
  WINNOW_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * How long the translate API waits for a worker's translations, in milliseconds, from 1000 to
   * 600000; default 60000. A worker's first request for a run also loads its checkpoint.
   */
  WINNOW_TRANSLATE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(60_000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
});

export type Env = z.infer<typeof envSchema> & { WINNOW_CHECKPOINT_DIR: string };

let cached: Env | undefined;

/** Returns the variables set to a non-empty value, so that `NAME=` counts as unset. */
function nonEmptyVariables(source: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(source).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ""));
}

/** Formats one invalid variable with the value it was set to, except for URLs, which may hold a password. */
function describeEnvIssue(issue: z.core.$ZodIssue, variables: Record<string, string>): string {
  const name = issue.path.join(".");
  if (issue.message.startsWith(`${name} `)) return issue.message;
  const value = name.endsWith("_URL") || variables[name] === undefined ? "" : `, got ${JSON.stringify(variables[name])}`;
  return `${name}: ${issue.message}${value}`;
}

/** Parses process.env once; the error lists every invalid variable with its problem, on one line. */
export function env(): Env {
  if (cached) return cached;
  const variables = nonEmptyVariables(process.env);
  const parsed = envSchema.safeParse(variables);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => describeEnvIssue(issue, variables));
    throw new Error(`invalid environment variables: ${problems.join("; ")}`);
  }
  cached = {
    ...parsed.data,
    WINNOW_CHECKPOINT_DIR: parsed.data.WINNOW_CHECKPOINT_DIR ?? path.join(parsed.data.WINNOW_DATA_DIR, "checkpoints"),
  };
  return cached;
}

/** Forgets the parsed environment, for scripts that set variables after start-up. */
export function resetEnv(): void {
  cached = undefined;
}

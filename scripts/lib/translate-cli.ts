import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { closeDatabase } from "../../lib/db";
import { WinnowError } from "../../lib/errors";
import { DEFAULT_TRANSLATE_BEAM_SIZE } from "../../lib/translate-request";
import { MAX_BEAM_SIZE } from "../../worker/engine/beam-search";
import { translateSentences } from "../../worker/translate-run";

export const TRANSLATE_USAGE = `usage: npm run translate -- --run ID [--beam ${DEFAULT_TRANSLATE_BEAM_SIZE}] [--file F | SENTENCE... | < F]
Translates sentences with the newest checkpoint of a run and prints one translation per line.
  --run ID          run whose newest checkpoint translates (read from DATABASE_URL)
  --checkpoint DIR  translate with this checkpoint folder instead of a run; needs no database
  --beam N          hypotheses per sentence, 1 to ${MAX_BEAM_SIZE} (default ${DEFAULT_TRANSLATE_BEAM_SIZE}); 1 is greedy search
  --file F          read the sentences from file F, one per line
  SENTENCE...       translate each argument as one sentence
Without --file or sentence arguments, reads sentences from stdin, one per line.
A blank input line prints a blank output line.`;

/** Source of the sentences: the command's arguments, a file or stdin. */
export type SentenceInput = { kind: "arguments"; sentences: string[] } | { kind: "file"; path: string } | { kind: "stdin" };

export interface TranslateCliOptions {
  runId?: number;
  checkpointDir?: string;
  beamSize: number;
  input: SentenceInput;
}

const POSITIVE_INTEGER = /^[1-9]\d*$/;

/**
 * Parses the command line of `npm run translate` (without node and the script). Returns "help"
 * for --help. Throws an invalid_input WinnowError that names the bad option and its value.
 */
export function parseTranslateArgs(argv: string[], options: { stdinIsTTY: boolean }): TranslateCliOptions | "help" {
  const { values, positionals } = parseCommandLine(argv);
  if (values.help) return "help";

  if (values.run !== undefined && values.checkpoint !== undefined) {
    throw new WinnowError("invalid_input", "give either --run or --checkpoint, not both");
  }
  if (values.run === undefined && values.checkpoint === undefined) {
    throw new WinnowError("invalid_input", "missing --run ID (or --checkpoint DIR): which model should translate?");
  }
  if (values.run !== undefined && !POSITIVE_INTEGER.test(values.run)) {
    throw new WinnowError("invalid_input", `--run must be a positive integer, got ${JSON.stringify(values.run)}`);
  }
  const beamSize = Number(values.beam);
  if (!POSITIVE_INTEGER.test(values.beam) || beamSize > MAX_BEAM_SIZE) {
    throw new WinnowError("invalid_input", `--beam must be an integer from 1 to ${MAX_BEAM_SIZE}, got ${JSON.stringify(values.beam)}`);
  }

  return {
    runId: values.run === undefined ? undefined : Number(values.run),
    checkpointDir: values.checkpoint,
    beamSize,
    input: chooseInput(values.file, positionals, options.stdinIsTTY),
  };
}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        run: { type: "string" },
        checkpoint: { type: "string" },
        beam: { type: "string", default: String(DEFAULT_TRANSLATE_BEAM_SIZE) },
        file: { type: "string" },
        help: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    // parseArgs names an unknown option or a missing value; its message is kept.
    throw new WinnowError("invalid_input", `invalid arguments: ${(error as Error).message}`, { cause: error });
  }
}

function chooseInput(file: string | undefined, positionals: string[], stdinIsTTY: boolean): SentenceInput {
  if (file !== undefined && positionals.length > 0) {
    throw new WinnowError("invalid_input", "give sentences either with --file or as arguments, not both");
  }
  if (file !== undefined) return { kind: "file", path: file };
  if (positionals.length > 0) return { kind: "arguments", sentences: positionals };
  if (stdinIsTTY) {
    throw new WinnowError("invalid_input", "no input: give sentences as arguments, with --file F, or on stdin");
  }
  return { kind: "stdin" };
}

/**
 * Reads the sentences of `input`, one per line for a file or stdin (a final newline adds no
 * sentence). Throws an invalid_input WinnowError when the input has no sentence that is not blank.
 */
export async function readSentences(input: SentenceInput, stdin: AsyncIterable<string | Buffer> = process.stdin): Promise<string[]> {
  const sentences = input.kind === "arguments" ? input.sentences : splitLines(await readText(input, stdin));
  if (sentences.every((sentence) => sentence.trim() === "")) throw new WinnowError("invalid_input", emptyInputMessage(input));
  return sentences;
}

function emptyInputMessage(input: SentenceInput): string {
  if (input.kind === "arguments") return "no input: every sentence argument is blank";
  const source = input.kind === "file" ? `file ${input.path}` : "stdin";
  return `no input: ${source} contains no sentence to translate`;
}

async function readText(input: Exclude<SentenceInput, { kind: "arguments" }>, stdin: AsyncIterable<string | Buffer>): Promise<string> {
  if (input.kind === "file") {
    try {
      return await readFile(input.path, "utf8");
    } catch (error) {
      throw new WinnowError("invalid_input", `--file ${input.path} could not be read: ${(error as Error).message}`, { cause: error });
    }
  }
  const chunks: string[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? chunk : chunk.toString("utf8"));
  return chunks.join("");
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/**
 * Runs `npm run translate`: prints one translation per input line on stdout, or the error on
 * stderr. Returns the exit code: 0 on success, 2 for invalid arguments or input, 1 otherwise.
 */
export async function runTranslateCli(argv: string[]): Promise<number> {
  try {
    const options = parseTranslateArgs(argv, { stdinIsTTY: process.stdin.isTTY === true });
    if (options === "help") {
      console.log(TRANSLATE_USAGE);
      return 0;
    }
    const sentences = await readSentences(options.input);
    const result = await translateSentences({ runId: options.runId, checkpointDir: options.checkpointDir, sentences, beamSize: options.beamSize });
    process.stdout.write(result.translations.map((line) => `${line}\n`).join(""));
    return 0;
  } catch (error) {
    const invalid = error instanceof WinnowError && error.code === "invalid_input";
    console.error(`translate: ${(error as Error).message}${invalid ? `\n${TRANSLATE_USAGE}` : ""}`);
    return invalid ? 2 : 1;
  } finally {
    await closeDatabase();
  }
}

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WinnowError } from "../../lib/errors";
import { parseTranslateArgs, readSentences } from "../../scripts/lib/translate-cli";

const FROM_TERMINAL = { stdinIsTTY: true };
const FROM_PIPE = { stdinIsTTY: false };

function parseError(argv: string[], options = FROM_TERMINAL): WinnowError {
  try {
    parseTranslateArgs(argv, options);
  } catch (error) {
    expect(error).toBeInstanceOf(WinnowError);
    return error as WinnowError;
  }
  throw new Error(`parseTranslateArgs accepted ${JSON.stringify(argv)}`);
}

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "winnow-translate-cli-"));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("parseTranslateArgs", () => {
  describe("when the arguments are valid", () => {
    it("takes sentences from arguments", () => {
      expect(parseTranslateArgs(["--run", "7", "Ein Hund.", "Zwei Katzen."], FROM_TERMINAL)).toEqual({
        runId: 7,
        checkpointDir: undefined,
        beamSize: 5,
        input: { kind: "arguments", sentences: ["Ein Hund.", "Zwei Katzen."] },
      });
    });

    it("reads the beam size", () => {
      const options = parseTranslateArgs(["--run", "7", "--beam", "1", "Hallo"], FROM_TERMINAL);
      expect(options).toMatchObject({ beamSize: 1 });
    });

    it("takes sentences from a file", () => {
      const options = parseTranslateArgs(["--run=12", "--file", "in.de"], FROM_TERMINAL);
      expect(options).toMatchObject({ runId: 12, input: { kind: "file", path: "in.de" } });
    });

    it("takes sentences from piped stdin", () => {
      expect(parseTranslateArgs(["--run", "3"], FROM_PIPE)).toMatchObject({ input: { kind: "stdin" } });
    });

    it("accepts a checkpoint folder instead of a run", () => {
      const options = parseTranslateArgs(["--checkpoint", "/data/run-1/epoch-0002", "Hallo"], FROM_TERMINAL);
      expect(options).toMatchObject({ runId: undefined, checkpointDir: "/data/run-1/epoch-0002" });
    });

    it("returns help for --help", () => {
      expect(parseTranslateArgs(["--help"], FROM_TERMINAL)).toBe("help");
    });
  });

  describe("when the arguments are invalid", () => {
    it("requires a run", () => {
      expect(parseError(["Hallo"]).message).toBe("missing --run ID (or --checkpoint DIR): which model should translate?");
    });

    it("names a run id that is not a number", () => {
      const error = parseError(["--run", "abc", "Hallo"]);
      expect(error.code).toBe("invalid_input");
      expect(error.message).toBe('--run must be a positive integer, got "abc"');
    });

    it("names a run id of 0", () => {
      expect(parseError(["--run", "0", "Hallo"]).message).toBe('--run must be a positive integer, got "0"');
    });

    it("names a beam size of 0", () => {
      expect(parseError(["--run", "1", "--beam", "0", "Hallo"]).message).toBe('--beam must be an integer from 1 to 64, got "0"');
    });

    it("names a beam size above 64", () => {
      expect(parseError(["--run", "1", "--beam", "65", "Hallo"]).message).toContain('got "65"');
    });

    it("names a fractional beam size", () => {
      expect(parseError(["--run", "1", "--beam", "2.5", "Hallo"]).message).toContain('got "2.5"');
    });

    it("rejects both a run and a checkpoint", () => {
      expect(parseError(["--run", "1", "--checkpoint", "dir", "Hallo"]).message).toBe("give either --run or --checkpoint, not both");
    });

    it("rejects a file and sentence arguments together", () => {
      expect(parseError(["--run", "1", "--file", "in.de", "Hallo"]).message).toBe(
        "give sentences either with --file or as arguments, not both",
      );
    });

    it("asks for input when stdin is a terminal", () => {
      expect(parseError(["--run", "1"]).message).toBe("no input: give sentences as arguments, with --file F, or on stdin");
    });

    it("names an unknown option", () => {
      const error = parseError(["--run", "1", "--beams", "4", "Hallo"]);
      expect(error.message).toContain("invalid arguments");
      expect(error.message).toContain("--beams");
    });

    it("names an option without its value", () => {
      expect(parseError(["--run"]).message).toContain("--run");
    });
  });
});

describe("readSentences", () => {
  it("keeps argument sentences as given", async () => {
    expect(await readSentences({ kind: "arguments", sentences: ["Ein Hund.", "Eine Katze."] })).toEqual(["Ein Hund.", "Eine Katze."]);
  });

  it("reads one sentence per file line", async () => {
    const file = path.join(scratch, "lines.de");
    await writeFile(file, "Ein Hund.\r\n\nEine Katze.\n");
    expect(await readSentences({ kind: "file", path: file })).toEqual(["Ein Hund.", "", "Eine Katze."]);
  });

  it("reads stdin", async () => {
    const stdin = Readable.from([Buffer.from("Ein Hund.\nEine"), Buffer.from(" Katze.")]);
    expect(await readSentences({ kind: "stdin" }, stdin)).toEqual(["Ein Hund.", "Eine Katze."]);
  });

  it("rejects an empty file", async () => {
    const file = path.join(scratch, "empty.de");
    await writeFile(file, "\n  \n");
    const error = await readSentences({ kind: "file", path: file }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WinnowError);
    expect((error as WinnowError).message).toBe(`no input: file ${file} contains no sentence to translate`);
  });

  it("rejects empty stdin", async () => {
    const error = await readSentences({ kind: "stdin" }, Readable.from([])).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe("no input: stdin contains no sentence to translate");
  });

  it("rejects blank argument sentences", async () => {
    const error = await readSentences({ kind: "arguments", sentences: [" "] }).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe("no input: every sentence argument is blank");
  });

  it("names a missing file", async () => {
    const file = path.join(scratch, "missing.de");
    const error = await readSentences({ kind: "file", path: file }).catch((caught: unknown) => caught);
    expect((error as WinnowError).code).toBe("invalid_input");
    expect((error as Error).message).toContain(`--file ${file} could not be read`);
    expect((error as Error).message).toContain("ENOENT");
  });
});

import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WinnowError } from "../../lib/errors";
import { parseScoreArgs, runScore, type ScoreCliOptions, splitFileLines } from "../../scripts/lib/score-cli";
import {
  expectBootstrapResultClose,
  PAIRED_VECTORS_DIR,
  REPO_ROOT,
  readSacrebleuPairedVectors,
  type SacrebleuPairedVectors,
  SYSTEM_FILES,
} from "./paired-test-vectors";

const run = promisify(execFile);

const TSX = path.join(REPO_ROOT, "node_modules/.bin/tsx");

const SCORE_SCRIPT = path.join(REPO_ROOT, "scripts/score.ts");

const ALL_FILES = ["baseline.txt", ...SYSTEM_FILES];

const BLEU_LABEL = "BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0";

const CHRF_LABEL = "chrF2|nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0";

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs scripts/score.ts in the vectors folder, so system names are the bare file names as in sacreBLEU's run. */
async function score(args: string[], cwd = PAIRED_VECTORS_DIR): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(TSX, [SCORE_SCRIPT, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? -1, stdout: failure.stdout ?? "", stderr: failure.stderr ?? "" };
  }
}

function parseError(argv: string[]): WinnowError {
  try {
    parseScoreArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(WinnowError);
    return error as WinnowError;
  }
  throw new Error(`parseScoreArgs accepted ${JSON.stringify(argv)}`);
}

async function runError(options: ScoreCliOptions): Promise<WinnowError> {
  try {
    await runScore(options);
  } catch (error) {
    expect(error).toBeInstanceOf(WinnowError);
    return error as WinnowError;
  }
  throw new Error(`runScore accepted ${JSON.stringify(options)}`);
}

function vectorPath(file: string): string {
  return path.join(PAIRED_VECTORS_DIR, file);
}

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "winnow-score-cli-"));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("parseScoreArgs", () => {
  describe("when the arguments are valid", () => {
    it("takes the files after --hyp in order", () => {
      expect(parseScoreArgs(["--ref", "ref.txt", "--hyp", "base.txt", "a.txt", "b.txt"])).toEqual({
        referencePaths: ["ref.txt"],
        hypothesisPaths: ["base.txt", "a.txt", "b.txt"],
        metrics: ["bleu", "chrf"],
        test: null,
        json: false,
      });
    });

    it("accepts --hyp repeated", () => {
      const options = parseScoreArgs(["--hyp", "base.txt", "--ref", "ref.txt", "--hyp", "a.txt"]);
      expect(options).toMatchObject({ hypothesisPaths: ["base.txt", "a.txt"] });
    });

    it("reads the paired bootstrap defaults", () => {
      const options = parseScoreArgs(["--ref", "r", "--hyp", "a", "b", "--paired-bs"]);
      expect(options).toMatchObject({ test: { kind: "bs", samples: 1000, seed: 12345 } });
    });

    it("reads the randomization trials and seed", () => {
      const options = parseScoreArgs(["--ref", "r", "--hyp", "a", "b", "--paired-ar", "--paired-ar-n", "500", "--seed", "0"]);
      expect(options).toMatchObject({ test: { kind: "ar", samples: 500, seed: 0 } });
    });

    it("reads metrics and --json", () => {
      const options = parseScoreArgs(["--ref", "r", "--hyp", "a", "--metrics", "chrf", "--json"]);
      expect(options).toMatchObject({ metrics: ["chrf"], json: true });
    });

    it("returns help for --help", () => {
      expect(parseScoreArgs(["--help"])).toBe("help");
    });
  });

  describe("when the arguments are invalid", () => {
    it("requires a reference", () => {
      expect(parseError(["--hyp", "a"]).message).toBe("missing --ref REF: which file has the references?");
    });

    it("requires a system", () => {
      expect(parseError(["--ref", "r"]).message).toBe("missing --hyp SYS: which files should be scored?");
    });

    it("rejects a file before --hyp", () => {
      expect(parseError(["a.txt", "--ref", "r", "--hyp", "b.txt"]).message).toBe(
        'unexpected argument "a.txt": system files follow --hyp',
      );
    });

    it("names an unknown metric", () => {
      expect(parseError(["--ref", "r", "--hyp", "a", "--metrics", "bleu,ter"]).message).toBe(
        '--metrics must list metrics from bleu, chrf, got "ter"',
      );
    });

    it("rejects both paired tests", () => {
      expect(parseError(["--ref", "r", "--hyp", "a", "b", "--paired-bs", "--paired-ar"]).message).toBe(
        "give either --paired-bs or --paired-ar, not both",
      );
    });

    it("rejects resamples without the bootstrap", () => {
      expect(parseError(["--ref", "r", "--hyp", "a", "b", "--paired-ar", "--paired-bs-n", "10"]).message).toMatch(/--paired-bs-n/);
    });

    it("rejects a seed without a paired test", () => {
      expect(parseError(["--ref", "r", "--hyp", "a", "--seed", "1"]).message).toBe(
        "--seed applies only to --paired-bs or --paired-ar",
      );
    });

    it("names invalid resamples", () => {
      expect(parseError(["--ref", "r", "--hyp", "a", "b", "--paired-bs", "--paired-bs-n", "0"]).message).toBe(
        '--paired-bs-n must be a positive integer, got "0"',
      );
      expect(parseError(["--ref", "r", "--hyp", "a", "b", "--paired-bs", "--paired-bs-n", "1e3"]).message).toMatch(/got "1e3"/);
    });

    it("names a seed outside 32 bits", () => {
      expect(parseError(["--ref", "r", "--hyp", "a", "b", "--paired-bs", "--seed", "4294967296"]).message).toBe(
        '--seed must be an integer from 0 to 4294967295, got "4294967296"',
      );
    });

    it("names an unknown option", () => {
      expect(parseError(["--ref", "r", "--hyp", "a", "--width", "2"]).message).toMatch(/^invalid arguments: .*--width/);
    });
  });
});

describe("splitFileLines", () => {
  it("ends lines at \\n, \\r\\n and \\r like Python", () => {
    expect(splitFileLines("one\r\ntwo\rthree\nfour")).toEqual(["one", "two", "three", "four"]);
  });

  it("adds no line for a final line break", () => {
    expect(splitFileLines("one\ntwo\n")).toEqual(["one", "two"]);
  });

  it("keeps blank lines as empty sentences", () => {
    expect(splitFileLines("one\n\n   \nfour\n")).toEqual(["one", "", "", "four"]);
  });

  it("strips trailing but not leading whitespace", () => {
    expect(splitFileLines("  one \t\n")).toEqual(["  one"]);
  });

  it("finds no line in an empty file", () => {
    expect(splitFileLines("")).toEqual([]);
  });
});

describe("runScore", () => {
  const options = (overrides: Partial<ScoreCliOptions>): ScoreCliOptions => ({
    referencePaths: [vectorPath("ref.txt")],
    hypothesisPaths: [vectorPath("baseline.txt")],
    metrics: ["chrf"],
    test: null,
    json: false,
    ...overrides,
  });

  it("names the file and line counts", async () => {
    const short = path.join(scratch, "short.txt");
    await writeFile(short, "a\nb\nc\n");
    const error = await runError(options({ hypothesisPaths: [vectorPath("baseline.txt"), short] }));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toBe(
      `--hyp ${short} has 3 lines but --ref ${vectorPath("ref.txt")} has 1014; each system file needs one line per reference line`,
    );
  });

  it("rejects an empty system file", async () => {
    const empty = path.join(scratch, "empty.txt");
    await writeFile(empty, "");
    expect((await runError(options({ hypothesisPaths: [empty] }))).message).toBe(`--hyp ${empty} is empty: it has no lines to score`);
  });

  it("rejects an empty reference file", async () => {
    const empty = path.join(scratch, "empty-ref.txt");
    await writeFile(empty, "");
    expect((await runError(options({ referencePaths: [empty] }))).message).toBe(`--ref ${empty} is empty: it has no lines to score`);
  });

  it("scores a file of one empty line", async () => {
    const blank = path.join(scratch, "blank.txt");
    await writeFile(blank, "\n");
    const outcome = await runScore(options({ referencePaths: [blank], hypothesisPaths: [blank], metrics: ["bleu", "chrf"] }));
    const scores = [
      { name: "BLEU", score: 0 },
      { name: "chrF2", score: 0 },
    ];
    expect(outcome).toMatchObject({ kind: "scores", systems: [{ scores }] });
  });

  it("names a missing file", async () => {
    const missing = path.join(scratch, "missing.txt");
    expect((await runError(options({ hypothesisPaths: [missing] }))).message).toMatch(`--hyp ${missing} could not be read: ENOENT`);
  });

  it("names reference files of different lengths", async () => {
    const short = path.join(scratch, "short-ref.txt");
    await writeFile(short, "a\n");
    const error = await runError(options({ referencePaths: [vectorPath("ref.txt"), short] }));
    expect(error.message).toBe(`--ref ${short} has 1 lines but --ref ${vectorPath("ref.txt")} has 1014`);
  });

  it("needs two systems for a paired test", async () => {
    const error = await runError(options({ test: { kind: "bs", samples: 10, seed: 1 } }));
    expect(error.message).toBe("a paired test needs a baseline and at least one system: give two or more --hyp files");
  });

  it("skips a repeated baseline", async () => {
    const paths = ["baseline.txt", "systemA.txt", "baseline.txt"].map(vectorPath);
    const outcome = await runScore(options({ hypothesisPaths: paths, test: { kind: "bs", samples: 10, seed: 1 } }));
    expect(outcome.kind === "paired" && outcome.report.systems.map((system) => system.name)).toEqual([
      `Baseline: ${vectorPath("baseline.txt")}`,
      vectorPath("systemA.txt"),
    ]);
  });

  it("rejects other repeated systems", async () => {
    const paths = ["baseline.txt", "systemA.txt", "systemA.txt"].map(vectorPath);
    expect((await runError(options({ hypothesisPaths: paths }))).message).toBe(
      `--hyp ${vectorPath("systemA.txt")} is given twice, but each system file may appear only once`,
    );
  });
});

describe("npm run score", () => {
  describe("when running the paired bootstrap", () => {
    let expected: SacrebleuPairedVectors;

    beforeAll(() => {
      expected = readSacrebleuPairedVectors();
    });

    it("prints sacreBLEU's JSON within sampling error", async () => {
      const result = await score(["--ref", "ref.txt", "--hyp", ...ALL_FILES, "--paired-bs", "--json"]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);

      const actual = JSON.parse(result.stdout) as SacrebleuPairedVectors;
      expect(actual.map((entry) => entry.system)).toEqual(expected.map((entry) => entry.system));
      for (const [index, entry] of expected.entries()) {
        expectBootstrapResultClose(actual[index].BLEU, entry.BLEU);
        expectBootstrapResultClose(actual[index].chrF2, entry.chrF2);
      }
    });

    it("prints sacreBLEU's table layout", async () => {
      const result = await score(["--ref", "ref.txt", "--hyp", ...ALL_FILES, "--paired-bs"]);
      expect(result.code).toBe(0);
      const lines = result.stdout.split("\n");

      expect(lines[0]).toBe(`╒${"═".repeat(24)}╤${"═".repeat(21)}╤${"═".repeat(22)}╕`);
      expect(lines[1]).toBe("│                 System │  BLEU (μ ± 95% CI)  │  chrF2 (μ ± 95% CI)  │");
      expect(lines[3]).toMatch(/^│ Baseline: baseline\.txt │  58\.5 \(\d+\.\d ± \d\.\d\)  │  71\.9 \(\d+\.\d ± \d\.\d\)   │$/);
      expect(lines[5]).toMatch(/^│ {12}systemA\.txt │  76\.2 \(\d+\.\d ± \d\.\d\)  │  84\.4 \(\d+\.\d ± \d\.\d\)   │$/);
      expect(lines[6]).toBe("│                        │    (p = 0.0010)*    │    (p = 0.0010)*     │");
      expect(result.stdout).toContain("Paired bootstrap resampling test with 1000 resamples");
      expect(result.stdout).toContain(` - BLEU       nrefs:1|bs:1000|seed:12345|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0`);
    });
  });

  describe("when running approximate randomization", () => {
    it("prints p-values without mean or CI", async () => {
      const args = ["--ref", "ref.txt", "--hyp", "baseline.txt", "systemB.txt", "--paired-ar", "--paired-ar-n", "1000", "--json"];
      const result = await score(args);
      expect(result.code).toBe(0);

      const [baseline, system] = JSON.parse(result.stdout) as SacrebleuPairedVectors;
      expect(baseline.system).toBe("Baseline: baseline.txt");
      expect(system.BLEU.score).toBeCloseTo(readSacrebleuPairedVectors()[2].BLEU.score, 2);
      expect(system.BLEU.p_value).toBeLessThanOrEqual(0.05);
      expect(system.BLEU.mean).toBeNull();
      expect(system.BLEU.ci).toBeNull();
    });
  });

  describe("when scoring without a paired test", () => {
    it("prints one system's score lines aligned on =", async () => {
      const result = await score(["--ref", "ref.txt", "--hyp", "baseline.txt"]);
      expect(result.code).toBe(0);

      const [bleuLine, chrfLine] = result.stdout.trimEnd().split("\n");
      expect(bleuLine.startsWith(`  ${BLEU_LABEL} = 58.5 `)).toBe(true);
      const precisions = String.raw`\d+\.\d/\d+\.\d/\d+\.\d/\d+\.\d`;
      const lengths = String.raw`\(BP = \d\.\d{3} ratio = \d\.\d{3} hyp_len = \d+ ref_len = \d+\)`;
      expect(bleuLine).toMatch(new RegExp(`= 58\\.5 ${precisions} ${lengths}$`));
      expect(chrfLine).toBe(`${CHRF_LABEL} = 71.9`);
    });

    it("prints several systems as a table", async () => {
      const result = await score(["--ref", "ref.txt", "--hyp", "baseline.txt", "systemA.txt"]);
      expect(result.code).toBe(0);

      const lines = result.stdout.split("\n");
      expect(lines[1]).toBe("│       System │  BLEU  │  chrF2  │");
      expect(lines[3]).toBe("│ baseline.txt │  58.5  │  71.9   │");
      expect(lines[5]).toBe("│  systemA.txt │  76.2  │  84.4   │");
      expect(result.stdout).toContain(` - chrF2      ${CHRF_LABEL.slice("chrF2|".length)}`);
    });

    it("runs through the package script", async () => {
      const args = ["--ref", vectorPath("ref.txt"), "--hyp", vectorPath("systemC.txt"), "--metrics", "chrf"];
      const { stdout } = await run("npm", ["run", "--silent", "score", "--", ...args], { cwd: REPO_ROOT });
      expect(stdout).toBe(`${CHRF_LABEL} = 72.1\n`);
    });
  });

  describe("when the input is invalid", () => {
    it("exits with 2 and names the short file", async () => {
      const short = path.join(scratch, "three-lines.txt");
      await writeFile(short, "a\nb\nc\n");
      const result = await score(["--ref", "ref.txt", "--hyp", "baseline.txt", short, "--paired-bs"]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(new RegExp(`^score: --hyp ${short} has 3 lines but --ref ref\\.txt has 1014`));
      expect(result.stderr).toContain("usage: npm run score");
    });
  });
});

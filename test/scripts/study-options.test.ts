import { describe, expect, it } from "vitest";
import { parseStudyOptions, studyFileName } from "../../scripts/lib/study-options";

describe("parseStudyOptions", () => {
  it("names the sweep after preset, data and epochs", () => {
    const options = parseStudyOptions(["--preset", "compact", "--seeds", "3"]);

    expect(options).toMatchObject({ preset: "compact", data: "small", epochs: 20, seeds: 3, name: "compact-small-20ep", out: "studies/compact-small-20ep.md" });
    expect(options?.strategies.length).toBe(10);
  });

  it.each([
    [["--seeds", "1.5"], "--seeds must be a positive integer, got 1.5"],
    [["--seeds", "1e3"], "--seeds must be a positive integer, got 1e3"],
    [["--seeds", "1001"], "--seeds must be at most 1000, got 1001"],
    [["--seeds", "1", "--epochs", "0"], "--epochs must be an integer from 1 to 500, got 0"],
    [["--seeds", "1", "--preset", "huge"], '--preset: unknown preset "huge"'],
    [["--seeds", "1", "--data", "huge"], '--data: unknown data preset "huge"'],
    [["--seeds", "1", "--strategies", "uniform,uniform"], '--strategies: "uniform" is listed twice'],
    [["--seeds", "1", "--workers=-2"], "--workers must be a positive integer, got -2"],
    [["--seeds", "1", "--workers", "257"], "--workers must be at most 256, got 257"],
    [["--seeds", "1", "--name", " "], "--name must be 1 to 200 characters without control characters"],
  ])("rejects %j", (args, message) => {
    expect(() => parseStudyOptions(args)).toThrow(message);
  });
});

describe("studyFileName", () => {
  it("replaces characters that do not belong in a file name", () => {
    expect(studyFileName("../compact small/2025")).toBe("compact-small-2025.md");
  });
});

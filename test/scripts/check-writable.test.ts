import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkWritable } from "../../scripts/lib/training-options";

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "winnow-check-writable-"));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("checkWritable", () => {
  it("accepts a new file in a writable folder", async () => {
    await expect(checkWritable("--out", path.join(scratch, "table.md"))).resolves.toBeUndefined();
  });

  it("accepts an existing file", async () => {
    const file = path.join(scratch, "old.md");
    await writeFile(file, "old");

    await expect(checkWritable("--out", file)).resolves.toBeUndefined();
  });

  it("rejects a folder, naming the option", async () => {
    await expect(checkWritable("--out", scratch)).rejects.toThrow(`--out: ${scratch} is a folder; give the path of a file to write`);
  });

  it("rejects a missing folder, naming the option", async () => {
    await expect(checkWritable("--json", path.join(scratch, "missing", "x.json"))).rejects.toThrow(/^--json: cannot write .* is missing or not writable$/);
  });
});

import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatasetPairs } from "../../lib/datasets/dataset-pairs";
import { MULTI30K_FILES } from "../../lib/datasets/multi30k-files";
import { buildMulti30kRecipe, dataPreset } from "../../lib/datasets/multi30k-recipe";
import { DATA_PRESETS, type DataPreset } from "../../lib/presets";

const MULTI30K_DIR = path.resolve(import.meta.dirname, "../../../shared/data/multi30k");
const CAPTIONS_PER_IMAGE = 5;

/** Reads a raw file independently of the code under test. */
function readLines(file: string): string[] {
  const lines = gunzipSync(readFileSync(path.join(MULTI30K_DIR, file))).toString("utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** Maps each caption to the images (line numbers) it describes; a caption can occur on several. */
function indexCaptions(files: string[][]): Map<string, Set<number>> {
  const index = new Map<string, Set<number>>();
  for (const lines of files) {
    lines.forEach((caption, image) => {
      const images = index.get(caption) ?? new Set<number>();
      images.add(image);
      index.set(caption, images);
    });
  }
  return index;
}

/** Makes a folder whose files link to the real ones, except those `replace` writes itself. */
function makeCorpusCopy(replace: (dir: string) => string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "winnow-multi30k-"));
  const replaced = new Set(replace(dir));
  for (const file of readdirSync(MULTI30K_DIR)) {
    if (!replaced.has(file)) symlinkSync(path.join(MULTI30K_DIR, file), path.join(dir, file));
  }
  return dir;
}

const task1 = {
  trainDe: readLines("task1.train.de.gz"),
  trainEn: readLines("task1.train.en.gz"),
  validDe: readLines("task1.val.de.gz"),
  validEn: readLines("task1.val.en.gz"),
  testDe: readLines("task1.test_2016_flickr.de.gz"),
  testEn: readLines("task1.test_2016_flickr.en.gz"),
};
const captions = Array.from({ length: CAPTIONS_PER_IMAGE }, (_, i) => i + 1);
const germanCaptionImages = indexCaptions(captions.map((i) => readLines(`task2.train.${i}.de.gz`)));
const englishCaptionImages = indexCaptions(captions.map((i) => readLines(`task2.train.${i}.en.gz`)));

/** Images whose task2 captions include both the German and the English side of `pair`. */
function sharedImages(pair: { src: string; tgt: string }): number[] {
  const german = germanCaptionImages.get(pair.src) ?? new Set<number>();
  const english = englishCaptionImages.get(pair.tgt) ?? new Set<number>();
  return [...german].filter((image) => english.has(image));
}

const SIZES: [string, DataPreset][] = [
  ...Object.entries(DATA_PRESETS),
  ["five noisy pairs per image", { clean: 28000, noisy: 5000, valid: 3, test: 2 }],
  ["no clean pairs", { clean: 0, noisy: 10, valid: 1, test: 1 }],
  ["no noisy pairs", { clean: 10, noisy: 0, valid: 0, test: 0 }],
];

describe("buildMulti30kRecipe", () => {
  describe.each(SIZES)("when the size is %s", (_label, preset) => {
    let pairs: DatasetPairs;

    beforeAll(async () => {
      pairs = await buildMulti30kRecipe(MULTI30K_DIR, preset);
    });

    it("returns the requested counts", () => {
      expect(pairs.srcLang).toBe("de");
      expect(pairs.tgtLang).toBe("en");
      expect(pairs.train.filter((pair) => !pair.noisy)).toHaveLength(preset.clean);
      expect(pairs.train.filter((pair) => pair.noisy)).toHaveLength(preset.noisy);
      expect(pairs.valid).toHaveLength(preset.valid);
      expect(pairs.test).toHaveLength(preset.test);
    });

    it("takes clean pair i from task1 line i", () => {
      const clean = pairs.train.slice(0, preset.clean);
      clean.forEach((pair, i) => {
        expect(pair).toEqual({ src: task1.trainDe[i], tgt: task1.trainEn[i], noisy: false });
      });
    });

    it("pairs captions of one non-clean image", () => {
      const noisy = pairs.train.slice(preset.clean);
      for (const [i, pair] of noisy.entries()) {
        expect(pair.noisy, `noisy pair ${i}`).toBe(true);
        expect(pair.noiseKind, `noisy pair ${i}`).toBe("comparable");
        const images = sharedImages(pair).filter((image) => image >= preset.clean);
        expect(images, `noisy pair ${i}: ${pair.src} / ${pair.tgt}`).not.toHaveLength(0);
      }
    });

    it("takes valid and test pairs from task1 val and test2016", () => {
      pairs.valid.forEach((pair, i) => expect(pair).toEqual({ src: task1.validDe[i], tgt: task1.validEn[i] }));
      pairs.test.forEach((pair, i) => expect(pair).toEqual({ src: task1.testDe[i], tgt: task1.testEn[i] }));
    });
  });

  describe("when five noisy pairs come from each image", () => {
    it("uses each caption once", async () => {
      const pairs = await buildMulti30kRecipe(MULTI30K_DIR, { clean: 28990, noisy: 50, valid: 0, test: 0 });
      const noisy = pairs.train.slice(28990);
      for (let image = 0; image < 10; image++) {
        const ofImage = noisy.slice(image * CAPTIONS_PER_IMAGE, (image + 1) * CAPTIONS_PER_IMAGE);
        expect(new Set(ofImage.map((pair) => pair.src)).size, `image ${28990 + image}`).toBe(CAPTIONS_PER_IMAGE);
        expect(new Set(ofImage.map((pair) => pair.tgt)).size, `image ${28990 + image}`).toBe(CAPTIONS_PER_IMAGE);
        for (const pair of ofImage) expect(sharedImages(pair)).toContain(28990 + image);
      }
    });
  });

  describe("when built twice", () => {
    it("returns equal pairs", async () => {
      const first = await buildMulti30kRecipe(MULTI30K_DIR, DATA_PRESETS.tiny);
      const second = await buildMulti30kRecipe(MULTI30K_DIR, DATA_PRESETS.tiny);
      expect(second).toEqual(first);
    });
  });

  describe("when the size is out of range", () => {
    it.each<[string, DataPreset, RegExp]>([
      ["more noisy pairs than captions allow", { clean: 28000, noisy: 5001, valid: 0, test: 0 }, /^noisy must be an integer from 0 to 5000\b.*got 5001$/],
      ["noisy pairs but no images left", { clean: 29000, noisy: 1, valid: 0, test: 0 }, /^noisy must be an integer from 0 to 0\b.*got 1$/],
      ["more clean pairs than images", { clean: 29001, noisy: 0, valid: 0, test: 0 }, /^clean must be an integer from 0 to 29000\b.*got 29001$/],
      ["a fractional clean count", { clean: 1.5, noisy: 0, valid: 0, test: 0 }, /^clean must be an integer.*got 1\.5$/],
      ["more valid pairs than task1 val has", { clean: 1, noisy: 0, valid: 1015, test: 0 }, /^valid must be an integer from 0 to 1014\b.*got 1015$/],
      ["a negative test count", { clean: 1, noisy: 0, valid: 0, test: -1 }, /^test must be an integer from 0 to 1000\b.*got -1$/],
    ])("rejects %s, naming the field", async (_label, preset, message) => {
      await expect(buildMulti30kRecipe(MULTI30K_DIR, preset)).rejects.toThrow(message);
    });
  });

  describe("when a file is missing", () => {
    let dir: string;

    beforeAll(() => {
      dir = makeCorpusCopy(() => ["task2.train.3.en.gz"]);
    });

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("names the missing path and MULTI30K_DIR", async () => {
      const error = await buildMulti30kRecipe(dir, DATA_PRESETS.micro).catch((caught: Error) => caught);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain(`not found: ${path.join(dir, "task2.train.3.en.gz")}`);
      expect((error as Error).message).toContain("MULTI30K_DIR");
    });
  });

  describe("when a file is corrupted", () => {
    const file = "task1.val.en.gz";
    let dir: string;

    beforeAll(() => {
      dir = makeCorpusCopy((target) => {
        copyFileSync(path.join(MULTI30K_DIR, file), path.join(target, file));
        const bytes = readFileSync(path.join(target, file));
        bytes[bytes.length >> 1] ^= 0xff;
        writeFileSync(path.join(target, file), bytes);
        return [file];
      });
    });

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("fails the SHA-256 check, naming the file", async () => {
      const error = await buildMulti30kRecipe(dir, DATA_PRESETS.micro).catch((caught: Error) => caught);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain(path.join(dir, file));
      expect((error as Error).message).toContain("SHA-256");
      expect((error as Error).message).toContain(MULTI30K_FILES[file]);
    });
  });
});

describe("dataPreset", () => {
  it("returns each named preset", () => {
    for (const [name, preset] of Object.entries(DATA_PRESETS)) expect(dataPreset(name)).toBe(preset);
  });

  it.each(["nope", "toString", "constructor", "__proto__", ""])("rejects %j, listing valid presets", (name) => {
    expect(() => dataPreset(name)).toThrow(`unknown data preset "${name}"; valid presets: micro, tiny, small, full`);
  });
});

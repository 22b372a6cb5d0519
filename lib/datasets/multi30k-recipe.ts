import { DATA_PRESETS, type DataPreset } from "../presets";
import { readMulti30kLines } from "./multi30k-files";
import type { DatasetPairs } from "./dataset-pairs";

/** Images (lines) in the Multi30k training files. */
const TRAIN_IMAGES = 29000;
/** Lines in task1 val and in test2016. */
const VALID_PAIRS = 1014;
const TEST_PAIRS = 1000;
/** Independent captions per image and language in task2. */
const CAPTIONS_PER_IMAGE = 5;

function checkCount(field: keyof DataPreset, value: number, max: number, reason: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new Error(`${field} must be an integer from 0 to ${max} (${reason}), got ${value}`);
  }
}

/** Checks a preset against what the files contain, before any file is read. */
function checkPreset(preset: DataPreset): void {
  checkCount("clean", preset.clean, TRAIN_IMAGES, `${TRAIN_IMAGES} training images`);
  const noisyImages = TRAIN_IMAGES - preset.clean;
  checkCount("noisy", preset.noisy, noisyImages * CAPTIONS_PER_IMAGE,
    `${CAPTIONS_PER_IMAGE} captions per image on the ${noisyImages} images after the clean ones`);
  checkCount("valid", preset.valid, VALID_PAIRS, "lines in task1 val");
  checkCount("test", preset.test, TEST_PAIRS, "lines in test2016");
}

/**
 * Builds a clean + noisy German-English training set from Multi30k.
 * Clean pairs are the task1 translations of images 0..clean-1. Noisy pairs pair a German and an
 * English task2 caption of the same image, written independently, from the images after the
 * clean ones, so no image contributes both kinds. Validation and test pairs are the first lines
 * of task1 val and test2016; task2 val is never used because it shares images with validation.
 */
export async function buildMulti30kRecipe(dir: string, preset: DataPreset): Promise<DatasetPairs> {
  checkPreset(preset);
  const [cleanDe, cleanEn, validDe, validEn, testDe, testEn] = await Promise.all(
    ["task1.train.de.gz", "task1.train.en.gz", "task1.val.de.gz", "task1.val.en.gz",
      "task1.test_2016_flickr.de.gz", "task1.test_2016_flickr.en.gz"].map((file) => readMulti30kLines(dir, file)),
  );
  const captions = await readTask2Captions(dir);

  const clean = cleanDe.slice(0, preset.clean).map((src, i) => ({ src, tgt: cleanEn[i], noisy: false }));

  return {
    srcLang: "de",
    tgtLang: "en",
    train: [...clean, ...buildNoisyPairs(captions, preset)],
    valid: validDe.slice(0, preset.valid).map((src, i) => ({ src, tgt: validEn[i] })),
    test: testDe.slice(0, preset.test).map((src, i) => ({ src, tgt: testEn[i] })),
  };
}

/**
 * Pairs task2 captions of consecutive images from `preset.clean` on. Each image gives the fewest
 * pairs per image that still reach the count: ceil(noisy / images after the clean ones).
 */
function buildNoisyPairs(captions: { de: string[][]; en: string[][] }, preset: DataPreset): DatasetPairs["train"] {
  const noisy: DatasetPairs["train"] = [];
  if (preset.noisy === 0) return noisy;
  const perImage = Math.ceil(preset.noisy / (TRAIN_IMAGES - preset.clean));
  for (let image = preset.clean; noisy.length < preset.noisy; image++) {
    for (let k = 0; k < perImage && noisy.length < preset.noisy; k++) {
      // A fixed rotation picks which German and English caption form the k-th pair, so the
      // recipe needs no random generator and every import builds the same pairs.
      const deCaption = k % CAPTIONS_PER_IMAGE;
      const enCaption = (k + 1 + (image % (CAPTIONS_PER_IMAGE - 1))) % CAPTIONS_PER_IMAGE;
      noisy.push({
        src: captions.de[deCaption][image],
        tgt: captions.en[enCaption][image],
        noisy: true,
        noiseKind: "comparable",
      });
    }
  }
  return noisy;
}

async function readTask2Captions(dir: string): Promise<{ de: string[][]; en: string[][] }> {
  const indexes = Array.from({ length: CAPTIONS_PER_IMAGE }, (_, i) => i + 1);
  const de = await Promise.all(indexes.map((i) => readMulti30kLines(dir, `task2.train.${i}.de.gz`)));
  const en = await Promise.all(indexes.map((i) => readMulti30kLines(dir, `task2.train.${i}.en.gz`)));
  return { de, en };
}

/** Looks up a data preset by name. */
export function dataPreset(name: string): DataPreset {
  // Object.hasOwn, because a plain lookup would return Object.prototype members for names such
  // as "toString" or "constructor".
  if (!Object.hasOwn(DATA_PRESETS, name)) {
    throw new Error(`unknown data preset "${name}"; valid presets: ${Object.keys(DATA_PRESETS).join(", ")}`);
  }
  return DATA_PRESETS[name as keyof typeof DATA_PRESETS];
}

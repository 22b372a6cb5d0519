import { DATA_PRESETS, type DataPreset } from "../presets";
import { readMulti30kLines } from "./multi30k-files";
import type { DatasetPairs } from "./dataset-pairs";

/** Images (lines) in the Multi30k training files. */
const TRAIN_IMAGES = 29000;
/** Independent captions per image and language in task2. */
const CAPTIONS_PER_IMAGE = 5;

/**
 * Builds a clean + noisy German-English training set from Multi30k.
 * Clean pairs are the task1 translations of images 0..clean-1. Noisy pairs pair a German and an
 * English task2 caption of the same image, written independently, from the images after the
 * clean ones, so no image contributes both kinds. Validation and test pairs are the first lines
 * of task1 val and test2016; task2 val is never used because it shares images with validation.
 */
export async function buildMulti30kRecipe(dir: string, preset: DataPreset): Promise<DatasetPairs> {
  const noisyImages = TRAIN_IMAGES - preset.clean;
  const perImage = Math.ceil(preset.noisy / noisyImages);
  if (perImage > CAPTIONS_PER_IMAGE) {
    throw new Error(`noisy: ${preset.noisy} pairs need more than ${CAPTIONS_PER_IMAGE} captions per image`);
  }
  const [cleanDe, cleanEn, validDe, validEn, testDe, testEn] = await Promise.all(
    ["task1.train.de.gz", "task1.train.en.gz", "task1.val.de.gz", "task1.val.en.gz",
      "task1.test_2016_flickr.de.gz", "task1.test_2016_flickr.en.gz"].map((file) => readMulti30kLines(dir, file)),
  );
  const captions = await readTask2Captions(dir);

  const train: DatasetPairs["train"] = cleanDe.slice(0, preset.clean).map((src, i) => ({ src, tgt: cleanEn[i], noisy: false }));
  const imagesNeeded = Math.ceil(preset.noisy / perImage);
  for (let image = preset.clean; image < preset.clean + imagesNeeded; image++) {
    for (let k = 0; k < perImage && train.length < preset.clean + preset.noisy; k++) {
      // A fixed rotation picks which German and English caption form the k-th pair, so the
      // recipe needs no random generator and every import builds the same pairs.
      const deCaption = k % CAPTIONS_PER_IMAGE;
      const enCaption = (k + 1 + (image % (CAPTIONS_PER_IMAGE - 1))) % CAPTIONS_PER_IMAGE;
      train.push({
        src: captions.de[deCaption][image],
        tgt: captions.en[enCaption][image],
        noisy: true,
        noiseKind: "comparable",
      });
    }
  }

  return {
    srcLang: "de",
    tgtLang: "en",
    train,
    valid: validDe.slice(0, preset.valid).map((src, i) => ({ src, tgt: validEn[i] })),
    test: testDe.slice(0, preset.test).map((src, i) => ({ src, tgt: testEn[i] })),
  };
}

async function readTask2Captions(dir: string): Promise<{ de: string[][]; en: string[][] }> {
  const indexes = Array.from({ length: CAPTIONS_PER_IMAGE }, (_, i) => i + 1);
  const de = await Promise.all(indexes.map((i) => readMulti30kLines(dir, `task2.train.${i}.de.gz`)));
  const en = await Promise.all(indexes.map((i) => readMulti30kLines(dir, `task2.train.${i}.en.gz`)));
  return { de, en };
}

export function dataPreset(name: string): DataPreset {
  const preset = (DATA_PRESETS as Record<string, DataPreset>)[name];
  if (!preset) {
    throw new Error(`preset: unknown data preset "${name}"; expected one of ${Object.keys(DATA_PRESETS).join(", ")}`);
  }
  return preset;
}

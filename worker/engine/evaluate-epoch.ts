import type { TrainingRun } from "./prepare-run";
import { scoreTranslations, type TranslationScores } from "./score-translations";
import { translate } from "./translate";
import type { TranslationRow } from "./types";

/** Sentences per greedy-decoding batch. */
const DECODE_BATCH_SIZE = 128;

export interface Evaluation {
  scores: TranslationScores;
  translations: TranslationRow[];
}

/**
 * Translates the validation pairs and the sample of noisy training pairs greedily and scores the
 * validation translations. The returned translations list validation pairs first.
 */
export function evaluateEpoch(run: TrainingRun): Evaluation {
  const { options } = run;
  const valid = decodeSet(run, "valid");
  const noisy = decodeSet(run, "noisySample");
  const validTranslations = run.valid.map((pair) => ({
    sampleId: options.data.valid[pair.index].sampleId,
    hypothesis: valid.get(pair.index) ?? "",
  }));
  const noisyTranslations = run.noisySample.map((pair) => ({
    sampleId: run.trainPairs[pair.index].sampleId,
    hypothesis: noisy.get(pair.index) ?? "",
  }));
  const scores = scoreTranslations(
    validTranslations.map((row) => row.hypothesis),
    options.data.valid.map((pair) => pair.tgt),
  );
  return { scores, translations: [...validTranslations, ...noisyTranslations] };
}

/** Translates and scores the test set. */
export function evaluateTest(run: TrainingRun): Evaluation {
  // NOTE: the test set is decoded greedily like the validation set; beam search is not
  // implemented yet, so test scores run lower than a beam-search evaluation would give.
  const { options } = run;
  const test = decodeSet(run, "test");
  const translations = run.test.map((pair) => ({
    sampleId: options.data.test[pair.index].sampleId,
    hypothesis: test.get(pair.index) ?? "",
  }));
  const scores = scoreTranslations(
    translations.map((row) => row.hypothesis),
    options.data.test.map((pair) => pair.tgt),
  );
  return { scores, translations };
}

function decodeSet(run: TrainingRun, set: "valid" | "test" | "noisySample"): Map<number, string> {
  return translate({
    model: run.model,
    tokenizer: run.tokenizer,
    sources: run[set],
    batchSize: DECODE_BATCH_SIZE,
    maxLength: run.preset.maxLength,
  });
}

import { DEFAULT_BEAM_SIZE } from "./beam-search";
import type { TrainingRun } from "./prepare-run";
import { scoreTranslations, type TranslationScores } from "./score-translations";
import { translate } from "./translate";
import type { TranslationRow } from "./types";

/** Sentences per decoding batch; beam search decodes TEST_BEAM_SIZE rows for each. */
const DECODE_BATCH_SIZE = 128;
/** Hypotheses per sentence when decoding the test set. */
export const TEST_BEAM_SIZE = DEFAULT_BEAM_SIZE;

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

/** Translates the test set by beam search (beam size 5, length penalty alpha 0.6) and scores it. */
export function evaluateTest(run: TrainingRun): Evaluation {
  const { options } = run;
  const test = decodeSet(run, "test", TEST_BEAM_SIZE);
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

/** Decodes one set of the run; beam size 1 is greedy search. */
function decodeSet(run: TrainingRun, set: "valid" | "test" | "noisySample", beamSize = 1): Map<number, string> {
  return translate({
    model: run.model,
    tokenizer: run.tokenizer,
    sources: run[set],
    batchSize: DECODE_BATCH_SIZE,
    maxLength: run.preset.maxLength,
    beamSize,
  });
}

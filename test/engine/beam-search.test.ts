import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRunConfig } from "../../lib/run-config";
import { selectBackend } from "../../worker/engine/backend";
import { type BeamHypothesis, beamSearch, gnmtLengthPenalty } from "../../worker/engine/beam-search";
import { type EncodedPair, toBatchTensors } from "../../worker/engine/batches";
import { greedyDecode } from "../../worker/engine/greedy-decode";
import { maxOutputLength } from "../../worker/engine/output-length";
import { disposeRun, prepareRun, type TrainingRun } from "../../worker/engine/prepare-run";
import { Random } from "../../lib/random";
import { registerGradients } from "../../worker/engine/register-gradients";
import { EOS_ID } from "../../lib/tokenizer/subword-tokenizer";
import { trainEpoch } from "../../worker/engine/train-epoch";
import { paddingBias, Transformer } from "../../worker/engine/transformer";
import { loadMicroData } from "./micro-data";

/** Epochs of the micro model: enough that its outputs depend on the source and end with eos. */
const TRAINED_EPOCHS = 4;
const ALPHA = 0.6;

let run: TrainingRun;

/**
 * Scores `tokens` under the model by teacher forcing: the sum of log p of each piece, plus log p
 * of eos when `endedWithEos`. Independent of the decoders' cached step-by-step path.
 */
function teacherForcedLogProb(model: Transformer, pair: EncodedPair, tokens: number[], endedWithEos: boolean): number {
  return tf.tidy(() => {
    const tensors = toBatchTensors([{ ...pair, tgtIds: tokens }]);
    const srcBias = paddingBias(tensors.srcMask);
    const memory = model.encode(tensors.srcIds, srcBias, null);
    const hidden = model.decode({ tgtIds: tensors.tgtInput, memory, srcBias, random: null });
    const logProbs = tf.logSoftmax(model.logits(hidden)).arraySync() as number[][][];
    const targets = endedWithEos ? [...tokens, EOS_ID] : tokens;
    return targets.reduce((sum, token, position) => sum + logProbs[0][position][token], 0);
  });
}

/** Returns the GNMT score of a greedy output, which ended with eos unless it reached its length limit. */
function greedyScore(model: Transformer, pair: EncodedPair, tokens: number[], maxLength: number): number {
  const endedWithEos = tokens.length < maxOutputLength(pair.srcIds, maxLength, model.config.maxPositions);
  const length = tokens.length + (endedWithEos ? 1 : 0);
  return teacherForcedLogProb(model, pair, tokens, endedWithEos) / gnmtLengthPenalty(length, ALPHA);
}

beforeAll(async () => {
  registerGradients();
  await selectBackend();
  const config = parseRunConfig({ datasetId: 1, strategy: "uniform", preset: "micro", epochs: TRAINED_EPOCHS, seed: 11 });
  const data = await loadMicroData();
  run = await prepareRun({ config, data, onEpoch: async () => {}, onProgress: () => {}, shouldStop: () => false });
  for (let epoch = 1; epoch <= TRAINED_EPOCHS; epoch++) await trainEpoch(run, epoch);
});

afterAll(() => {
  if (run) disposeRun(run);
});

describe("gnmtLengthPenalty", () => {
  it("is 1 for one token", () => {
    expect(gnmtLengthPenalty(1, 0.6)).toBe(1);
  });

  it("follows ((5 + |y|) / 6)^alpha", () => {
    expect(gnmtLengthPenalty(7, 0.6)).toBeCloseTo(2 ** 0.6, 12);
    expect(gnmtLengthPenalty(13, 1)).toBeCloseTo(3, 12);
  });

  it("is 1 for alpha 0", () => {
    expect(gnmtLengthPenalty(40, 0)).toBe(1);
  });
});

describe("beamSearch", () => {
  describe("when the beam size is 1", () => {
    it("returns the greedy output exactly", () => {
      const maxLength = run.preset.maxLength;
      const greedy = greedyDecode({ model: run.model, batch: run.test, maxLength });
      const beam = beamSearch({ model: run.model, batch: run.test, maxLength, beamSize: 1 });

      expect(beam.map((hypothesis) => hypothesis.tokens)).toEqual(greedy);
    });

    it("matches greedy search on an untrained model", () => {
      const model = new Transformer(
        { vocabSize: 30, dModel: 16, ffDim: 32, heads: 2, encoderLayers: 1, decoderLayers: 2, dropout: 0, maxPositions: 10 },
        new Random(5, "init"),
      );
      try {
        const batch = [5, 9, 14].map((start, index) => ({ index, srcIds: [start, start + 1, start + 2, EOS_ID], tgtIds: [] }));
        const greedy = greedyDecode({ model, batch, maxLength: 10 });
        const beam = beamSearch({ model, batch, maxLength: 10, beamSize: 1 });

        expect(beam.map((hypothesis) => hypothesis.tokens)).toEqual(greedy);
      } finally {
        model.dispose();
      }
    });
  });

  describe("when the beam size is 5 on a trained micro model", () => {
    let beam: BeamHypothesis[];
    let greedy: number[][];

    beforeAll(() => {
      const maxLength = run.preset.maxLength;
      beam = beamSearch({ model: run.model, batch: run.test, maxLength, beamSize: 5, lengthPenalty: ALPHA });
      greedy = greedyDecode({ model: run.model, batch: run.test, maxLength });
    });

    it("ends most outputs with eos", () => {
      const ended = beam.filter((hypothesis) => hypothesis.endedWithEos).length;
      expect(ended).toBeGreaterThan(run.test.length / 2);
    });

    it("scores each sentence at least as high as greedy search", () => {
      run.test.forEach((pair, row) => {
        const greedyValue = greedyScore(run.model, pair, greedy[row], run.preset.maxLength);
        expect(beam[row].score, `sentence ${row}`).toBeGreaterThanOrEqual(greedyValue - 1e-4);
      });
    });

    it("finds a better-scoring output than greedy for some sentence", () => {
      const improved = run.test.filter((pair, row) => {
        return beam[row].score > greedyScore(run.model, pair, greedy[row], run.preset.maxLength) + 1e-4;
      });
      expect(improved.length).toBeGreaterThan(0);
    });

    it("reports the teacher-forced log-probability and score", () => {
      run.test.forEach((pair, row) => {
        const { tokens, endedWithEos, logProb, score } = beam[row];
        const length = tokens.length + (endedWithEos ? 1 : 0);
        expect(logProb, `sentence ${row}`).toBeCloseTo(teacherForcedLogProb(run.model, pair, tokens, endedWithEos), 3);
        expect(score, `sentence ${row}`).toBeCloseTo(logProb / gnmtLengthPenalty(length, ALPHA), 10);
      });
    });

    it("repeats the same output", () => {
      const again = beamSearch({ model: run.model, batch: run.test, maxLength: run.preset.maxLength, beamSize: 5 });
      expect(again).toEqual(beam);
    });

    it("gives a sentence the same output alone as in a batch", () => {
      const alone = beamSearch({ model: run.model, batch: [run.test[3]], maxLength: run.preset.maxLength, beamSize: 5 });
      expect(alone[0].tokens).toEqual(beam[3].tokens);
    });
  });

  describe("when the beam covers every hypothesis", () => {
    // With 4 pieces (3 besides eos) and at most 3 output pieces there are 1 + 3 + 9 + 27 = 40
    // distinct outputs, and a beam of 64 keeps all of them, so beam search must return the
    // exhaustive optimum. A large alpha favours long outputs, which a search that stopped too
    // early would miss.
    const VOCAB = 4;
    const MAX_PIECES = 3;
    const SEEDS = [1, 9];
    const models = new Map<number, Transformer>();

    beforeAll(() => {
      for (const seed of SEEDS) {
        const shape = { vocabSize: VOCAB, dModel: 8, ffDim: 16, heads: 2, encoderLayers: 1, decoderLayers: 1 };
        models.set(seed, new Transformer({ ...shape, dropout: 0, maxPositions: 6 }, new Random(seed, "init")));
      }
    });

    afterAll(() => {
      for (const model of models.values()) model.dispose();
    });

    /** Every output: eos after 0 to MAX_PIECES - 1 pieces, or MAX_PIECES pieces cut without eos. */
    function allOutputs(): { tokens: number[]; endedWithEos: boolean }[] {
      const pieces = Array.from({ length: VOCAB }, (_, id) => id).filter((id) => id !== EOS_ID);
      const outputs: { tokens: number[]; endedWithEos: boolean }[] = [];
      const extend = (prefix: number[]) => {
        if (prefix.length === MAX_PIECES) {
          outputs.push({ tokens: prefix, endedWithEos: false });
          return;
        }
        outputs.push({ tokens: prefix, endedWithEos: true });
        for (const piece of pieces) extend([...prefix, piece]);
      };
      extend([]);
      return outputs;
    }

    function exhaustiveBest(model: Transformer, pair: EncodedPair, alpha: number): { tokens: number[]; score: number } {
      const scored = allOutputs().map(({ tokens, endedWithEos }) => {
        const length = tokens.length + (endedWithEos ? 1 : 0);
        return { tokens, score: teacherForcedLogProb(model, pair, tokens, endedWithEos) / gnmtLengthPenalty(length, alpha) };
      });
      return scored.reduce((best, candidate) => (candidate.score > best.score ? candidate : best));
    }

    it("enumerates 40 outputs", () => {
      expect(allOutputs()).toHaveLength(40);
    });

    for (const seed of SEEDS) {
      for (const alpha of [0, 0.6, 2, 5]) {
        it(`finds the exhaustive optimum for seed ${seed}, alpha ${alpha}`, () => {
          const model = models.get(seed) as Transformer;
          const batch = [[0, 1, 3], [3], [3, 3, 0, 1]].map((src, index) => ({ index, srcIds: [...src, EOS_ID], tgtIds: [] }));
          const results = beamSearch({ model, batch, maxLength: MAX_PIECES, beamSize: 64, lengthPenalty: alpha });

          batch.forEach((pair, row) => {
            const best = exhaustiveBest(model, pair, alpha);
            expect(results[row].tokens, `sentence ${row}`).toEqual(best.tokens);
            expect(results[row].score, `sentence ${row}`).toBeCloseTo(best.score, 4);
          });
        });
      }
    }
  });

  describe("when decoding finishes", () => {
    it("leaves no tensors behind", () => {
      const before = tf.memory().numTensors;
      beamSearch({ model: run.model, batch: run.test, maxLength: run.preset.maxLength, beamSize: 5 });
      greedyDecode({ model: run.model, batch: run.test, maxLength: run.preset.maxLength });

      expect(tf.memory().numTensors).toBe(before);
    });

    it("returns nothing for an empty batch", () => {
      expect(beamSearch({ model: run.model, batch: [], maxLength: 10 })).toEqual([]);
    });
  });

  describe("when options are invalid", () => {
    it("names a beam size of 0", () => {
      expect(() => beamSearch({ model: run.model, batch: run.test, maxLength: 10, beamSize: 0 })).toThrow(
        "beamSize must be an integer from 1 to 64, got 0",
      );
    });

    it("names a negative length penalty", () => {
      expect(() => beamSearch({ model: run.model, batch: run.test, maxLength: 10, lengthPenalty: -1 })).toThrow(
        "lengthPenalty must be a finite number of 0 or more, got -1",
      );
    });
  });
});

import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../worker/engine/backend";
import { type EncodedPair, toBatchTensors } from "../../worker/engine/batches";
import { disposeDecoderCache, selectDecoderRows, startDecoderCache, stepDecoderCache } from "../../worker/engine/decoder-cache";
import { greedyDecode } from "../../worker/engine/greedy-decode";
import { Random } from "../../lib/random";
import { BOS_ID, EOS_ID } from "../../lib/tokenizer/subword-tokenizer";
import { paddingBias, Transformer } from "../../worker/engine/transformer";

const CONFIG = {
  vocabSize: 40, dModel: 16, ffDim: 32, heads: 2, encoderLayers: 1, decoderLayers: 2, dropout: 0.1, maxPositions: 12,
};

let model: Transformer;

beforeAll(async () => {
  await selectBackend();
  model = new Transformer(CONFIG, new Random(3, "init"));
});

afterAll(() => model.dispose());

function pair(index: number, srcIds: number[], tgtIds: number[] = []): EncodedPair {
  return { index, srcIds: [...srcIds, EOS_ID], tgtIds };
}

/** Decoder hidden states [batch, tgtLength, dModel] with teacher forcing and dropout off. */
function teacherForced(batch: EncodedPair[]): number[][][] {
  return tf.tidy(() => {
    const tensors = toBatchTensors(batch);
    const srcBias = paddingBias(tensors.srcMask);
    const memory = model.encode(tensors.srcIds, srcBias, null);
    return model.decode({ tgtIds: tensors.tgtInput, memory, srcBias, random: null }).arraySync() as number[][][];
  });
}

/** Next-token logits [batch, tgtLength, vocabSize] of whole prefixes, without the cache. */
function fullPrefixLogits(batch: EncodedPair[]): number[][][] {
  return tf.tidy(() => {
    const tensors = toBatchTensors(batch);
    const srcBias = paddingBias(tensors.srcMask);
    const memory = model.encode(tensors.srcIds, srcBias, null);
    const hidden = model.decode({ tgtIds: tensors.tgtInput, memory, srcBias, random: null });
    return model.logits(hidden).arraySync() as number[][][];
  });
}

/** Feeds bos then `targets[row]` step by step through the cache; returns the logits of each step. */
function cachedLogits(sources: EncodedPair[], targets: number[][], beamWidth: number): number[][][] {
  let cache = startDecoderCache(model, sources, beamWidth);
  const steps: number[][][] = [];
  try {
    for (let position = 0; position < targets[0].length; position++) {
      const tokens = targets.map((row) => (position === 0 ? BOS_ID : row[position - 1]));
      const step = stepDecoderCache({ model, cache, tokens, position });
      cache = step.cache;
      steps.push(step.logits.arraySync());
      step.logits.dispose();
    }
  } finally {
    disposeDecoderCache(cache);
  }
  return steps;
}

function expectClose(actual: number[], expected: number[], tolerance: number): void {
  expect(actual).toHaveLength(expected.length);
  const worst = Math.max(...actual.map((value, i) => Math.abs(value - expected[i])));
  expect(worst).toBeLessThan(tolerance);
}

describe("Transformer", () => {
  describe("when decoding with the key/value cache", () => {
    const sources = [pair(0, [5, 9, 12, 7]), pair(1, [20, 4])];
    const targets = [[6, 7, 8, 9, 10], [11, 12, 13, 14, 15]];

    it("gives the full-prefix logits at every step", () => {
      const full = fullPrefixLogits(sources.map((source, row) => ({ ...source, tgtIds: targets[row] })));
      const cached = cachedLogits(sources, targets, 1);

      cached.forEach((step, position) => {
        step.forEach((logits, row) => expectClose(logits, full[row][position], 1e-4));
      });
    });

    it("gives each beam row the logits of its own prefix", () => {
      // Two rows per sentence, each with its own target, sharing the sentence's source keys.
      const beamTargets = [targets[0], [30, 31, 32, 33, 34], targets[1], [8, 8, 8, 8, 8]];
      const expanded = beamTargets.map((tgtIds, row) => ({ ...sources[Math.floor(row / 2)], tgtIds }));
      const full = fullPrefixLogits(expanded);
      const cached = cachedLogits(sources, beamTargets, 2);

      cached.forEach((step, position) => {
        step.forEach((logits, row) => expectClose(logits, full[row][position], 1e-4));
      });
    });

    it("follows rows reordered between steps", () => {
      // After two steps, row 0 continues old row 1 and row 1 continues old row 0; the second
      // sentence leaves the batch.
      let cache = startDecoderCache(model, sources, 2);
      const prefixes = [[6, 7], [30, 31], [11, 12], [8, 8]];
      let logits: number[][] = [];
      try {
        for (let position = 0; position < 2; position++) {
          const tokens = prefixes.map((prefix) => (position === 0 ? BOS_ID : prefix[position - 1]));
          const step = stepDecoderCache({ model, cache, tokens, position });
          cache = step.cache;
          step.logits.dispose();
        }
        cache = selectDecoderRows(cache, { sentences: [0], rows: [1, 0] });
        const step = stepDecoderCache({ model, cache, tokens: [prefixes[1][1], prefixes[0][1]], position: 2 });
        cache = step.cache;
        logits = step.logits.arraySync();
        step.logits.dispose();
      } finally {
        disposeDecoderCache(cache);
      }

      const full = fullPrefixLogits([prefixes[1], prefixes[0]].map((tgtIds) => ({ ...sources[0], tgtIds })));
      expectClose(logits[0], full[0][2], 1e-4);
      expectClose(logits[1], full[1][2], 1e-4);
    });

    it("rejects a position that skips the cache", () => {
      const cache = startDecoderCache(model, sources, 1);
      try {
        expect(() => stepDecoderCache({ model, cache, tokens: [BOS_ID, BOS_ID], position: 1 })).toThrow(
          "decodeStep expected position 0 (positions cached so far), got 1",
        );
      } finally {
        disposeDecoderCache(cache);
      }
    });

    it("leaves no tensors behind", () => {
      const before = tf.memory().numTensors;
      cachedLogits(sources, targets, 1);
      cachedLogits(sources, [targets[0], targets[0], targets[1], targets[1]], 2);
      greedyDecode({ model, batch: sources, maxLength: 8 });

      expect(tf.memory().numTensors).toBe(before);
    });
  });

  describe("when decoding step by step", () => {
    it("picks the argmax of teacher-forced logits", () => {
      const batch = [pair(0, [5, 9, 12, 7]), pair(1, [20, 4])];
      const outputs = greedyDecode({ model, batch, maxLength: 8 });

      const forced = tf.tidy(() => {
        const tensors = toBatchTensors(batch.map((p, row) => ({ ...p, tgtIds: outputs[row] })));
        const srcBias = paddingBias(tensors.srcMask);
        const memory = model.encode(tensors.srcIds, srcBias, null);
        const hidden = model.decode({ tgtIds: tensors.tgtInput, memory, srcBias, random: null });
        return tf.argMax(model.logits(hidden), -1).arraySync() as number[][];
      });

      outputs.forEach((tokens, row) => expect(forced[row].slice(0, tokens.length)).toEqual(tokens));
    });

    it("stops at maxLength", () => {
      const outputs = greedyDecode({ model, batch: [pair(0, [5, 9])], maxLength: 3 });

      expect(outputs[0].length).toBeLessThanOrEqual(3);
    });
  });

  describe("when a batch is padded", () => {
    it("gives a pair the same states as alone", () => {
      const short = pair(0, [5, 9], [7, 8]);
      const long = pair(1, [5, 9, 12, 7, 30, 31], [6, 8, 10, 11, 12]);

      const alone = teacherForced([short])[0];
      const padded = teacherForced([short, long])[0];

      alone.forEach((row, t) => row.forEach((value, j) => expect(padded[t][j]).toBeCloseTo(value, 4)));
    });
  });

  describe("when later target tokens change", () => {
    it("keeps earlier decoder states", () => {
      const first = teacherForced([pair(0, [5, 9], [6, 7, 8, 9])])[0];
      const second = teacherForced([pair(0, [5, 9], [6, 7, 30, 31])])[0];

      // Decoder inputs are bos 6 7 8 9 and bos 6 7 30 31: positions 0 to 2 see the same prefix.
      for (let t = 0; t < 3; t++) first[t].forEach((value, j) => expect(second[t][j]).toBeCloseTo(value, 5));
      expect(second[3][0]).not.toBeCloseTo(first[3][0], 5);
    });
  });

  describe("when dropout is on", () => {
    it("repeats the output for the same seed", () => {
      const run = (seed: number) =>
        tf.tidy(() => {
          const tensors = toBatchTensors([pair(0, [5, 9, 12], [6, 7])]);
          const srcBias = paddingBias(tensors.srcMask);
          return model.encode(tensors.srcIds, srcBias, new Random(seed, "dropout")).dataSync().slice();
        });

      expect(run(1)).toEqual(run(1));
      expect(run(1)).not.toEqual(run(2));
    });
  });

  describe("when disposed", () => {
    it("frees its variables and position table", () => {
      const before = tf.memory().numTensors;
      const other = new Transformer(CONFIG, new Random(4, "init"));
      other.dispose();

      expect(tf.memory().numTensors).toBe(before);
    });
  });
});

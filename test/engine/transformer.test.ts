import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../worker/engine/backend";
import { type EncodedPair, toBatchTensors } from "../../worker/engine/batches";
import { greedyDecode } from "../../worker/engine/greedy-decode";
import { Random } from "../../worker/engine/random";
import { EOS_ID } from "../../worker/engine/subword-tokenizer";
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

describe("Transformer", () => {
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

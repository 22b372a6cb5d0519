import { beforeAll, describe, expect, it } from "vitest";
import { SubwordTokenizer, UNK_ID } from "../../../lib/tokenizer/subword-tokenizer";
import type { TrainingPair } from "../../../worker/engine/types";
import { createStrategy } from "../../../worker/strategies";
import { CLEAN_TAG, NOISY_TAG } from "../../../worker/strategies/tagged";
import { loadMicroData } from "../../engine/micro-data";
import { makeBatch } from "./strategy-fixtures";

const PAIRS: TrainingPair[] = [
  { sampleId: 1, src: "Ein Hund rennt.", tgt: "A dog runs.", noisy: false },
  { sampleId: 2, src: "Zwei Kinder spielen.", tgt: "A man sleeps.", noisy: true },
  { sampleId: 3, src: "", tgt: "", noisy: true },
];

describe("tagged", () => {
  const strategy = createStrategy("tagged", {});

  describe("transformPairs", () => {
    it("puts <clean> or <noisy> and a space before each source", () => {
      const tagged = strategy.transformPairs?.(PAIRS);

      expect(tagged?.map((pair) => pair.src)).toEqual(["<clean> Ein Hund rennt.", "<noisy> Zwei Kinder spielen.", "<noisy>"]);
    });

    it("keeps ids, targets and noisy flags", () => {
      const tagged = strategy.transformPairs?.(PAIRS);

      expect(tagged?.map(({ sampleId, tgt, noisy }) => ({ sampleId, tgt, noisy }))).toEqual(PAIRS.map(({ sampleId, tgt, noisy }) => ({ sampleId, tgt, noisy })));
    });

    it("leaves its input unchanged", () => {
      strategy.transformPairs?.(PAIRS);

      expect(PAIRS[0].src).toBe("Ein Hund rennt.");
    });

    it("has its own tokenizer cache id", () => {
      expect(strategy.transformId).toBe("tagged:v1");
    });
  });

  describe("decodeSource", () => {
    it("puts <clean> before the source", () => {
      expect(strategy.decodeSource?.("Ein Hund rennt.")).toBe("<clean> Ein Hund rennt.");
    });

    it("turns an empty source into the tag alone", () => {
      expect(strategy.decodeSource?.("")).toBe("<clean>");
    });
  });

  describe("weights", () => {
    it("weighs every pair 1", () => {
      const rows = PAIRS.map(({ sampleId, noisy }) => ({ sampleId, noisy, loss: 2 }));
      const result = strategy.weights(makeBatch(1, rows));

      expect(result.weights).toEqual([1, 1, 1]);
      expect(result.dropped).toEqual([false, false, false]);
    });

    it("includes every pair", () => {
      expect(strategy.includes).toBeUndefined();
    });
  });

  describe("when the micro preset's tokenizer learns the tagged pairs", () => {
    let tokenizer: SubwordTokenizer;
    const piecesOf = (text: string) => tokenizer.encode(text).map((id) => tokenizer.pieces[id]);

    beforeAll(async () => {
      const data = await loadMicroData();
      const pairs = strategy.transformPairs?.(data.train) ?? [];
      tokenizer = SubwordTokenizer.train({ texts: pairs.flatMap((pair) => [pair.src, pair.tgt]), vocabSize: 400 });
    });

    it("encodes each tag to three pieces that differ in the middle one", () => {
      expect(piecesOf(CLEAN_TAG)).toEqual(["\u2581<", "clean", ">"]);
      expect(piecesOf(NOISY_TAG)).toEqual(["\u2581<", "noisy", ">"]);
    });

    it("encodes a tagged source as the tag's pieces, then the source's", () => {
      const source = "Ein Mann fährt Fahrrad.";
      const tagged = tokenizer.encode(strategy.decodeSource?.(source) ?? "");

      expect(tagged).toEqual([...tokenizer.encode(CLEAN_TAG), ...tokenizer.encode(source)]);
      expect(tagged).not.toContain(UNK_ID);
    });

    it("decodes the tagged source back to its text", () => {
      const text = "<clean> Ein Mann fährt Fahrrad.";

      expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
    });
  });

  describe("when a parameter is given", () => {
    it("rejects it by name, since tagged takes none", () => {
      expect(() => createStrategy("tagged", { lambda: 1 })).toThrow('invalid parameters for strategy tagged: params: Unrecognized key: "lambda"');
    });
  });
});

import { describe, expect, it } from "vitest";
import { WinnowError } from "../../lib/errors";
import { corpusChrf } from "../../lib/metrics/chrf";

describe("corpusChrf", () => {
  describe("when hypothesis and reference differ only in spacing", () => {
    it("scores 100 on characters", () => {
      expect(corpusChrf(["ab c"], [["a bc"]]).score).toBeCloseTo(100, 10);
    });

    it("scores below 100 with whitespace kept", () => {
      expect(corpusChrf(["ab c"], [["a bc"]], { whitespace: true }).score).toBeLessThan(100);
    });
  });

  describe("when word order is 2", () => {
    it("is named chrF2++", () => {
      const result = corpusChrf(["a b"], [["a b"]], { wordOrder: 2 });

      expect(result.name).toBe("chrF2++");
      expect(result.signature).toBe("nrefs:1|case:mixed|eff:yes|nc:6|nw:2|space:no|version:2.6.0");
    });

    it("splits punctuation off words", () => {
      const chrfPlusPlus = corpusChrf(["dog."], [["dog ."]], { wordOrder: 2 });

      expect(chrfPlusPlus.score).toBeCloseTo(100, 10);
    });
  });

  describe("when a segment has several references", () => {
    it("uses the reference with the best F-score", () => {
      const result = corpusChrf(["the cat"], [["a dog"], ["the cat"]]);

      expect(result.score).toBeCloseTo(100, 10);
    });
  });

  describe("when epsilon smoothing is on", () => {
    it("marks the signature eff:no", () => {
      const result = corpusChrf(["a"], [["a"]], { epsSmoothing: true });

      expect(result.signature).toBe("nrefs:1|case:mixed|eff:no|nc:6|nw:0|space:no|version:2.6.0");
    });

    it("averages over orders without n-grams", () => {
      const smoothed = corpusChrf(["ab"], [["ab"]], { epsSmoothing: true });

      expect(smoothed.score).toBeLessThan(50);
      expect(corpusChrf(["ab"], [["ab"]]).score).toBeCloseTo(100, 10);
    });
  });

  describe("when the input is invalid", () => {
    it("rejects beta 0", () => {
      const call = () => corpusChrf(["a"], [["a"]], { beta: 0 });

      expect(call).toThrow(WinnowError);
      expect(call).toThrow(/beta/);
    });

    it("rejects a reference stream of the wrong length", () => {
      expect(() => corpusChrf(["a"], [["a", "b"]])).toThrow(/reference stream 0 has 2 lines/);
    });
  });
});

import { describe, expect, it } from "vitest";
import { WinnowError } from "../../lib/errors";
import { corpusBleu, sentenceBleu } from "../../lib/metrics/bleu";

describe("corpusBleu", () => {
  describe("when a segment has several references", () => {
    it("uses the closest reference length", () => {
      const result = corpusBleu(["a b c"], [["a"], ["a b c d"]]);

      expect(result.refLen).toBe(4);
    });

    it("breaks a length tie towards the shorter reference", () => {
      const result = corpusBleu(["a b c"], [["a b c d"], ["a b"]]);

      expect(result.refLen).toBe(2);
    });

    it("clips matches by the highest count in any reference", () => {
      const result = corpusBleu(["a a a"], [["a b c"], ["a a d"]]);

      expect(result.counts[0]).toBe(2);
      expect(result.totals[0]).toBe(3);
    });
  });

  describe("when the corpus is shorter than four tokens", () => {
    it("scores 0 without effective order", () => {
      expect(corpusBleu(["a b"], [["a b"]]).score).toBe(0);
    });

    it("scores 100 with effective order", () => {
      expect(corpusBleu(["a b"], [["a b"]], { effectiveOrder: true }).score).toBeCloseTo(100, 10);
    });
  });

  describe("when a hypothesis ends in whitespace", () => {
    it("strips it before joining hyphenated line breaks", () => {
      const result = corpusBleu(["one two three four-\n"], [["one two three four-"]]);

      expect(result.counts).toEqual([4, 3, 2, 1]);
      expect(result.score).toBeCloseTo(100, 10);
    });
  });

  describe("when smoothing options are set", () => {
    it("writes the default add-k value in the signature", () => {
      const result = corpusBleu(["a b"], [["a c"]], { smoothMethod: "add-k" });

      expect(result.signature).toBe("nrefs:1|case:mixed|eff:no|tok:13a|smooth:add-k[1.00]|version:2.6.0");
    });

    it("adds k to counts and totals from the second order on", () => {
      const result = corpusBleu(["a b"], [["a c"]], { smoothMethod: "add-k", smoothValue: 1 });

      expect(result.counts).toEqual([1, 1, 1, 1]);
      expect(result.totals).toEqual([2, 2, 1, 1]);
    });
  });

  describe("when the input is invalid", () => {
    it("rejects an unknown smoothing method", () => {
      const call = () => corpusBleu(["a"], [["a"]], { smoothMethod: "bogus" as "exp" });

      expect(call).toThrow(WinnowError);
      expect(call).toThrow(/smoothMethod/);
    });

    it("rejects a reference stream of the wrong length", () => {
      const call = () => corpusBleu(["a", "b"], [["a", "b"], ["a"]]);

      expect(call).toThrow(/reference stream 1 has 1 lines but there are 2 hypotheses/);
    });

    it("rejects an empty corpus", () => {
      expect(() => corpusBleu([], [[]])).toThrow(/hypotheses must not be empty/);
    });
  });
});

describe("sentenceBleu", () => {
  describe("when no options are given", () => {
    it("uses effective order", () => {
      const result = sentenceBleu("a b", ["a b"]);

      expect(result.score).toBeCloseTo(100, 10);
      expect(result.signature).toBe("nrefs:1|case:mixed|eff:yes|tok:13a|smooth:exp|version:2.6.0");
    });
  });

  describe("when references are missing", () => {
    it("rejects an empty reference list", () => {
      expect(() => sentenceBleu("a", [])).toThrow(/at least one reference/);
    });
  });
});

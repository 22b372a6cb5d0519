import { describe, expect, it } from "vitest";
import { tokenizerIntl } from "../../lib/metrics/tokenizer-intl";

const tokenize = (line: string) => tokenizerIntl.tokenize(line);

describe("tokenizerIntl", () => {
  describe("when a line has Unicode punctuation", () => {
    it("splits guillemets and dashes off words", () => {
      expect(tokenize("Er sagte: «Hallo!»—und ging.")).toBe("Er sagte : « Hallo ! » — und ging .");
    });

    it("splits symbols off numbers", () => {
      expect(tokenize("€5 or 5€")).toBe("€ 5 or 5 €");
    });
  });

  describe("when punctuation touches a number", () => {
    it("keeps decimal separators", () => {
      expect(tokenize("pi is 3.14")).toBe("pi is 3.14");
    });

    it("keeps a final period after a number", () => {
      expect(tokenize("in 2024.")).toBe("in 2024.");
    });
  });
});

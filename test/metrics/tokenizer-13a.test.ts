import { describe, expect, it } from "vitest";
import { tokenizer13a } from "../../lib/metrics/tokenizer-13a";

const tokenize = (line: string) => tokenizer13a.tokenize(line);

describe("tokenizer13a", () => {
  it("has the signature 13a", () => {
    expect(tokenizer13a.signature).toBe("13a");
  });

  describe("when a line has punctuation", () => {
    it("splits punctuation off words", () => {
      expect(tokenize("Hello, world!")).toBe("Hello , world !");
    });

    it("splits brackets and symbols off words", () => {
      expect(tokenize("(hi) [x] {y} a/b c@d e_f g|h")).toBe("( hi ) [ x ] { y } a / b c @ d e _ f g | h");
    });

    it("keeps apostrophes and hyphens inside words", () => {
      expect(tokenize("Mr. Smith's e-mail")).toBe("Mr . Smith's e-mail");
    });

    it("splits tags such as <unk>", () => {
      expect(tokenize("A <unk> dog")).toBe("A < unk > dog");
    });

    it("splits every period of an abbreviation", () => {
      expect(tokenize("U.S.A.")).toBe("U . S . A .");
    });
  });

  describe("when periods and commas touch digits", () => {
    it("keeps thousands and decimal separators", () => {
      expect(tokenize("It costs $1,000.50 now.")).toBe("It costs $ 1,000.50 now .");
    });

    it("splits a final period after a number", () => {
      expect(tokenize("in 2024.")).toBe("in 2024 .");
    });

    it("splits a comma with a non-digit on either side", () => {
      expect(tokenize("a,b 1,b a,1 1,1")).toBe("a , b 1 , b a , 1 1,1");
    });

    it("splits a hyphen only after a digit", () => {
      expect(tokenize("3-4 dirt-bikes")).toBe("3 - 4 dirt-bikes");
    });
  });

  describe("when a line has entities", () => {
    it("decodes quot, lt, gt and amp", () => {
      expect(tokenize("&quot;cash&quot; &lt;b&gt; Tom &amp; Jerry")).toBe('" cash " < b > Tom & Jerry');
    });

    it("decodes &amp;quot; only once", () => {
      expect(tokenize("&amp;quot;")).toBe("& quot ;");
    });

    it("decodes &amp;lt; twice", () => {
      expect(tokenize("&amp;lt;")).toBe("<");
    });
  });

  describe("when a line has markup or line breaks", () => {
    it("drops <skipped>", () => {
      expect(tokenize("a <skipped> b")).toBe("a b");
    });

    it("joins words broken by a hyphen and line break", () => {
      expect(tokenize("snow-\nmobile ride\nhome")).toBe("snowmobile ride home");
    });
  });

  describe("when a line has unusual whitespace", () => {
    it("collapses runs of whitespace", () => {
      expect(tokenize("  a \t b  ")).toBe("a b");
    });

    it("splits on whitespace that Python splits on", () => {
      expect(tokenize("a\u0085b\u3000c")).toBe("a b c");
    });

    it("keeps the byte order mark inside a token", () => {
      expect(tokenize("a\ufeffb")).toBe("a\ufeffb");
    });
  });
});

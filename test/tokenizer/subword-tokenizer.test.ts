import { beforeAll, describe, expect, it } from "vitest";
import { readMulti30kLines } from "../../lib/datasets/multi30k-files";
import { learnBpeMerges } from "../../lib/tokenizer/bpe-merges";
import { WORD_START, pretokenize } from "../../lib/tokenizer/pretokenize";
import { BOS_ID, EOS_ID, PAD_ID, SubwordTokenizer, UNK_ID } from "../../lib/tokenizer/subword-tokenizer";
import { MULTI30K_DIR } from "../engine/micro-data";

let sentences: string[];
let tokenizer: SubwordTokenizer;

beforeAll(async () => {
  const [de, en] = await Promise.all([
    readMulti30kLines(MULTI30K_DIR, "task1.train.de.gz"),
    readMulti30kLines(MULTI30K_DIR, "task1.train.en.gz"),
  ]);
  sentences = [...de.slice(0, 3000), ...en.slice(0, 3000)];
  tokenizer = SubwordTokenizer.train({ texts: sentences, vocabSize: 1000 });
});

describe("learnBpeMerges", () => {
  it("merges the most frequent pair first", () => {
    const words = [["l", "o", "w"], ["l", "o", "w", "e", "r"], ["n", "e", "w", "e", "s", "t"], ["w", "i", "d", "e", "s", "t"]];
    const merges = learnBpeMerges({
      words,
      counts: [5, 2, 6, 3],
      alphabet: ["l", "o", "w", "e", "r", "n", "s", "t", "i", "d"],
      maxSymbols: 14,
    });

    // e+s and s+t both occur 9 times; the tie goes to the pair of earlier symbols.
    expect(merges).toEqual([["e", "s"], ["es", "t"], ["l", "o"], ["lo", "w"]]);
  });

  it("stops when no pair occurs twice", () => {
    const merges = learnBpeMerges({ words: [["a", "b"]], counts: [1], alphabet: ["a", "b"], maxSymbols: 10 });

    expect(merges).toEqual([]);
  });
});

describe("pretokenize", () => {
  it("marks units that follow a space", () => {
    expect(pretokenize("Ein Hund, der läuft.")).toEqual([
      `${WORD_START}Ein`, `${WORD_START}Hund`, ",", `${WORD_START}der`, `${WORD_START}läuft`, ".",
    ]);
  });

  it("gives each extra space its own unit", () => {
    expect(pretokenize("am  Strand")).toEqual([`${WORD_START}am`, WORD_START, `${WORD_START}Strand`]);
  });
});

describe("SubwordTokenizer", () => {
  describe("when trained on Multi30k", () => {
    it("has exactly the requested vocabulary size", () => {
      expect(tokenizer.vocabSize).toBe(1000);
    });

    it("keeps the special token ids", () => {
      expect(tokenizer.pieces.slice(0, 4)).toEqual(["<pad>", "<s>", "</s>", "<unk>"]);
      expect([PAD_ID, BOS_ID, EOS_ID, UNK_ID]).toEqual([0, 1, 2, 3]);
    });

    it("round-trips every training sentence", () => {
      const mismatches = sentences.filter((sentence) => tokenizer.decode(tokenizer.encode(sentence)) !== sentence);

      expect(mismatches).toEqual([]);
    });

    it("never emits special ids from encode", () => {
      const ids = sentences.slice(0, 200).flatMap((sentence) => tokenizer.encode(sentence));

      expect(ids.filter((id) => id === PAD_ID || id === BOS_ID || id === EOS_ID)).toEqual([]);
    });

    it("learns the same vocabulary twice", () => {
      const again = SubwordTokenizer.train({ texts: sentences, vocabSize: 1000 });

      expect(again.toJson()).toEqual(tokenizer.toJson());
    });

    it("restores from JSON with the same encoding", () => {
      const restored = SubwordTokenizer.fromJson(JSON.parse(JSON.stringify(tokenizer.toJson())));

      expect(restored.pieces).toEqual(tokenizer.pieces);
      expect(restored.encode(sentences[7])).toEqual(tokenizer.encode(sentences[7]));
    });
  });

  describe("when text needs care", () => {
    it.each([
      ["punctuation inside a sentence", "Two dogs, one cat (maybe) play."],
      ["leading punctuation", "\"Hello\" she said."],
      ["digits", "A 3-year-old child at 10:30."],
      ["text without spaces", "a.b,c"],
    ])("round-trips %s", (_case, text) => {
      expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
    });

    it.each([
      ["a double space", "A  dog"],
      ["leading and trailing spaces", "  A dog "],
      ["only spaces", "   "],
    ])("keeps %s", (_case, text) => {
      expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
    });

    it("keeps tabs and newlines seen in training", () => {
      const text = "A\tdog\nin  snow";
      const withTabs = SubwordTokenizer.train({ texts: [text], vocabSize: 50 });

      expect(withTabs.decode(withTabs.encode(text))).toBe(text);
    });

    it("encodes an unseen character as unk", () => {
      const ids = tokenizer.encode("A dog \u4e00");

      expect(ids).toContain(UNK_ID);
      expect(tokenizer.decode(ids)).toBe("A dog \u2047");
    });

    it("encodes empty text as no pieces", () => {
      expect(tokenizer.encode("")).toEqual([]);
      expect(tokenizer.decode([])).toBe("");
    });
  });

  describe("when the vocabulary is tiny", () => {
    it("keeps the most frequent characters and stays within the size", () => {
      const small = SubwordTokenizer.train({ texts: ["aaaa bbb cc d"], vocabSize: 8 });

      expect(small.vocabSize).toBeLessThanOrEqual(8);
      expect(small.decode(small.encode("d"))).toBe("\u2047");
    });

    it("rejects a size below 8", () => {
      expect(() => SubwordTokenizer.train({ texts: ["a"], vocabSize: 4 })).toThrow("vocabSize must be an integer from 8");
    });
  });
});

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { bleuOptionsSchema, corpusBleu, sentenceBleu } from "../../lib/metrics/bleu";
import { corpusChrf } from "../../lib/metrics/chrf";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const VECTORS_DIR = path.resolve(REPO_ROOT, "../shared/test-vectors");

/** The vectors round scores to 4 decimals, and 2 digits accepts a difference below 0.005. */
const DIGITS = 2;

const CHRF_PLUS_PLUS = { wordOrder: 2 } as const;

const scoreSchema = z.object({ score: z.number(), signature: z.string() }).strict();

/** sacreBLEU's BLEU keyword arguments as the vectors spell them. */
const vectorOptionsSchema = z
  .object({
    lowercase: z.boolean(),
    tokenize: z.string(),
    smooth_method: z.string(),
    smooth_value: z.number(),
    force: z.boolean(),
    use_effective_order: z.boolean(),
  })
  .partial()
  .strict();

const corpusVectorSchema = z
  .object({
    name: z.string(),
    hyps: z.array(z.string()),
    refs: z.array(z.array(z.string())),
    options: vectorOptionsSchema,
    bleu: z
      .object({
        score: z.number(),
        counts: z.array(z.number()),
        totals: z.array(z.number()),
        bp: z.number(),
        sys_len: z.number(),
        ref_len: z.number(),
        signature: z.string(),
      })
      .strict(),
    chrf: scoreSchema.optional(),
    "chrf++": scoreSchema.optional(),
    sentence_bleu: z.array(z.number()).optional(),
  })
  .strict();

const corpusEdgeCaseSchema = z
  .object({
    name: z.string(),
    note: z.string(),
    hyps: z.array(z.string()),
    refs: z.array(z.array(z.string())),
    bleu: z.number(),
    chrf: z.number(),
  })
  .strict();

const sentenceEdgeCaseSchema = z
  .object({
    name: z.string(),
    note: z.string(),
    sentence: z.literal(true),
    hyp: z.string(),
    refs: z.array(z.string()),
    bleu: z.number(),
  })
  .strict();

type CorpusVector = z.infer<typeof corpusVectorSchema>;

function readJsonLines<Schema extends z.ZodType>(file: string, schema: Schema): z.output<Schema>[] {
  const filePath = path.join(VECTORS_DIR, file);
  const lines = readFileSync(filePath, "utf8").split("\n").filter((line) => line.trim() !== "");
  return lines.map((line, index) => {
    const parsed = schema.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`${filePath}:${index + 1}: unexpected case format: ${parsed.error.message}`);
    return parsed.data;
  });
}

/** Maps sacreBLEU's keyword arguments to winnow's options. An invalid value fails only the case that uses it. */
function toBleuOptions(options: CorpusVector["options"]) {
  return bleuOptionsSchema.parse({
    lowercase: options.lowercase,
    tokenize: options.tokenize,
    smoothMethod: options.smooth_method,
    smoothValue: options.smooth_value,
    force: options.force,
    effectiveOrder: options.use_effective_order,
  });
}

const vectors = readJsonLines("sacrebleu-2.6.0.jsonl", corpusVectorSchema);
const edgeCaseSchema = z.union([sentenceEdgeCaseSchema, corpusEdgeCaseSchema]);
const edgeCases = readJsonLines("sacrebleu-edge-cases.jsonl", edgeCaseSchema);
const corpusEdgeCases = edgeCases.flatMap((edgeCase) => ("sentence" in edgeCase ? [] : [edgeCase]));
const sentenceEdgeCases = edgeCases.flatMap((edgeCase) => ("sentence" in edgeCase ? [edgeCase] : []));

describe("sacreBLEU 2.6.0 test vectors", () => {
  it("contains cases of every kind", () => {
    expect(vectors.length).toBeGreaterThan(0);
    expect(corpusEdgeCases.length).toBeGreaterThan(0);
    expect(sentenceEdgeCases.length).toBeGreaterThan(0);
  });

  describe("when computing corpus BLEU", () => {
    it.each(vectors)("matches $name", ({ hyps, refs, options, bleu }) => {
      const result = corpusBleu(hyps, refs, toBleuOptions(options));

      expect(result.score, "score").toBeCloseTo(bleu.score, DIGITS);
      expect(result.counts, "counts").toEqual(bleu.counts);
      expect(result.totals, "totals").toEqual(bleu.totals);
      expect(result.bp, "bp").toBeCloseTo(bleu.bp, DIGITS);
      expect(result.sysLen, "sysLen").toBe(bleu.sys_len);
      expect(result.refLen, "refLen").toBe(bleu.ref_len);
      expect(result.signature, "signature").toBe(bleu.signature);
    });
  });

  describe("when computing chrF", () => {
    const cases = vectors.flatMap(({ chrf, ...vector }) => (chrf ? [{ ...vector, expected: chrf }] : []));

    it.each(cases)("matches $name", ({ hyps, refs, expected }) => {
      const result = corpusChrf(hyps, refs);

      expect(result.score, "score").toBeCloseTo(expected.score, DIGITS);
      expect(result.signature, "signature").toBe(expected.signature);
    });
  });

  describe("when computing chrF++", () => {
    const cases = vectors.flatMap(({ "chrf++": chrfPlusPlus, ...vector }) =>
      chrfPlusPlus ? [{ ...vector, expected: chrfPlusPlus }] : [],
    );

    it.each(cases)("matches $name", ({ hyps, refs, expected }) => {
      const result = corpusChrf(hyps, refs, CHRF_PLUS_PLUS);

      expect(result.score, "score").toBeCloseTo(expected.score, DIGITS);
      expect(result.signature, "signature").toBe(expected.signature);
    });
  });

  describe("when computing sentence BLEU", () => {
    const cases = vectors.flatMap(({ sentence_bleu: sentenceScores, ...vector }) =>
      sentenceScores ? [{ ...vector, expected: sentenceScores }] : [],
    );

    it.each(cases)("matches every sentence of $name", ({ hyps, refs, expected }) => {
      expected.forEach((score, index) => {
        const references = refs.map((stream) => stream[index]);
        expect(sentenceBleu(hyps[index], references).score, `sentence ${index}`).toBeCloseTo(score, DIGITS);
      });
    });
  });
});

describe("sacreBLEU edge cases", () => {
  describe("when computing corpus BLEU", () => {
    it.each(corpusEdgeCases)("matches $name", ({ hyps, refs, bleu }) => {
      expect(corpusBleu(hyps, refs).score).toBeCloseTo(bleu, DIGITS);
    });
  });

  describe("when computing chrF", () => {
    it.each(corpusEdgeCases)("matches $name", ({ hyps, refs, chrf }) => {
      expect(corpusChrf(hyps, refs).score).toBeCloseTo(chrf, DIGITS);
    });
  });

  describe("when computing sentence BLEU", () => {
    it.each(sentenceEdgeCases)("matches $name", ({ hyp, refs, bleu }) => {
      expect(sentenceBleu(hyp, refs).score).toBeCloseTo(bleu, DIGITS);
    });
  });
});

/** A parallel corpus ready to store: training pairs flagged clean or noisy, plus valid and test. */
export interface DatasetPairs {
  srcLang: string;
  tgtLang: string;
  train: { src: string; tgt: string; noisy: boolean; noiseKind?: string }[];
  valid: { src: string; tgt: string }[];
  test: { src: string; tgt: string }[];
}

import { z } from "zod";

/** Version of the checkpoint layout; a reader rejects other versions instead of guessing. */
export const CHECKPOINT_FORMAT_VERSION = 1;

export const MANIFEST_FILE = "manifest.json";
export const WEIGHTS_FILE = "weights.bin";
export const TOKENIZER_FILE = "tokenizer.json";

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);
const uint32Schema = z.number().int().min(0).max(2 ** 32 - 1);

const randomStateSchema = z.object({
  words: z.tuple([uint32Schema, uint32Schema, uint32Schema, uint32Schema]),
  spareNormal: z.number().nullable(),
});

/** One tensor in weights.bin: `size` float32 values from byte `offset`, with size the product of `shape`. */
const tensorEntrySchema = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().min(0)),
  offset: z.number().int().min(0),
});

/** A contiguous byte range of weights.bin with its own SHA-256, so the model loads without the optimizer. */
const sectionSchema = z.object({
  offset: z.number().int().min(0),
  bytes: z.number().int().min(0),
  sha256: sha256Schema,
});

/** Sizes of the Transformer, as `TransformerConfig` names them. */
const modelShapeSchema = z.object({
  vocabSize: z.number().int().positive(),
  dModel: z.number().int().positive(),
  ffDim: z.number().int().positive(),
  heads: z.number().int().positive(),
  encoderLayers: z.number().int().positive(),
  decoderLayers: z.number().int().positive(),
  dropout: z.number().min(0).max(1),
  maxPositions: z.number().int().positive(),
});

/** manifest.json: everything in a checkpoint except the tensor values and the tokenizer. */
export const checkpointManifestSchema = z.object({
  format: z.literal("winnow-checkpoint"),
  version: z.literal(CHECKPOINT_FORMAT_VERSION),
  /** Epochs finished when the checkpoint was written, from 1. */
  epoch: z.number().int().positive(),
  /** Optimizer updates so far, over all epochs. */
  step: z.number().int().min(0),
  /** Highest validation BLEU over epochs 1 to `epoch`. */
  bestValidBleu: z.number(),
  /** True for the checkpoint of the run's last epoch: the trained model. */
  final: z.boolean(),
  createdAt: z.string(),
  /** The run configuration (lib/run-config.ts output); a resume must use the same one. */
  config: z.record(z.string(), z.unknown()),
  /** Dataset.hash of the training data, or null when the caller gave none. */
  datasetHash: z.string().nullable(),
  model: modelShapeSchema,
  /** Maximum source or target length in pieces, eos included, that training used; decoding should use it too. */
  maxLength: z.number().int().positive(),
  /** State of every random stream of the run, by stream name. */
  random: z.record(z.string(), randomStateSchema),
  /** Adam updates of the main model, and of the peer model when the strategy trains one. */
  optimizer: z.object({ updates: z.number().int().min(0), peerUpdates: z.number().int().min(0).optional() }),
  strategy: z.object({ name: z.string(), state: z.unknown().optional() }),
  tokenizer: z.object({
    file: z.literal(TOKENIZER_FILE),
    sha256: sha256Schema,
    /** The tokenizer cache file the run took its tokenizer from, or null when it was not cached. */
    cacheFile: z.string().nullable(),
  }),
  weights: z.object({
    file: z.literal(WEIGHTS_FILE),
    dtype: z.literal("float32"),
    byteOrder: z.literal("little-endian"),
    bytes: z.number().int().min(0),
    /** Model variables; enough for decoding. */
    model: sectionSchema,
    /** Adam's first and second moments, needed only to continue training. */
    optimizer: sectionSchema,
    tensors: z.array(tensorEntrySchema),
  }),
});

export type CheckpointManifest = z.infer<typeof checkpointManifestSchema>;
export type CheckpointTensorEntry = z.infer<typeof tensorEntrySchema>;
export type CheckpointSection = z.infer<typeof sectionSchema>;

/** Name prefixes of the tensors in weights.bin. */
export const TENSOR_PREFIX = {
  model: "model/",
  firstMoment: "adam/m/",
  secondMoment: "adam/v/",
  /** The peer model of co-teaching and its Adam moments, stored in the optimizer section. */
  peerModel: "peer/model/",
  peerFirstMoment: "peer/adam/m/",
  peerSecondMoment: "peer/adam/v/",
} as const;

/** Number of float32 values in a tensor of `shape`. */
export function tensorSize(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

import * as tf from "@tensorflow/tfjs-core";
import type { AttentionParams } from "./layers/attention";
import type { LayerNormParams } from "./layers/layer-norm";
import type { LinearParams } from "./layers/linear";
import type { Random } from "../../lib/random";

/** Sizes of the encoder-decoder Transformer. */
export interface TransformerShape {
  vocabSize: number;
  dModel: number;
  ffDim: number;
  heads: number;
  encoderLayers: number;
  decoderLayers: number;
}

export interface FeedForwardParams {
  inner: LinearParams;
  outer: LinearParams;
}

export interface EncoderLayerParams {
  selfAttentionNorm: LayerNormParams;
  selfAttention: AttentionParams;
  feedForwardNorm: LayerNormParams;
  feedForward: FeedForwardParams;
}

export interface DecoderLayerParams extends EncoderLayerParams {
  crossAttentionNorm: LayerNormParams;
  crossAttention: AttentionParams;
}

export interface TransformerParams {
  /** Shared by source and target and tied to the output projection, [vocabSize, dModel]. */
  embedding: tf.Variable<tf.Rank.R2>;
  encoderLayers: EncoderLayerParams[];
  decoderLayers: DecoderLayerParams[];
  /** Final normalisation of each stack, needed with pre-norm residual blocks. */
  encoderNorm: LayerNormParams;
  decoderNorm: LayerNormParams;
}

/**
 * Creates the model's variables from `random`: Xavier-uniform projections, zero biases, unit
 * layer-norm scales, and N(0, 1/dModel) embeddings, which the model scales by sqrt(dModel) on input.
 */
export function createTransformerParams(shape: TransformerShape, random: Random): TransformerParams {
  validateShape(shape);
  const { dModel } = shape;
  const init = new ParamFactory(random);
  const encoderLayer = (): EncoderLayerParams => ({
    selfAttentionNorm: init.layerNorm(dModel),
    selfAttention: init.attention(dModel),
    feedForwardNorm: init.layerNorm(dModel),
    feedForward: { inner: init.linear(dModel, shape.ffDim), outer: init.linear(shape.ffDim, dModel) },
  });

  return {
    embedding: init.normal([shape.vocabSize, dModel], 1 / Math.sqrt(dModel)),
    encoderLayers: Array.from({ length: shape.encoderLayers }, encoderLayer),
    decoderLayers: Array.from({ length: shape.decoderLayers }, () => ({
      ...encoderLayer(),
      crossAttentionNorm: init.layerNorm(dModel),
      crossAttention: init.attention(dModel),
    })),
    encoderNorm: init.layerNorm(dModel),
    decoderNorm: init.layerNorm(dModel),
  };
}

/** Lists every variable in a fixed order (embedding, encoder, decoder, final norms). */
export function listVariables(params: TransformerParams): tf.Variable[] {
  const found: tf.Variable[] = [];
  const visit = (node: unknown): void => {
    if (node instanceof tf.Variable) found.push(node);
    else if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === "object") Object.values(node).forEach(visit);
  };
  visit(params);
  return found;
}

const SHAPE_FIELDS = ["vocabSize", "dModel", "ffDim", "heads", "encoderLayers", "decoderLayers"] as const;

function validateShape(shape: TransformerShape): void {
  for (const field of SHAPE_FIELDS) {
    const value = shape[field];
    if (!Number.isInteger(value) || value < 1) throw new Error(`${field} must be a positive integer, got ${value}`);
  }
  if (shape.dModel % shape.heads !== 0) {
    throw new Error(`dModel must be a multiple of heads, got dModel ${shape.dModel} and heads ${shape.heads}`);
  }
}

class ParamFactory {
  constructor(private readonly random: Random) {}

  linear(inputDim: number, outputDim: number): LinearParams {
    const limit = Math.sqrt(6 / (inputDim + outputDim));
    const values = new Float32Array(inputDim * outputDim);
    for (let i = 0; i < values.length; i++) values[i] = (2 * this.random.next() - 1) * limit;
    return {
      weight: toVariable(() => tf.tensor2d(values, [inputDim, outputDim])),
      bias: toVariable(() => tf.zeros([outputDim])),
    };
  }

  attention(dModel: number): AttentionParams {
    return {
      query: this.linear(dModel, dModel),
      key: this.linear(dModel, dModel),
      value: this.linear(dModel, dModel),
      output: this.linear(dModel, dModel),
    };
  }

  layerNorm(dModel: number): LayerNormParams {
    return { gamma: toVariable(() => tf.ones([dModel])), beta: toVariable(() => tf.zeros([dModel])) };
  }

  normal(shape: [number, number], std: number): tf.Variable<tf.Rank.R2> {
    const values = new Float32Array(shape[0] * shape[1]);
    for (let i = 0; i < values.length; i++) values[i] = this.random.normal() * std;
    return toVariable(() => tf.tensor2d(values, shape));
  }
}

/** Creates a variable without leaking its initial tensor (tidy disposes tensors, never variables). */
function toVariable<R extends tf.Rank>(initial: () => tf.Tensor<R>): tf.Variable<R> {
  return tf.tidy(() => tf.variable(initial()));
}

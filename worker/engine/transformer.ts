import * as tf from "@tensorflow/tfjs-core";
import { attendHeads, multiHeadAttention, projectHeads } from "./layers/attention";
import { dropout } from "./layers/dropout";
import { embedTokens } from "./layers/embedding";
import { layerNorm } from "./layers/layer-norm";
import { linear } from "./layers/linear";
import { matMul } from "./layers/mat-mul";
import type { Random } from "../../lib/random";
import {
  createTransformerParams,
  type DecoderLayerParams,
  type EncoderLayerParams,
  type FeedForwardParams,
  listVariables,
  type TransformerParams,
  type TransformerShape,
} from "./transformer-params";

export interface TransformerConfig extends TransformerShape {
  /** Dropout rate on embeddings and on each sub-layer output before the residual add, 0 to 1. */
  dropout: number;
  /** Maximum sequence length, in tokens, that the position table covers. */
  maxPositions: number;
}

/** Added to attention scores of hidden positions; large enough that softmax gives them 0. */
const MASKED_SCORE = -1e9;

/**
 * Attention keys and values that step-by-step decoding reuses. A sentence owns `beamWidth`
 * adjacent decoder rows (its beam hypotheses), so decoder rows = sentences * beamWidth.
 */
export interface DecoderCache {
  /** Source padding mask as an additive bias, [sentences, 1, 1, srcLength]. */
  srcBias: tf.Tensor;
  /** Cross-attention keys per decoder layer, computed once per sentence: [sentences, heads, srcLength, headDim]. */
  crossKeys: tf.Tensor[];
  crossValues: tf.Tensor[];
  /** Self-attention keys per decoder layer, [rows, heads, positions decoded, headDim]; empty before the first step. */
  selfKeys: tf.Tensor[];
  selfValues: tf.Tensor[];
  /** Decoder rows per sentence, at least 1. */
  beamWidth: number;
}

/**
 * Encoder-decoder Transformer (Vaswani et al., NeurIPS 2017) with pre-norm residual blocks
 * (Xiong et al., ICML 2020), sinusoidal positions, and one embedding table shared by source,
 * target and the output projection (Press and Wolf, EACL 2017). Methods build tensors without
 * tidying, so callers run them inside `tf.tidy`. A `random` argument turns dropout on; null means
 * inference.
 */
export class Transformer {
  readonly params: TransformerParams;
  readonly variables: tf.Variable[];
  private readonly positions: tf.Tensor2D;

  constructor(
    readonly config: TransformerConfig,
    random: Random,
  ) {
    this.params = createTransformerParams(config, random);
    this.variables = listVariables(this.params);
    this.positions = sinusoidalPositions(config.maxPositions, config.dModel);
  }

  /** Encodes int32 source ids [batch, srcLength]; returns the memory [batch, srcLength, dModel]. */
  encode(srcIds: tf.Tensor2D, srcBias: tf.Tensor, random: Random | null): tf.Tensor {
    let x = this.embed(srcIds, random);
    for (const layer of this.params.encoderLayers) x = this.encoderLayer(x, layer, srcBias, random);
    return layerNorm(x, this.params.encoderNorm);
  }

  /** Runs the decoder on whole target prefixes [batch, tgtLength] with a causal mask; returns hidden states. */
  decode(options: { tgtIds: tf.Tensor2D; memory: tf.Tensor; srcBias: tf.Tensor; random: Random | null }): tf.Tensor {
    const { memory, srcBias, random } = options;
    const causal = causalBias(options.tgtIds.shape[1]);
    let x = this.embed(options.tgtIds, random);
    for (const layer of this.params.decoderLayers) {
      x = this.residual(x, random, layer.selfAttentionNorm, (h) => this.attend(layer.selfAttention, h, h, causal));
      x = this.residual(x, random, layer.crossAttentionNorm, (h) =>
        this.attend(layer.crossAttention, h, memory, srcBias),
      );
      x = this.residual(x, random, layer.feedForwardNorm, (h) => feedForward(h, layer.feedForward));
    }
    return layerNorm(x, this.params.decoderNorm);
  }

  /** Projects hidden states [..., dModel] onto the vocabulary with the tied embedding: [..., vocabSize]. */
  logits(hidden: tf.Tensor): tf.Tensor {
    const { dModel, vocabSize } = this.config;
    const leading = hidden.shape.slice(0, -1);
    const flat = tf.reshape(hidden, [-1, dModel]);
    return tf.reshape(matMul(flat, this.params.embedding, false, true), [...leading, vocabSize]);
  }

  /**
   * Precomputes the cross-attention keys and values of every decoder layer from the encoder
   * `memory` [sentences, srcLength, dModel], for step-by-step decoding with `beamWidth` rows per sentence.
   */
  startDecoding(options: { memory: tf.Tensor; srcBias: tf.Tensor; beamWidth: number }): DecoderCache {
    const { memory, srcBias, beamWidth } = options;
    if (!Number.isInteger(beamWidth) || beamWidth < 1) throw new Error(`beamWidth must be a positive integer, got ${beamWidth}`);
    const { heads } = this.config;
    const layers = this.params.decoderLayers;
    return {
      srcBias,
      crossKeys: layers.map((layer) => projectHeads(memory, layer.crossAttention.key, heads)),
      crossValues: layers.map((layer) => projectHeads(memory, layer.crossAttention.value, heads)),
      selfKeys: [],
      selfValues: [],
      beamWidth,
    };
  }

  /**
   * Decodes one position for int32 `tokens` [rows], the tokens at `position`, attending to the
   * cached earlier positions, so a step costs one position instead of the whole prefix. Returns
   * the next-token logits [rows, vocabSize] and a cache whose self-attention keys and values
   * include this position. The new cache shares the cross-attention tensors and source bias of
   * `cache`. Its self-attention tensors are new, so the caller disposes those of `cache`.
   */
  decodeStep(cache: DecoderCache, tokens: tf.Tensor1D, position: number): { logits: tf.Tensor; cache: DecoderCache } {
    const { heads } = this.config;
    const expectedRows = cache.srcBias.shape[0] * cache.beamWidth;
    if (tokens.shape[0] !== expectedRows) {
      throw new Error(`decodeStep expected ${expectedRows} tokens (sentences x beamWidth), got ${tokens.shape[0]}`);
    }
    const decoded = cache.selfKeys[0]?.shape[2] ?? 0;
    if (decoded !== position) throw new Error(`decodeStep expected position ${decoded} (positions cached so far), got ${position}`);
    const ids = tf.reshape(tokens, [-1, 1]) as tf.Tensor2D;
    let x = this.embed(ids, null, position);
    const selfKeys: tf.Tensor[] = [];
    const selfValues: tf.Tensor[] = [];

    this.params.decoderLayers.forEach((layer, index) => {
      const h = layerNorm(x, layer.selfAttentionNorm);
      const newKeys = projectHeads(h, layer.selfAttention.key, heads);
      const newValues = projectHeads(h, layer.selfAttention.value, heads);
      selfKeys.push(position === 0 ? newKeys : tf.concat([cache.selfKeys[index], newKeys], 2));
      selfValues.push(position === 0 ? newValues : tf.concat([cache.selfValues[index], newValues], 2));
      const queries = projectHeads(h, layer.selfAttention.query, heads);
      const context = attendHeads({ queries, keys: selfKeys[index], values: selfValues[index], bias: null });
      x = tf.add(x, linear(context, layer.selfAttention.output));
      x = tf.add(x, this.crossAttendCached(x, layer, cache, index));
      x = tf.add(x, feedForward(layerNorm(x, layer.feedForwardNorm), layer.feedForward));
    });

    const hidden = layerNorm(x, this.params.decoderNorm);
    const logits = tf.reshape(this.logits(hidden), [-1, this.config.vocabSize]);
    return { logits, cache: { ...cache, selfKeys, selfValues } };
  }

  dispose(): void {
    for (const variable of this.variables) variable.dispose();
    this.positions.dispose();
  }

  /**
   * Cross-attention of decoder rows [rows, 1, dModel] to the cached source keys. The rows of one
   * sentence become the query positions of one attention call, [sentences, heads, beamWidth,
   * headDim], so the source keys and values are never copied per beam row.
   */
  private crossAttendCached(x: tf.Tensor, layer: DecoderLayerParams, cache: DecoderCache, index: number): tf.Tensor {
    const { dModel, heads } = this.config;
    const sentences = cache.srcBias.shape[0];
    const h = tf.reshape(layerNorm(x, layer.crossAttentionNorm), [sentences, cache.beamWidth, dModel]);
    const queries = projectHeads(h, layer.crossAttention.query, heads);
    const context = attendHeads({
      queries, keys: cache.crossKeys[index], values: cache.crossValues[index], bias: cache.srcBias,
    });
    return tf.reshape(linear(context, layer.crossAttention.output), [-1, 1, dModel]);
  }

  /** Embeds ids [batch, length] scaled by sqrt(dModel), adds positions from `offset` on, applies dropout. */
  private embed(ids: tf.Tensor2D, random: Random | null, offset = 0): tf.Tensor {
    const length = ids.shape[1];
    if (offset + length > this.config.maxPositions) {
      throw new Error(`sequence of ${offset + length} tokens exceeds maxPositions ${this.config.maxPositions}`);
    }
    const tokens = tf.mul(embedTokens(this.params.embedding, ids), Math.sqrt(this.config.dModel));
    const positions = tf.slice(this.positions, [offset, 0], [length, this.config.dModel]);
    return dropout(tf.add(tokens, positions), this.config.dropout, random);
  }

  private encoderLayer(x: tf.Tensor, layer: EncoderLayerParams, srcBias: tf.Tensor, random: Random | null): tf.Tensor {
    const attended = this.residual(x, random, layer.selfAttentionNorm, (h) =>
      this.attend(layer.selfAttention, h, h, srcBias),
    );
    return this.residual(attended, random, layer.feedForwardNorm, (h) => feedForward(h, layer.feedForward));
  }

  /** Pre-norm residual block: x + dropout(sublayer(layerNorm(x))). */
  private residual(
    x: tf.Tensor,
    random: Random | null,
    norm: EncoderLayerParams["feedForwardNorm"],
    sublayer: (h: tf.Tensor) => tf.Tensor,
  ): tf.Tensor {
    return tf.add(x, dropout(sublayer(layerNorm(x, norm)), this.config.dropout, random));
  }

  private attend(params: EncoderLayerParams["selfAttention"], input: tf.Tensor, memory: tf.Tensor, bias: tf.Tensor): tf.Tensor {
    return multiHeadAttention({ params, heads: this.config.heads, input, memory, bias });
  }
}

/** Turns a {0, 1} padding mask [batch, length] into an additive attention bias [batch, 1, 1, length]. */
export function paddingBias(mask: tf.Tensor2D): tf.Tensor {
  const [batch, length] = mask.shape;
  return tf.reshape(tf.mul(tf.sub(1, mask), MASKED_SCORE), [batch, 1, 1, length]);
}

/** Bias [1, 1, length, length] that hides later positions from earlier ones. */
function causalBias(length: number): tf.Tensor {
  const values = new Float32Array(length * length);
  for (let row = 0; row < length; row++) {
    for (let col = row + 1; col < length; col++) values[row * length + col] = MASKED_SCORE;
  }
  return tf.tensor4d(values, [1, 1, length, length]);
}

function feedForward(h: tf.Tensor, params: FeedForwardParams): tf.Tensor {
  return linear(tf.relu(linear(h, params.inner)), params.outer);
}

/** Sinusoidal position encodings [maxPositions, dModel]: sin on even, cos on odd dimensions. */
function sinusoidalPositions(maxPositions: number, dModel: number): tf.Tensor2D {
  const values = new Float32Array(maxPositions * dModel);
  for (let position = 0; position < maxPositions; position++) {
    for (let i = 0; i < dModel; i += 2) {
      const angle = position / Math.pow(10000, i / dModel);
      values[position * dModel + i] = Math.sin(angle);
      if (i + 1 < dModel) values[position * dModel + i + 1] = Math.cos(angle);
    }
  }
  return tf.tensor2d(values, [maxPositions, dModel]);
}

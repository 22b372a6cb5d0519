import * as tf from "@tensorflow/tfjs-core";
import { fusedAdamStep } from "./kernels/adam-step-kernel";
import { nativeKernelsActive } from "./kernels/native-kernels";

export interface AdamOptions {
  /** Exponential decay of the first-moment estimate. Default 0.9. */
  beta1?: number;
  /** Exponential decay of the second-moment estimate. Default 0.98, as Vaswani et al. 2017. */
  beta2?: number;
  /** Added to the denominator for numerical stability. Default 1e-9, as Vaswani et al. 2017. */
  epsilon?: number;
  /** Gradients are rescaled when their global L2 norm exceeds this. Default 1; 0 turns clipping off. */
  clipNorm?: number;
}

/** Adam's state for a checkpoint: the live moment variables, in the order of the optimized variables. */
export interface AdamSnapshot {
  /** Updates applied so far; the bias corrections depend on it. */
  updates: number;
  firstMoments: readonly tf.Variable[];
  secondMoments: readonly tf.Variable[];
}

/** Saved moment values to continue from, in the order of the optimized variables. */
export interface AdamState {
  updates: number;
  firstMoments: readonly Float32Array[];
  secondMoments: readonly Float32Array[];
}

/**
 * Adam (Kingma and Ba, ICLR 2015) with bias correction, after clipping gradients by their global
 * norm (Pascanu et al., ICML 2013). The learning rate is an argument of each step, so the caller
 * owns the schedule.
 */
export class AdamOptimizer {
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly clipNorm: number;
  private readonly firstMoments: tf.Variable[];
  private readonly secondMoments: tf.Variable[];
  private updates = 0;

  constructor(
    private readonly variables: tf.Variable[],
    options: AdamOptions = {},
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.98;
    this.epsilon = options.epsilon ?? 1e-9;
    this.clipNorm = options.clipNorm ?? 1;
    this.firstMoments = variables.map((variable) => tf.tidy(() => tf.variable(tf.zerosLike(variable), false)));
    this.secondMoments = variables.map((variable) => tf.tidy(() => tf.variable(tf.zerosLike(variable), false)));
  }

  /**
   * Applies one update. `gradients` maps variable names to gradients, as `tf.variableGrads`
   * returns them; a variable without a gradient is left unchanged. Returns the global gradient
   * norm before clipping.
   */
  step(gradients: tf.NamedTensorMap, learningRate: number): number {
    this.updates += 1;
    const correction1 = 1 - Math.pow(this.beta1, this.updates);
    const correction2 = 1 - Math.pow(this.beta2, this.updates);
    const stepSize = (learningRate * Math.sqrt(correction2)) / correction1;

    if (nativeKernelsActive()) {
      // The same update as below, for all variables in one native kernel.
      const { variables, firstMoments, secondMoments, beta1, beta2, epsilon, clipNorm } = this;
      const present = variables.map((variable) => gradients[variable.name] ?? null);
      return tf.tidy(() =>
        fusedAdamStep({ variables, gradients: present, firstMoments, secondMoments, beta1, beta2, epsilon, stepSize, clipNorm }),
      );
    }

    return tf.tidy(() => {
      const present = this.variables.map((variable) => gradients[variable.name] ?? null);
      const norm = globalNorm(present.filter((gradient): gradient is tf.Tensor => gradient !== null));
      const scale = this.clipNorm > 0 ? tf.minimum(1, tf.div(this.clipNorm, tf.add(norm, 1e-6))) : tf.scalar(1);

      this.variables.forEach((variable, index) => {
        const gradient = present[index];
        if (gradient === null) return;
        const clipped = tf.mul(gradient, scale);
        const first = tf.add(tf.mul(this.firstMoments[index], this.beta1), tf.mul(clipped, 1 - this.beta1));
        const second = tf.add(tf.mul(this.secondMoments[index], this.beta2), tf.mul(tf.square(clipped), 1 - this.beta2));
        this.firstMoments[index].assign(first);
        this.secondMoments[index].assign(second);
        const denominator = tf.add(tf.sqrt(second), this.epsilon);
        variable.assign(tf.sub(variable, tf.mul(tf.div(first, denominator), stepSize)));
      });
      return norm.dataSync()[0];
    });
  }

  /** Returns the update count and the moment variables themselves, not copies, for writing a checkpoint. */
  snapshot(): AdamSnapshot {
    return { updates: this.updates, firstMoments: this.firstMoments, secondMoments: this.secondMoments };
  }

  /** Overwrites the moments and the update count with saved values; shapes must match the variables. */
  restore(state: AdamState): void {
    if (!Number.isInteger(state.updates) || state.updates < 0) {
      throw new Error(`invalid Adam state: updates must be a non-negative integer, got ${state.updates}`);
    }
    for (const [kind, moments, saved] of [
      ["first", this.firstMoments, state.firstMoments],
      ["second", this.secondMoments, state.secondMoments],
    ] as const) {
      if (saved.length !== moments.length) {
        throw new Error(`invalid Adam state: ${saved.length} ${kind} moments for ${moments.length} variables`);
      }
      moments.forEach((moment, index) => {
        if (saved[index].length !== moment.size) {
          throw new Error(`invalid Adam state: ${kind} moment ${index} has ${saved[index].length} values, expected ${moment.size}`);
        }
        tf.tidy(() => moment.assign(tf.tensor(saved[index], moment.shape)));
      });
    }
    this.updates = state.updates;
  }

  dispose(): void {
    for (const moment of [...this.firstMoments, ...this.secondMoments]) moment.dispose();
  }
}

function globalNorm(gradients: tf.Tensor[]): tf.Scalar {
  const squares = gradients.map((gradient) => tf.sum(tf.square(gradient)));
  return tf.sqrt(tf.addN(squares)) as tf.Scalar;
}

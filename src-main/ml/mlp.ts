/**
 * A multilayer perceptron on TensorFlow.js: Dense layers with ReLU between them and an optional
 * output activation. Weights are initialized from the project's seeded Rng with PyTorch's
 * nn.Linear default (U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases), so runs are
 * reproducible across backends and comparable with Stable-Baselines3.
 *
 * This is the API learners use; the ML backend work may change how `apply` computes (fused or
 * custom-gradient kernels) but not what it computes.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng.js';
import { lerps, lerpsInPlace } from './kernels/custom-ops.js';
import { dense } from './kernels/dense.js';

export type OutputActivation = 'linear' | 'tanh';

export interface MlpSpec {
  inputDim: number;
  hidden: readonly number[];
  outputDim: number;
  outputActivation: OutputActivation;
}

/**
 * Throws a one-line error unless `length` values are exactly `n` rows of `width` (observations
 * fed to a policy): a wrong width must not be read as a prefix or fail deep inside a matMul.
 */
export function checkInputWidth(name: string, length: number, n: number, width: number): void {
  if (length !== n * width) {
    const got = n > 0 && length % n === 0 ? `${length / n} values per observation` : `${length} values for ${n} observation(s)`;
    throw new Error(`${name}: got ${got}, but it takes ${width}`);
  }
}

export class Mlp {
  /** [W0, b0, W1, b1, ...]; W_i has shape [in, out]. */
  readonly variables: tf.Variable[];

  constructor(
    readonly spec: MlpSpec,
    rng: Rng,
    readonly name: string,
  ) {
    const dims = [spec.inputDim, ...spec.hidden, spec.outputDim];
    this.variables = [];
    for (let i = 0; i + 1 < dims.length; i++) {
      const fanIn = dims[i]!;
      const fanOut = dims[i + 1]!;
      const bound = 1 / Math.sqrt(fanIn);
      const w = new Float32Array(fanIn * fanOut);
      for (let j = 0; j < w.length; j++) w[j] = rng.uniform(-bound, bound);
      const b = new Float32Array(fanOut);
      for (let j = 0; j < b.length; j++) b[j] = rng.uniform(-bound, bound);
      // In a tidy, so the temporary tensors are freed and each variable owns its memory alone
      // (the optimizer and Polyak averaging then update it in place).
      this.variables.push(tf.tidy(() => tf.variable(tf.tensor2d(w, [fanIn, fanOut]), true, `${name}/w${i}`)));
      this.variables.push(tf.tidy(() => tf.variable(tf.tensor1d(b), true, `${name}/b${i}`)));
    }
  }

  get layerCount(): number {
    return this.variables.length / 2;
  }

  /**
   * Forward pass: x [batch, inputDim] -> [batch, outputDim]. Call inside tf.tidy.
   * Each layer is one taped op (kernels/dense.ts): fused matMul + bias + ReLU forward, and a
   * gradient that computes only what the tape asks for, with explicit transposes on wasm.
   */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return this.forward(x, this.spec.outputActivation);
  }

  /** Forward pass without the output activation (the last layer's pre-activation). Call inside tf.tidy. */
  applyPreActivation(x: tf.Tensor2D): tf.Tensor2D {
    return this.forward(x, 'linear');
  }

  private forward(x: tf.Tensor2D, last: OutputActivation): tf.Tensor2D {
    // A wrong width would otherwise fail deep inside a matMul, or not at all on a prefix read.
    if (x.shape[1] !== this.spec.inputDim) throw new Error(`${this.name}: input rows have ${x.shape[1]} values, expected ${this.spec.inputDim}`);
    let h = x;
    const n = this.layerCount;
    for (let i = 0; i < n; i++) {
      const w = this.variables[2 * i] as tf.Tensor2D;
      const b = this.variables[2 * i + 1] as tf.Tensor1D;
      h = dense(h, w, b, i < n - 1 ? 'relu' : last);
    }
    return h;
  }

  /** Copies every weight from `other` (same spec). */
  copyFrom(other: Mlp): void {
    tf.tidy(() => {
      for (let i = 0; i < this.variables.length; i++) this.variables[i]!.assign(other.variables[i]!);
    });
  }

  /** Polyak averaging: this <- tau * other + (1 - tau) * this (in place on wasm, else one fused op or tfjs ops). */
  polyakFrom(other: Mlp, tau: number): void {
    if (lerpsInPlace(this.variables, other.variables, tau)) return;
    tf.tidy(() => {
      const next = lerps(this.variables, other.variables, tau);
      this.variables.forEach((t, i) => t.assign(next[i]!));
    });
  }

  /** Weights as plain arrays (for checkpoints and export), in variable order. */
  getWeights(): Float32Array[] {
    return this.variables.map((v) => v.dataSync() as Float32Array).map((a) => Float32Array.from(a));
  }

  setWeights(weights: readonly Float32Array[]): void {
    if (weights.length !== this.variables.length) throw new Error(`${this.name}: expected ${this.variables.length} weight arrays, got ${weights.length}`);
    tf.tidy(() => {
      weights.forEach((w, i) => {
        const v = this.variables[i]!;
        if (w.length !== v.size) throw new Error(`${this.name}: weight ${i} has ${w.length} values, expected ${v.size}`);
        v.assign(tf.tensor(w, v.shape));
      });
    });
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

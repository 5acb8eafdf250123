/**
 * RMSprop with PyTorch's formula (what Stable-Baselines3's A2C uses, alpha 0.99, eps 1e-5):
 *
 *   v <- alpha v + (1 - alpha) g^2;   p <- p - lr g / (sqrt(v) + eps)
 *
 * over a fixed list of variables, the squares' average in one flat vector, with optional global
 * gradient-norm clipping: the same shape as FlatAdam (./optim.ts), so a learner can take either,
 * and its state {t, v} is saved and restored bit-exactly.
 */
import * as tf from '@tensorflow/tfjs';
import { requireArray, type Snapshot } from '../core/snapshot.js';

export interface RmspropOptions {
  lr: number;
  alpha?: number;
  eps?: number;
  /** Clip the global gradient norm to this value before the step (off when undefined). */
  maxGradNorm?: number;
}

export class FlatRmsprop {
  /** Mutable: on-policy learners decay it on a schedule. */
  lr: number;
  readonly alpha: number;
  readonly eps: number;
  readonly maxGradNorm: number | undefined;
  /** Steps taken. */
  t = 0;
  private readonly v: tf.Variable;
  private readonly sizes: number[];
  private readonly total: number;

  constructor(
    private readonly vars: readonly tf.Variable[],
    opts: RmspropOptions,
    name: string,
  ) {
    this.lr = opts.lr;
    this.alpha = opts.alpha ?? 0.99;
    this.eps = opts.eps ?? 1e-5;
    this.maxGradNorm = opts.maxGradNorm;
    this.sizes = vars.map((v) => v.size);
    this.total = this.sizes.reduce((a, b) => a + b, 0);
    this.v = tf.variable(tf.zeros([this.total]), false, `${name}/v`);
  }

  /** One step with `grads` in the order of the variables. Call inside tf.tidy. */
  apply(grads: readonly tf.Tensor[]): void {
    if (grads.length !== this.vars.length) throw new Error(`rmsprop: ${grads.length} gradients for ${this.vars.length} variables`);
    this.t++;
    let g: tf.Tensor1D = grads.length === 1 ? (tf.reshape(grads[0]!, [-1]) as tf.Tensor1D) : tf.concat(grads.map((x) => tf.reshape(x, [-1]) as tf.Tensor1D));
    if (this.maxGradNorm !== undefined) {
      const norm = tf.sqrt(tf.sum(tf.square(g)));
      const scale = tf.minimum(tf.scalar(1), tf.div(tf.scalar(this.maxGradNorm), tf.add(norm, tf.scalar(1e-6))));
      g = tf.mul(g, scale);
    }
    const v = tf.add(tf.mul(this.v, tf.scalar(this.alpha)), tf.mul(tf.square(g), tf.scalar(1 - this.alpha)));
    this.v.assign(v);
    const step = tf.mul(tf.div(g, tf.add(tf.sqrt(v), tf.scalar(this.eps))), tf.scalar(this.lr));
    const parts = this.vars.length === 1 ? [step] : tf.split(step, this.sizes);
    for (let i = 0; i < this.vars.length; i++) {
      const p = this.vars[i]!;
      p.assign(tf.sub(p, tf.reshape(parts[i]!, p.shape)));
    }
  }

  snapshot(): Snapshot<{ t: number }> {
    return { json: { t: this.t }, arrays: { v: this.v.dataSync().slice() as Float32Array } };
  }

  restore(snap: Snapshot): void {
    this.t = (snap.json as { t: number }).t;
    const v = requireArray(snap.arrays, 'v', Float32Array, this.total);
    tf.tidy(() => this.v.assign(tf.tensor1d(v)));
  }

  dispose(): void {
    this.v.dispose();
  }
}

/**
 * Adam (Kingma & Ba 2015), the one implementation of the app, with two update rules over the
 * same moments and bias corrections (1 - beta^t computed from the step count t in float64):
 *
 *   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 *   FlatAdam (TD3; PyTorch's formula, eps 1e-8, optional global gradient-norm clipping):
 *     p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 *   Adam (the VAE; tf.train.adam's formula, eps = the backend's epsilon, 1e-7 for float32):
 *     w <- w - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 *
 * FlatAdam keeps a variable list's moments in two flat vectors: about 15 ops for a whole network
 * plus 2 per variable (ops, not FLOPs, dominate small nets on the WebAssembly backend), and its
 * state {t, m, v} is saved and restored bit-exactly (tf.train.adam's setWeights recomputes the
 * bias-correction powers differently from training, so a resumed run would drift in the last bits).
 * Adam is a tf.Optimizer (minimize(), computeGradients(), applyGradients(), getWeights()/
 * setWeights() in tf.train.adam's layout: iterations, every first moment, every second moment);
 * on wasm its step is written in place into each variable and its moments (natively or in
 * JavaScript) when nothing else shares their memory, else one fused kernel for all variables;
 * other backends run tfjs's ~13 ops per variable. Large conv nets (the VAE) gain from the in-place
 * step; the two rules stay apart so that neither learner's numbers change.
 */
import * as tf from '@tensorflow/tfjs';
import { requireArray, type Snapshot } from '../core/snapshot.js';
import { adamSteps, adamStepsInPlace, type AdamAttrs } from './kernels/custom-ops.js';

/** The kernels' attributes for step `t` (1-based): the bias corrections both rules use. */
function stepAttrs(lr: number, beta1: number, beta2: number, eps: number, t: number): AdamAttrs {
  return { lr, beta1, beta2, eps, bc1: 1 - Math.pow(beta1, t), bc2: 1 - Math.pow(beta2, t) };
}

/** tfjs-core's NamedTensor (not re-exported by @tensorflow/tfjs). */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

interface Slot {
  m: tf.Variable;
  v: tf.Variable;
}

export class Adam extends tf.Optimizer {
  static get className(): string {
    return 'DriveLabAdam';
  }

  readonly epsilon: number;
  /** Moments per variable name, in first-seen order. */
  private readonly slots = new Map<string, Slot>();

  constructor(
    readonly learningRate = 1e-3,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    epsilon?: number,
  ) {
    super();
    // tf.train.adam's default: the backend's epsilon (1e-7 for float32).
    this.epsilon = epsilon ?? tf.backend().epsilon();
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries: Array<[string, tf.Tensor | undefined]> = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor])
      : Object.keys(variableGradients).map((k) => [k, variableGradients[k]]);
    const attrs = stepAttrs(this.learningRate, this.beta1, this.beta2, this.epsilon, this.iterations + 1);
    const variables = tf.engine().registeredVariables;
    tf.tidy(() => {
      const work: Array<{ value: tf.Variable; slot: Slot; grad: tf.Tensor }> = [];
      for (const [name, grad] of entries) {
        const value = variables[name];
        if (!value) throw new Error(`Adam: no variable named ${name}`);
        let slot = this.slots.get(name);
        if (!slot) {
          slot = { m: tf.variable(tf.zerosLike(value), false), v: tf.variable(tf.zerosLike(value), false) };
          this.slots.set(name, slot);
        }
        if (grad != null) work.push({ value, slot, grad });
      }
      const vars = work.map((x) => ({ value: x.value, m: x.slot.m, v: x.slot.v, grad: x.grad }));
      if (adamStepsInPlace(vars, attrs)) return;
      const updated = adamSteps(vars, attrs);
      work.forEach((x, i) => {
        const [w, m, v] = updated[i]!;
        x.slot.m.assign(m);
        x.slot.v.assign(v);
        x.value.assign(w);
      });
    });
    this.incrementIterations();
  }

  override dispose(): void {
    super.dispose();
    for (const s of this.slots.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.slots.clear();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const names = [...this.slots.keys()];
    return [
      await this.saveIterations(),
      ...names.map((n) => ({ name: `${n}/m`, tensor: this.slots.get(n)!.m })),
      ...names.map((n) => ({ name: `${n}/v`, tensor: this.slots.get(n)!.v })),
    ];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    const half = rest.length / 2;
    if (!Number.isInteger(half)) throw new Error('Adam.setWeights: expected first and second moments in equal number');
    for (const s of this.slots.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.slots.clear();
    for (let i = 0; i < half; i++) {
      const m = rest[i]!;
      const v = rest[half + i]!;
      const name = m.name.replace(/\/m$/, '');
      if (v.name !== `${name}/v`) throw new Error(`Adam.setWeights: moments out of order (${m.name}, ${v.name})`);
      this.slots.set(name, { m: tf.variable(m.tensor, false), v: tf.variable(v.tensor, false) });
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/** tf.train.adam's signature and defaults, with the fused update. */
export function adam(learningRate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon?: number): Adam {
  return new Adam(learningRate, beta1, beta2, epsilon);
}

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  /** PyTorch's default 1e-8 (tfjs would use 1e-7). */
  eps?: number;
  /** Clip the global gradient norm to this value before the step (off when undefined). */
  maxGradNorm?: number;
}

/** Adam with PyTorch's formula over a fixed list of variables, moments in two flat vectors (see the file comment). */
export class FlatAdam {
  /** Mutable: on-policy learners decay it on a schedule (SB3 "lin_" learning rates). */
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly maxGradNorm: number | undefined;
  /** Steps taken. */
  t = 0;
  private readonly m: tf.Variable;
  private readonly v: tf.Variable;
  private readonly sizes: number[];
  private readonly total: number;
  private readonly consts: { b1: tf.Scalar; c1: tf.Scalar; b2: tf.Scalar; c2: tf.Scalar; eps: tf.Scalar };

  constructor(
    private readonly vars: readonly tf.Variable[],
    opts: AdamOptions,
    name: string,
  ) {
    this.lr = opts.lr;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.maxGradNorm = opts.maxGradNorm;
    this.sizes = vars.map((v) => v.size);
    this.total = this.sizes.reduce((a, b) => a + b, 0);
    this.m = tf.variable(tf.zeros([this.total]), false, `${name}/m`);
    this.v = tf.variable(tf.zeros([this.total]), false, `${name}/v`);
    this.consts = {
      b1: tf.scalar(this.beta1),
      c1: tf.scalar(1 - this.beta1),
      b2: tf.scalar(this.beta2),
      c2: tf.scalar(1 - this.beta2),
      eps: tf.scalar(this.eps),
    };
  }

  /** One step with `grads` in the order of the variables. Call inside tf.tidy. */
  apply(grads: readonly tf.Tensor[]): void {
    if (grads.length !== this.vars.length) throw new Error(`adam: ${grads.length} gradients for ${this.vars.length} variables`);
    this.t++;
    const { b1, c1, b2, c2, eps } = this.consts;
    let g: tf.Tensor1D = grads.length === 1 ? (tf.reshape(grads[0]!, [-1]) as tf.Tensor1D) : tf.concat(grads.map((x) => tf.reshape(x, [-1]) as tf.Tensor1D));
    if (this.maxGradNorm !== undefined) {
      const norm = tf.sqrt(tf.sum(tf.square(g)));
      const scale = tf.minimum(tf.scalar(1), tf.div(tf.scalar(this.maxGradNorm), tf.add(norm, tf.scalar(1e-6))));
      g = tf.mul(g, scale);
    }
    const m = tf.add(tf.mul(this.m, b1), tf.mul(g, c1));
    const v = tf.add(tf.mul(this.v, b2), tf.mul(tf.square(g), c2));
    this.m.assign(m);
    this.v.assign(v);
    const { bc1, bc2 } = stepAttrs(this.lr, this.beta1, this.beta2, this.eps, this.t);
    const denom = tf.add(tf.mul(tf.sqrt(v), tf.scalar(1 / Math.sqrt(bc2))), eps);
    const step = tf.mul(tf.div(m, denom), tf.scalar(this.lr / bc1));
    const parts = this.vars.length === 1 ? [step] : tf.split(step, this.sizes);
    for (let i = 0; i < this.vars.length; i++) {
      const p = this.vars[i]!;
      p.assign(tf.sub(p, tf.reshape(parts[i]!, p.shape)));
    }
  }

  snapshot(): Snapshot<{ t: number }> {
    return { json: { t: this.t }, arrays: { m: this.m.dataSync().slice() as Float32Array, v: this.v.dataSync().slice() as Float32Array } };
  }

  restore(snap: Snapshot): void {
    this.t = (snap.json as { t: number }).t;
    const m = requireArray(snap.arrays, 'm', Float32Array, this.total);
    const v = requireArray(snap.arrays, 'v', Float32Array, this.total);
    tf.tidy(() => {
      this.m.assign(tf.tensor1d(m));
      this.v.assign(tf.tensor1d(v));
    });
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
    for (const c of Object.values(this.consts)) c.dispose();
  }
}

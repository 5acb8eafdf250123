/**
 * Adam with tf.train.adam's arithmetic and state layout. On wasm the step is written in place
 * into each variable and its moments (natively or in JavaScript) when nothing else shares their
 * memory, else one fused kernel for all variables; other backends run tfjs's ~13 ops per variable. It is a
 * tf.Optimizer: minimize(), computeGradients(), applyGradients(), getWeights()/setWeights()
 * (iterations, then every first moment, then every second moment, as tf.train.adam) all work.
 *
 *   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 *   w <- w - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 */
import * as tf from '@tensorflow/tfjs';
import { adamSteps, adamStepsInPlace, type AdamAttrs } from './kernels/custom-ops.js';

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
    const t = this.iterations + 1;
    const attrs: AdamAttrs = {
      lr: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      eps: this.epsilon,
      bc1: 1 - Math.pow(this.beta1, t),
      bc2: 1 - Math.pow(this.beta2, t),
    };
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

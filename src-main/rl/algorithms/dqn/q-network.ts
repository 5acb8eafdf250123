/**
 * The DQN family's Q network: an MLP trunk (ReLU) and a linear head, with two options:
 *
 *   dueling (Wang et al. 2016): a value head V [atoms] and an advantage head A [actions * atoms],
 *     both linear on the trunk's last features, out = V + A - mean_a A (per atom);
 *   noisy (Fortunato et al. 2018, factorised Gaussian): every layer's weights are
 *     W = W_mu + W_sigma * (f(e_in) f(e_out)^T), b = b_mu + b_sigma * f(e_out), f(x) = sgn(x) sqrt|x|,
 *     e ~ N(0, 1) drawn per forward pass by the caller (`sampleNoise`); W_sigma starts at
 *     sigma_0 / sqrt(fan_in). Without noise (`apply(x)`), the mean weights act.
 *
 * The output per observation is [actions * atoms] (action-major): Q values when atoms = 1, C51
 * logits otherwise. Means are initialized as PyTorch's nn.Linear and as ml/mlp.ts (the same draws,
 * in the same order, so a plain Q network starts exactly as an Mlp of the same spec would).
 *
 * `policyWeights` folds the mean network into a plain Mlp's weights (the dueling combination is
 * linear, so it folds into the last layer): what checkpoints, evaluation from weights and export
 * read. The folded network computes the same values up to float rounding.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../../core/rng.js';
import { dense } from '../../../ml/kernels/dense.js';
import type { MlpSpec } from '../../../ml/mlp.js';

export interface QNetworkSpec {
  obsDim: number;
  actions: number;
  /** 1 = Q values; >= 2 = C51 atoms per action. */
  atoms: number;
  hidden: readonly number[];
  dueling: boolean;
  noisy: boolean;
  noisySigma0: number;
}

interface Layer {
  fanIn: number;
  fanOut: number;
  w: tf.Variable;
  b: tf.Variable;
  wSigma?: tf.Variable;
  bSigma?: tf.Variable;
}

/** One forward pass's factorised noise per layer: f(e_in) and f(e_out). */
export type LayerNoise = Array<{ in: Float32Array; out: Float32Array }>;

const f = (x: number) => Math.sign(x) * Math.sqrt(Math.abs(x));

export class QNetwork {
  /** Trunk layers, then the head(s): [out] or [value, advantage]. */
  readonly layers: Layer[] = [];
  /** Every trainable variable, in a fixed order (checkpoints, optimizer). */
  readonly variables: tf.Variable[] = [];
  readonly outputDim: number;

  constructor(
    readonly spec: QNetworkSpec,
    rng: Rng,
    readonly name: string,
  ) {
    const { obsDim, actions, atoms, hidden, dueling } = spec;
    this.outputDim = actions * atoms;
    const dims = [obsDim, ...hidden];
    for (let i = 0; i + 1 < dims.length; i++) this.layers.push(this.layer(dims[i]!, dims[i + 1]!, rng, `h${i}`));
    const feat = dims[dims.length - 1]!;
    if (dueling) {
      this.layers.push(this.layer(feat, atoms, rng, 'value'));
      this.layers.push(this.layer(feat, actions * atoms, rng, 'advantage'));
    } else {
      this.layers.push(this.layer(feat, actions * atoms, rng, 'out'));
    }
  }

  private layer(fanIn: number, fanOut: number, rng: Rng, tag: string): Layer {
    const bound = 1 / Math.sqrt(fanIn);
    const w = new Float32Array(fanIn * fanOut);
    for (let j = 0; j < w.length; j++) w[j] = rng.uniform(-bound, bound);
    const b = new Float32Array(fanOut);
    for (let j = 0; j < b.length; j++) b[j] = rng.uniform(-bound, bound);
    const v = (x: Float32Array, shape: number[], n: string) => tf.tidy(() => tf.variable(tf.tensor(x, shape), true, `${this.name}/${tag}/${n}`));
    const layer: Layer = { fanIn, fanOut, w: v(w, [fanIn, fanOut], 'w'), b: v(b, [fanOut], 'b') };
    this.variables.push(layer.w, layer.b);
    if (this.spec.noisy) {
      const s = this.spec.noisySigma0 / Math.sqrt(fanIn);
      layer.wSigma = v(new Float32Array(fanIn * fanOut).fill(s), [fanIn, fanOut], 'w_sigma');
      layer.bSigma = v(new Float32Array(fanOut).fill(s), [fanOut], 'b_sigma');
      this.variables.push(layer.wSigma, layer.bSigma);
    }
    return layer;
  }

  /** Fresh factorised noise for every layer (noisy networks only), from `rng`. */
  sampleNoise(rng: Rng): LayerNoise {
    return this.layers.map((l) => ({
      in: Float32Array.from({ length: l.fanIn }, () => f(rng.normal())),
      out: Float32Array.from({ length: l.fanOut }, () => f(rng.normal())),
    }));
  }

  /** Outputs [batch, actions * atoms] for x [batch, obsDim]; mean weights unless `noise` is given. Call inside tf.tidy. */
  apply(x: tf.Tensor2D, noise?: LayerNoise): tf.Tensor2D {
    const weights = (i: number): [tf.Tensor2D, tf.Tensor1D] => {
      const l = this.layers[i]!;
      const n = noise?.[i];
      if (!n || !l.wSigma || !l.bSigma) return [l.w as tf.Tensor2D, l.b as tf.Tensor1D];
      const eOut = tf.tensor1d(n.out);
      const eps = tf.outerProduct(tf.tensor1d(n.in), eOut);
      return [tf.add(l.w, tf.mul(l.wSigma, eps)) as tf.Tensor2D, tf.add(l.b, tf.mul(l.bSigma, eOut)) as tf.Tensor1D];
    };
    const trunk = this.spec.hidden.length;
    let h = x;
    for (let i = 0; i < trunk; i++) {
      const [w, b] = weights(i);
      h = dense(h, w, b, 'relu');
    }
    if (!this.spec.dueling) {
      const [w, b] = weights(trunk);
      return dense(h, w, b, 'linear');
    }
    const { actions, atoms } = this.spec;
    const [wv, bv] = weights(trunk);
    const [wa, ba] = weights(trunk + 1);
    const B = x.shape[0];
    const v = tf.reshape(dense(h, wv, bv, 'linear'), [B, 1, atoms]);
    const a = tf.reshape(dense(h, wa, ba, 'linear'), [B, actions, atoms]);
    return tf.reshape(tf.add(v, tf.sub(a, tf.mean(a, 1, true))), [B, actions * atoms]) as tf.Tensor2D;
  }

  /** The plain Mlp that computes the mean network (see the file comment). */
  policySpec(): MlpSpec {
    return { inputDim: this.spec.obsDim, hidden: this.spec.hidden, outputDim: this.outputDim, outputActivation: 'linear' };
  }

  /** The mean network folded into an Mlp's weights [W0, b0, ...] (W [in, out], row-major). */
  policyWeights(): Float32Array[] {
    const trunk = this.spec.hidden.length;
    const out: Float32Array[] = [];
    for (let i = 0; i < trunk; i++) out.push(read(this.layers[i]!.w), read(this.layers[i]!.b));
    if (!this.spec.dueling) {
      out.push(read(this.layers[trunk]!.w), read(this.layers[trunk]!.b));
      return out;
    }
    const { actions, atoms } = this.spec;
    const value = this.layers[trunk]!;
    const adv = this.layers[trunk + 1]!;
    const fold = (v: Float32Array, a: Float32Array, rows: number): Float32Array => {
      const width = actions * atoms;
      const q = new Float32Array(rows * width);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < atoms; j++) {
          let mean = 0;
          for (let k = 0; k < actions; k++) mean += a[r * width + k * atoms + j]!;
          mean /= actions;
          for (let k = 0; k < actions; k++) q[r * width + k * atoms + j] = v[r * atoms + j]! + a[r * width + k * atoms + j]! - mean;
        }
      }
      return q;
    };
    out.push(fold(read(value.w), read(adv.w), value.fanIn), fold(read(value.b), read(adv.b), 1));
    return out;
  }

  /**
   * Sets the mean network from a plain Mlp's weights of policySpec() (a run started from an
   * export). Dueling: V = the mean over actions of the given last layer, A = the given last
   * layer, so V + A - mean A reproduces it. Noise scales are left as they are.
   */
  setPolicyWeights(weights: readonly Float32Array[]): void {
    const trunk = this.spec.hidden.length;
    if (weights.length !== 2 * (trunk + 1)) throw new Error(`${this.name}: expected ${2 * (trunk + 1)} policy weight arrays, got ${weights.length}`);
    const assign = (v: tf.Variable, a: Float32Array) => {
      if (a.length !== v.size) throw new Error(`${this.name}: a policy weight has ${a.length} values, expected ${v.size}`);
      tf.tidy(() => v.assign(tf.tensor(a, v.shape)));
    };
    for (let i = 0; i < trunk; i++) {
      assign(this.layers[i]!.w, weights[2 * i]!);
      assign(this.layers[i]!.b, weights[2 * i + 1]!);
    }
    const w = weights[2 * trunk]!;
    const b = weights[2 * trunk + 1]!;
    if (!this.spec.dueling) {
      assign(this.layers[trunk]!.w, w);
      assign(this.layers[trunk]!.b, b);
      return;
    }
    const { actions, atoms } = this.spec;
    const meanOverActions = (q: Float32Array, rows: number) => {
      const v = new Float32Array(rows * atoms);
      for (let r = 0; r < rows; r++)
        for (let j = 0; j < atoms; j++) {
          let s = 0;
          for (let k = 0; k < actions; k++) s += q[r * actions * atoms + k * atoms + j]!;
          v[r * atoms + j] = s / actions;
        }
      return v;
    };
    const value = this.layers[trunk]!;
    const adv = this.layers[trunk + 1]!;
    assign(value.w, meanOverActions(w, value.fanIn));
    assign(value.b, meanOverActions(b, 1));
    assign(adv.w, w);
    assign(adv.b, b);
  }

  /** Copies every variable from `other` (same spec). */
  copyFrom(other: QNetwork): void {
    tf.tidy(() => this.variables.forEach((v, i) => v.assign(other.variables[i]!)));
  }

  /** this <- tau * other + (1 - tau) * this. */
  polyakFrom(other: QNetwork, tau: number): void {
    tf.tidy(() => this.variables.forEach((v, i) => v.assign(tf.add(tf.mul(other.variables[i]!, tau), tf.mul(v, 1 - tau)))));
  }

  getWeights(): Float32Array[] {
    return this.variables.map(read);
  }

  setWeights(weights: readonly Float32Array[]): void {
    if (weights.length !== this.variables.length) throw new Error(`${this.name}: expected ${this.variables.length} weight arrays, got ${weights.length}`);
    tf.tidy(() =>
      weights.forEach((w, i) => {
        const v = this.variables[i]!;
        if (w.length !== v.size) throw new Error(`${this.name}: weight ${i} has ${w.length} values, expected ${v.size}`);
        v.assign(tf.tensor(w, v.shape));
      }),
    );
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

function read(v: tf.Variable): Float32Array {
  return Float32Array.from(v.dataSync() as Float32Array);
}

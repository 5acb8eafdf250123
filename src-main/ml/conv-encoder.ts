/**
 * The encoder half of the ConvVae (ml/vae.ts) on its own: 4x4 stride-2 convs with ReLU and
 * 'same' padding, flatten (H, W, C order), then the latent-mean head (linear). This is what an
 * RL agent puts in front of its actor and critics for camera observations: with the VAE's
 * weights (frozen or fine-tuned) or from scratch.
 *
 * Variables, in order: [conv0 kernel [k, k, in, out] (HWIO), conv0 bias, ..., mean kernel
 * [flat, latent], mean bias]: the same shapes and order as the first 2 * convs + 2 variables of
 * ConvVae, and as the encoder weights of a policy export (export/architecture.ts EncoderSpec).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng.js';
import { lerps, lerpsInPlace } from './kernels/custom-ops.js';
import { conv2dLayer } from './kernels/conv.js';
import { dense } from './kernels/dense.js';
import { checkVaeSpec, DEFAULT_VAE_SPEC, type ConvVaeSpec } from './vae.js';

export interface ConvEncoderSpec {
  height: number;
  width: number;
  channels: number;
  filters: readonly number[];
  kernelSize: number;
  latentDim: number;
}

/** The encoder part of a VAE spec. */
export function encoderSpecOf(vae: Pick<ConvVaeSpec, keyof ConvEncoderSpec>): ConvEncoderSpec {
  return { height: vae.height, width: vae.width, channels: vae.channels, filters: [...vae.filters], kernelSize: vae.kernelSize, latentDim: vae.latentDim };
}

/** Number of encoder weight arrays (2 per conv + the mean head's 2). */
export function encoderWeightCount(spec: Pick<ConvEncoderSpec, 'filters'>): number {
  return 2 * spec.filters.length + 2;
}

/** The encoder's weights out of a ConvVae weight list (ConvVae.getWeights() order). */
export function encoderWeightsOfVae(spec: Pick<ConvEncoderSpec, 'filters'>, vaeWeights: readonly Float32Array[]): Float32Array[] {
  const n = encoderWeightCount(spec);
  if (vaeWeights.length < n + 2) throw new Error(`a VAE with ${spec.filters.length} convs has more than ${n + 2} weight arrays; got ${vaeWeights.length}`);
  return vaeWeights.slice(0, n).map((w) => Float32Array.from(w));
}

export class ConvEncoder {
  readonly spec: ConvEncoderSpec;
  readonly variables: tf.Variable[] = [];
  private readonly convs: Array<[tf.Variable, tf.Variable]> = [];
  private readonly head: [tf.Variable, tf.Variable];

  /** Weights drawn like ConvVae's (PyTorch defaults, U(+-1/sqrt(fan_in))) from `rng`. */
  constructor(
    spec: ConvEncoderSpec,
    rng: Rng,
    readonly name: string,
    trainable = true,
  ) {
    this.spec = { ...spec, filters: [...spec.filters] };
    checkVaeSpec({ ...DEFAULT_VAE_SPEC, ...this.spec });
    const { filters, kernelSize: k, channels, latentDim } = this.spec;
    const f = 2 ** filters.length;
    const flat = (this.spec.height / f) * (this.spec.width / f) * filters[filters.length - 1]!;
    const param = (shape: number[], fanIn: number, label: string): tf.Variable => {
      const bound = 1 / Math.sqrt(fanIn);
      const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < values.length; i++) values[i] = rng.uniform(-bound, bound);
      const v = tf.tidy(() => tf.variable(tf.tensor(values, shape), trainable, `${name}/${label}`));
      this.variables.push(v);
      return v;
    };
    let cin = channels;
    filters.forEach((cout, i) => {
      const fanIn = cin * k * k;
      this.convs.push([param([k, k, cin, cout], fanIn, `enc${i}/w`), param([cout], fanIn, `enc${i}/b`)]);
      cin = cout;
    });
    this.head = [param([flat, latentDim], flat, 'mean/w'), param([latentDim], flat, 'mean/b')];
  }

  /** Values per image. */
  get imageSize(): number {
    return this.spec.height * this.spec.width * this.spec.channels;
  }

  /** images [n, H, W, C] in [0, 1] -> latent means [n, latentDim]. Call inside tf.tidy. */
  apply(x: tf.Tensor4D): tf.Tensor2D {
    let h = x;
    for (const [w, b] of this.convs) h = conv2dLayer(h, w as tf.Tensor4D, b as tf.Tensor1D, 2, 'relu');
    const flat = tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D;
    return dense(flat, this.head[0] as tf.Tensor2D, this.head[1] as tf.Tensor1D, 'linear');
  }

  /**
   * Features of `n` raw observations laid out [image (imageSize values), extra (extraDim)]:
   * [n, latentDim + extraDim] = [latent mean, extra]. Call inside tf.tidy.
   */
  features(obs: tf.Tensor2D, extraDim: number): tf.Tensor2D {
    const n = obs.shape[0];
    const { height: h, width: w, channels: c } = this.spec;
    const size = this.imageSize;
    if (obs.shape[1] !== size + extraDim) throw new Error(`ConvEncoder: observations have ${obs.shape[1]} values, expected ${size} image + ${extraDim} extra`);
    if (extraDim === 0) return this.apply(tf.reshape(obs, [n, h, w, c]) as tf.Tensor4D);
    const [img, extra] = tf.split(obs, [size, extraDim], 1) as [tf.Tensor2D, tf.Tensor2D];
    return tf.concat([this.apply(tf.reshape(img, [n, h, w, c]) as tf.Tensor4D), extra], 1);
  }

  /** The features of `n` raw observations as a plain array [n * (latentDim + extraDim)]. */
  encode(obs: Float32Array, n: number, extraDim: number): Float32Array {
    const d = this.imageSize + extraDim;
    return tf.tidy(() => Float32Array.from(this.features(tf.tensor2d(obs.subarray(0, n * d), [n, d]), extraDim).dataSync() as Float32Array));
  }

  copyFrom(other: ConvEncoder): void {
    tf.tidy(() => {
      for (let i = 0; i < this.variables.length; i++) this.variables[i]!.assign(other.variables[i]!);
    });
  }

  /** this <- tau * other + (1 - tau) * this. */
  polyakFrom(other: ConvEncoder, tau: number): void {
    if (lerpsInPlace(this.variables, other.variables, tau)) return;
    tf.tidy(() => {
      const next = lerps(this.variables, other.variables, tau);
      this.variables.forEach((t, i) => t.assign(next[i]!));
    });
  }

  getWeights(): Float32Array[] {
    return this.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  }

  setWeights(weights: readonly Float32Array[]): void {
    if (weights.length !== this.variables.length) throw new Error(`${this.name}: expected ${this.variables.length} weight arrays, got ${weights.length}`);
    tf.tidy(() => {
      weights.forEach((w, i) => {
        const v = this.variables[i]!;
        if (w.length !== v.size) throw new Error(`${this.name}: weight ${i} (${v.name}) has ${w.length} values, expected ${v.size}`);
        v.assign(tf.tensor(w, v.shape));
      });
    });
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

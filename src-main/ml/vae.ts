/**
 * A convolutional variational autoencoder for camera frames (Kendall et al. 2018 pretrain a VAE
 * on frames and learn to drive on its latent; the layout follows World Models / araffin's
 * learning-to-drive VAE):
 *
 *   encoder: 4x4 stride-2 convs (default 32-64-128-256 filters, ReLU), 'same' padding, so each
 *            halves the image exactly (PyTorch's padding=1); flatten; two dense heads give the
 *            latent mean and log-variance (default latent size 32).
 *   decoder: dense latent -> (H/16)(W/16)256 with ReLU, reshape, the mirrored 4x4 stride-2
 *            transposed convs (128-64-32 with ReLU, then the image channels with a sigmoid).
 *
 * Input: NHWC float32 images in [0, 1]. Height and width must be divisible by 2^(number of
 * convs) (16 by default): 64x64 and 80x160 work, 60x80 does not (the constructor says so).
 *
 * Loss per batch: reconstruction = sum over pixels of the squared error, averaged over the batch;
 * KL = -0.5 sum(1 + logVar - mean^2 - exp(logVar)), averaged over the batch; loss = rec + beta KL.
 * Optionally (setForeground) the squared error of a pixel where the frame differs from a static
 * background counts `weight` times: a small moving part of the view (the arm over its table)
 * otherwise weighs little against the static scene in a summed squared error, and a VAE can
 * average it away.
 * Weights start like PyTorch's defaults (U(+-1/sqrt(fan_in))), drawn from the project's seeded
 * Rng; the reparameterisation noise is seeded from the same Rng, so training is reproducible.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng.js';
import { conv2dLayer, conv2dTransposeLayer } from './kernels/conv.js';
import { dense } from './kernels/dense.js';
import { Adam } from './optim.js';

export interface ConvVaeSpec {
  /** Image height in pixels (divisible by 2^filters.length). */
  height: number;
  /** Image width in pixels (divisible by 2^filters.length). */
  width: number;
  /** Image channels (3 for RGB). */
  channels: number;
  /** Encoder conv filters; the decoder mirrors them. */
  filters: readonly number[];
  /** Square kernel size of every conv (stride 2). */
  kernelSize: number;
  /** Latent size. */
  latentDim: number;
  /** Weight of the KL term (beta-VAE; 1 is the plain VAE). */
  beta: number;
  /** Adam learning rate for trainStep. */
  learningRate: number;
}

/** The noise seed that stands for seed 0 (which tfjs would take as "no seed"). */
const SEED_FOR_ZERO = 0x5eed0;

export const DEFAULT_VAE_SPEC: ConvVaeSpec = {
  height: 64,
  width: 64,
  channels: 3,
  filters: [32, 64, 128, 256],
  kernelSize: 4,
  latentDim: 32,
  beta: 1,
  learningRate: 1e-3,
};

export interface VaeLosses {
  /** reconstruction + beta * kl */
  loss: number;
  reconstruction: number;
  kl: number;
}

/** Foreground weighting of the reconstruction error (ConvVae.setForeground). */
export interface VaeForeground {
  /** The static scene, H * W * C values in [0, 1] (HWC), e.g. the per-pixel median of the training frames. */
  background: Float32Array;
  /** Weight of a foreground pixel's squared error (background pixels: 1). */
  weight: number;
  /** A pixel is foreground when one of its channels differs from the background by more than this. */
  threshold: number;
}

interface VaeLossTensors {
  loss: tf.Scalar;
  reconstruction: tf.Scalar;
  kl: tf.Scalar;
}

/** Throws with a one-line reason if the spec cannot work. */
export function checkVaeSpec(spec: ConvVaeSpec): void {
  const f = 2 ** spec.filters.length;
  if (spec.filters.length === 0) throw new Error('ConvVae: at least one conv layer is needed');
  if (spec.height % f !== 0 || spec.width % f !== 0) {
    throw new Error(`ConvVae: height and width must be divisible by ${f} (2^${spec.filters.length} stride-2 convs); got ${spec.height}x${spec.width}`);
  }
  for (const [k, v] of Object.entries({ channels: spec.channels, kernelSize: spec.kernelSize, latentDim: spec.latentDim })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`ConvVae: ${k} must be a positive integer, got ${v}`);
  }
  if (!(spec.beta >= 0)) throw new Error(`ConvVae: beta must be >= 0, got ${spec.beta}`);
}

export class ConvVae {
  readonly spec: ConvVaeSpec;
  /** All weights in a fixed order: encoder convs (w, b)..., mean (w, b), logVar (w, b), decoder dense (w, b), decoder convs (w, b)... */
  readonly variables: tf.Variable[];
  readonly optimizer: Adam;
  private readonly encConvs: Array<[tf.Variable, tf.Variable]> = [];
  private readonly decConvs: Array<[tf.Variable, tf.Variable]> = [];
  private readonly meanHead: [tf.Variable, tf.Variable];
  private readonly logVarHead: [tf.Variable, tf.Variable];
  private readonly decDense: [tf.Variable, tf.Variable];
  /** Spatial size after the encoder. */
  private readonly h0: number;
  private readonly w0: number;
  private foreground: { background: tf.Tensor3D; weight: number; threshold: number } | undefined;

  constructor(
    spec: Partial<ConvVaeSpec>,
    private readonly rng: Rng,
    readonly name = 'vae',
  ) {
    this.spec = { ...DEFAULT_VAE_SPEC, ...spec };
    checkVaeSpec(this.spec);
    const { filters, kernelSize: k, channels, latentDim } = this.spec;
    const f = 2 ** filters.length;
    this.h0 = this.spec.height / f;
    this.w0 = this.spec.width / f;
    const flat = this.h0 * this.w0 * filters[filters.length - 1]!;
    this.variables = [];
    const param = (shape: number[], fanIn: number, label: string): tf.Variable => {
      const bound = 1 / Math.sqrt(fanIn);
      const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < values.length; i++) values[i] = rng.uniform(-bound, bound);
      // In a tidy: the temporary tensor is freed, the variable owns its memory (in-place Adam).
      const v = tf.tidy(() => tf.variable(tf.tensor(values, shape), true, `${name}/${label}`));
      this.variables.push(v);
      return v;
    };
    let cin = channels;
    filters.forEach((cout, i) => {
      const fanIn = cin * k * k;
      this.encConvs.push([param([k, k, cin, cout], fanIn, `enc${i}/w`), param([cout], fanIn, `enc${i}/b`)]);
      cin = cout;
    });
    this.meanHead = [param([flat, latentDim], flat, 'mean/w'), param([latentDim], flat, 'mean/b')];
    this.logVarHead = [param([flat, latentDim], flat, 'logvar/w'), param([latentDim], flat, 'logvar/b')];
    this.decDense = [param([latentDim, flat], latentDim, 'dec_dense/w'), param([flat], latentDim, 'dec_dense/b')];
    const outs = [...filters.slice(0, -1)].reverse().concat([channels]);
    let din = filters[filters.length - 1]!;
    outs.forEach((dout, i) => {
      // PyTorch's ConvTranspose2d takes fan_in from its output channels.
      const fanIn = dout * k * k;
      this.decConvs.push([param([k, k, dout, din], fanIn, `dec${i}/w`), param([dout], fanIn, `dec${i}/b`)]);
      din = dout;
    });
    this.optimizer = new Adam(this.spec.learningRate);
  }

  /** Number of weights. */
  get parameterCount(): number {
    return this.variables.reduce((s, v) => s + v.size, 0);
  }

  private checkInput(x: tf.Tensor4D): void {
    const [, h, w, c] = x.shape;
    if (h !== this.spec.height || w !== this.spec.width || c !== this.spec.channels) {
      throw new Error(`ConvVae: expected images of ${this.spec.height}x${this.spec.width}x${this.spec.channels}, got ${h}x${w}x${c}`);
    }
  }

  /** x [n, H, W, C] in [0, 1] -> latent mean and log-variance [n, latentDim]. Call inside tf.tidy. */
  encode(x: tf.Tensor4D): { mean: tf.Tensor2D; logVar: tf.Tensor2D } {
    this.checkInput(x);
    let h = x;
    for (const [w, b] of this.encConvs) h = conv2dLayer(h, w as tf.Tensor4D, b as tf.Tensor1D, 2, 'relu');
    const flat = tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D;
    return {
      mean: dense(flat, this.meanHead[0] as tf.Tensor2D, this.meanHead[1] as tf.Tensor1D, 'linear'),
      logVar: dense(flat, this.logVarHead[0] as tf.Tensor2D, this.logVarHead[1] as tf.Tensor1D, 'linear'),
    };
  }

  /** z [n, latentDim] -> images [n, H, W, C] in (0, 1). Call inside tf.tidy. */
  decode(z: tf.Tensor2D): tf.Tensor4D {
    const last = this.spec.filters[this.spec.filters.length - 1]!;
    const d = dense(z, this.decDense[0] as tf.Tensor2D, this.decDense[1] as tf.Tensor1D, 'relu');
    let h = tf.reshape(d, [z.shape[0], this.h0, this.w0, last]) as tf.Tensor4D;
    this.decConvs.forEach(([w, b], i) => {
      h = conv2dTransposeLayer(h, w as tf.Tensor4D, b as tf.Tensor1D, 2, i === this.decConvs.length - 1 ? 'sigmoid' : 'relu');
    });
    return h;
  }

  /** decode(encode(x).mean): the deterministic reconstruction. Call inside tf.tidy. */
  reconstruct(x: tf.Tensor4D): tf.Tensor4D {
    return this.decode(this.encode(x).mean);
  }

  /** The loss terms for a batch with reparameterisation noise seeded by `noiseSeed`. Call inside tf.tidy. */
  lossTensors(x: tf.Tensor4D, noiseSeed: number, target?: tf.Tensor4D): VaeLossTensors {
    const n = x.shape[0];
    const { mean, logVar } = this.encode(x);
    // tfjs takes seed 0 for "no seed" (Math.random): the held-out losses (seed 0) differed from run to run.
    const eps = tf.randomNormal(mean.shape, 0, 1, 'float32', noiseSeed === 0 ? SEED_FOR_ZERO : noiseSeed);
    const z = tf.add(mean, tf.mul(eps, tf.exp(tf.mul(logVar, 0.5)))) as tf.Tensor2D;
    const r = this.decode(z);
    // The decoder reconstructs the input, or `target` (another rendering of the same view) when given.
    const squared = tf.squaredDifference(r, target ?? x);
    const reconstruction = tf.div(tf.sum(this.foreground ? tf.mul(squared, this.pixelWeights(x)) : squared), n) as tf.Scalar;
    const kl = tf.mul(tf.sum(tf.sub(tf.add(1, logVar), tf.add(tf.square(mean), tf.exp(logVar)))), -0.5 / n) as tf.Scalar;
    const loss = this.spec.beta === 0 ? reconstruction : (tf.add(reconstruction, tf.mul(kl, this.spec.beta)) as tf.Scalar);
    return { loss, reconstruction, kl };
  }

  /**
   * Weights the reconstruction error of foreground pixels (see VaeForeground) from now on, in
   * training and evaluation; undefined goes back to the plain summed squared error.
   */
  setForeground(fg: VaeForeground | undefined): void {
    this.foreground?.background.dispose();
    this.foreground = undefined;
    if (!fg) return;
    const { height: h, width: w, channels: c } = this.spec;
    if (fg.background.length !== h * w * c) throw new Error(`ConvVae: the background has ${fg.background.length} values, expected ${h}x${w}x${c}`);
    if (!(fg.weight >= 1) || !(fg.threshold >= 0))
      throw new Error(`ConvVae: foreground weight must be >= 1 and threshold >= 0 (got ${fg.weight}, ${fg.threshold})`);
    this.foreground = { background: tf.tensor3d(fg.background, [h, w, c]), weight: fg.weight, threshold: fg.threshold };
  }

  /** Per-pixel weights [n, H, W, 1] of a batch: `weight` where the frame differs from the background, else 1. Call inside tf.tidy. */
  private pixelWeights(x: tf.Tensor4D): tf.Tensor4D {
    const fg = this.foreground!;
    const differs = tf.greater(tf.max(tf.abs(tf.sub(x, fg.background)), -1, true), fg.threshold);
    return tf.add(1, tf.mul(tf.cast(differs, 'float32'), fg.weight - 1)) as tf.Tensor4D;
  }

  /** One Adam step on a batch; returns the batch's losses (before the step). */
  trainStep(batch: tf.Tensor4D, target?: tf.Tensor4D): VaeLosses {
    const seed = this.rng.nextU32();
    let parts: tf.Tensor | undefined;
    const loss = this.optimizer.minimize(
      () => {
        const t = this.lossTensors(batch, seed, target);
        parts = tf.keep(tf.stack([t.reconstruction, t.kl]));
        return t.loss;
      },
      true,
      this.variables,
    )!;
    const values = tf.tidy(() => tf.concat([tf.reshape(loss, [1]), parts!]).dataSync());
    tf.dispose([loss, parts!]);
    return { loss: values[0]!, reconstruction: values[1]!, kl: values[2]! };
  }

  /** The losses on a batch without training (for a held-out split); noise seeded by `noiseSeed`. */
  evaluate(batch: tf.Tensor4D, noiseSeed = 0, target?: tf.Tensor4D): VaeLosses {
    const v = tf.tidy(() => {
      const t = this.lossTensors(batch, noiseSeed, target);
      return tf.stack([t.loss, t.reconstruction, t.kl]).dataSync();
    });
    return { loss: v[0]!, reconstruction: v[1]!, kl: v[2]! };
  }

  /** Weights as plain arrays (checkpoints, export), in `variables` order. */
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
    this.setForeground(undefined);
    for (const v of this.variables) v.dispose();
    this.optimizer.dispose();
  }
}

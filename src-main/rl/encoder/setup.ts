/**
 * What a run's observation needs from a conv encoder: for an encoder-read camera observation
 * (its env adapter says which: the lane env's "vae" observation), the encoder's spec and starting weights (the VAE's, or none for "scratch") and whether it is
 * frozen. Shared by the trainer, the drive pipeline and export.
 */
import type { EnvConfig } from '../../../src-shared/config/envs';
import type { LaneVaeEncoderMode } from '../../../src-shared/config/envs/lane.js';
import { encodedImageObs } from '../../sim/registry.js';
import { encoderSpecOf, encoderWeightsOfVae, type ConvEncoderSpec } from '../../ml/conv-encoder.js';
import { DEFAULT_VAE_SPEC } from '../../ml/vae.js';
import { latentStatsOf, readVaeModel, resolveModelPath, type LatentStats } from './vae-model.js';

export interface ObsEncoderSetup {
  mode: LaneVaeEncoderMode;
  spec: ConvEncoderSpec;
  /** Starting weights (ConvEncoder order); undefined = random ("scratch"). */
  weights?: Float32Array[];
  /** Vector features after the image. */
  extraDim: number;
  /** The VAE model folder the weights came from. */
  modelPath?: string;
  /** True when the latent is standardized with the model's latent statistics. */
  normalized?: boolean;
}

/** The encoder a run's env config asks for, or undefined when its observation has none. */
export function obsEncoderSetup(env: EnvConfig, runDir: string): ObsEncoderSetup | undefined {
  const obs = encodedImageObs(env);
  if (!obs) return undefined;
  const opts = obs.vae;
  const { extraDim } = obs;
  const camera = { height: obs.height, width: obs.width, channels: obs.channels };
  if (opts.mode === 'scratch') {
    const spec: ConvEncoderSpec = { ...camera, filters: [...opts.filters], kernelSize: DEFAULT_VAE_SPEC.kernelSize, latentDim: opts.latentDim };
    return { mode: 'scratch', spec, extraDim };
  }
  const modelPath = resolveModelPath(opts.model, runDir);
  const model = readVaeModel(modelPath);
  const spec = encoderSpecOf(model.spec);
  if (spec.height !== camera.height || spec.width !== camera.width || spec.channels !== camera.channels) {
    throw new Error(
      `the VAE at ${modelPath} takes ${spec.height}x${spec.width}x${spec.channels} images, but the ${env.id} camera gives ${camera.height}x${camera.width}x${camera.channels}`,
    );
  }
  let weights = encoderWeightsOfVae(spec, model.weights);
  const stats = latentStatsOf(model);
  if (opts.normalize && stats) weights = standardizedHead(weights, stats);
  return { mode: opts.mode, spec, weights, extraDim, modelPath, ...(opts.normalize && stats ? { normalized: true } : {}) };
}

/** Smallest standard deviation a latent dimension is divided by. */
export const MIN_LATENT_STD = 1e-3;

/**
 * Encoder weights whose latent-mean head gives (z - mean) / std instead of z: folded into the
 * head's kernel and bias (exact, so exports need no extra op): W'[:, j] = W[:, j] / std_j,
 * b'_j = (b_j - mean_j) / std_j, with std_j at least MIN_LATENT_STD.
 */
export function standardizedHead(weights: readonly Float32Array[], stats: LatentStats): Float32Array[] {
  const out = weights.map((w) => Float32Array.from(w));
  const kernel = out[out.length - 2]!;
  const bias = out[out.length - 1]!;
  const d = bias.length;
  const inv = stats.std.map((s) => 1 / Math.max(MIN_LATENT_STD, s));
  for (let i = 0; i < kernel.length; i++) kernel[i] = kernel[i]! * inv[i % d]!;
  for (let j = 0; j < d; j++) bias[j] = (bias[j]! - stats.mean[j]!) * inv[j]!;
  return out;
}

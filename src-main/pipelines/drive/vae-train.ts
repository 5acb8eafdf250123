/**
 * The pipeline's `vae` stage: trains a ConvVae (ml/vae.ts) on camera frame sets with a held-out
 * split, and publishes it as a VAE model folder (rl/encoder/vae-model.ts).
 *
 *   - split: a seeded permutation of all frames; the first valFraction are held out;
 *   - an epoch: the training frames in a seeded order (per epoch), in batches of batchSize
 *     (bytes / 255, NHWC), one Adam step each;
 *   - metrics: a {kind: "vae", step, epoch, loss, reconstruction, kl, reconstruction_mse} line
 *     every LOG_EVERY steps (means since the last line; per frame: sums over its pixels), and at
 *     each epoch's end {kind: "vae", step, epoch, val_loss, val_reconstruction, val_kl,
 *     val_reconstruction_mse} over the held-out frames (fixed noise seed);
 *   - after every epoch: reconstructions of 8 held-out frames as a PNG grid (top: the frames,
 *     bottom: decode(encode(x).mean)), recon-epoch-NN.png and reconstructions.png; a checkpoint
 *     (weights, Adam moments, the VAE's noise Rng, the epoch, the metrics.jsonl size), so an
 *     interrupted stage resumes at its last finished epoch exactly;
 *   - at the end: the model folder `model/` (spec, weights, frames, losses).
 */
import { existsSync, mkdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { DriveVaeConfig } from '../../../src-shared/config/drive.js';
import type { MetricLine } from '../../../src-shared/types.js';
import { CheckpointStore } from '../../rl/checkpoint/store.js';
import { requireArray, rngFromJson, rngToJson, type RngJson, type SnapshotArray } from '../../core/snapshot.js';
import { writeVaeModel, type LatentStats } from '../../rl/encoder/vae-model.js';
import { Rng } from '../../core/rng.js';
import { writeFileAtomic } from '../../core/durable-write.js';
import { ConvVae, type ConvVaeSpec, type VaeLosses } from '../../ml/vae.js';
import { FramesReader } from '../../sim/lane/frames-file.js';
import { encodePng, tileFrames } from '../../sim/lane/png.js';

import { VAE_FILES } from './drive-files.js';
import { BYTE_TO_UNIT } from '../../../src-shared/util/pixels.js';

export { VAE_FILES };
/** Gradient steps per "vae" metric line. */
export const LOG_EVERY = 10;
/** Held-out frames shown in the reconstruction grid. */
export const GRID_FRAMES = 8;

export interface VaeStageProgress {
  epoch: number;
  epochs: number;
  /** Gradient steps done and planned. */
  step: number;
  steps: number;
  loss: number;
  valLoss?: number;
}

export interface VaeTrainOptions {
  /** Frame sets (manifest paths); all must have the VAE's image size. */
  framesPaths: readonly string[];
  /**
   * What the decoder reconstructs instead of the frames themselves (config `target`
   * "canonical"): frame sets holding, frame for frame, another rendering of the same views.
   */
  targetPaths?: readonly string[];
  /** The stage's folder (model/, checkpoints/, PNGs). */
  dir: string;
  config: DriveVaeConfig;
  /** Image size (the camera's). */
  height: number;
  width: number;
  seed: number;
  metric(line: MetricLine): void;
  /** metrics.jsonl the metric lines go to: its size is checkpointed, and cut back to it on resume. */
  metricsPath?: string;
  onProgress?(p: VaeStageProgress): void;
  /** A reconstruction grid was written (path of the PNG). */
  onImage?(path: string, epoch: number): void;
  /** Checked between steps: true stops; the stage resumes from its last finished epoch. */
  shouldStop?(): boolean;
  /** Awaited between steps (the caller's pause; also lets control messages arrive). */
  between?(): Promise<void>;
  log?(message: string): void;
}

export interface VaeTrainResult {
  complete: boolean;
  epochs: number;
  frames: { train: number; val: number };
  valLoss?: VaeLosses;
  modelDir?: string;
  /** Wall-clock seconds spent training in this call. */
  seconds: number;
}

interface VaeCkptJson {
  epoch: number;
  step: number;
  rng: RngJson;
  adamNames: string[];
  /** The VAE's variable names when the checkpoint was written (they differ per process). */
  varNames?: string[];
  metricsBytes: number;
  valLoss?: VaeLosses;
}

function fileSize(path: string | undefined): number {
  if (!path) return 0;
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** A seeded permutation of 0..n-1 (Fisher-Yates). */
export function permutation(n: number, seed: number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** Loads every frame of the sets into one byte array. */
export function loadFrames(paths: readonly string[], width: number, height: number): { data: Uint8Array; count: number } {
  const readers = paths.map((p) => new FramesReader(p));
  try {
    for (const r of readers) {
      if (r.width !== width || r.height !== height) throw new Error(`${r.dataPath} holds ${r.width}x${r.height} frames; the VAE takes ${width}x${height}`);
    }
    const count = readers.reduce((a, r) => a + r.count, 0);
    const fb = width * height * 3;
    const data = new Uint8Array(count * fb);
    let at = 0;
    for (const r of readers) {
      if (r.count) r.read(0, r.count, data.subarray(at * fb, (at + r.count) * fb));
      at += r.count;
    }
    return { data, count };
  } finally {
    for (const r of readers) r.close();
  }
}

function batchTensor(data: Uint8Array, indices: ArrayLike<number>, from: number, n: number, h: number, w: number, out: Float32Array): tf.Tensor4D {
  const fb = h * w * 3;
  for (let b = 0; b < n; b++) {
    const src = indices[from + b]! * fb;
    const dst = b * fb;
    for (let i = 0; i < fb; i++) out[dst + i] = BYTE_TO_UNIT[data[src + i]!]!;
  }
  return tf.tensor4d(out.subarray(0, n * fb), [n, h, w, 3]);
}

/** Training frames the static background (the per-pixel median) is taken from. */
export const MEDIAN_FRAMES = 1000;
/** A pixel is foreground where a channel differs from the background by more than this (of 1). */
export const FOREGROUND_THRESHOLD = 0.1;

/** The per-value median (the lower one of an even count) of frames `indices` of `data` (fb bytes each), in [0, 1]. */
export function medianFrame(data: Uint8Array, indices: ArrayLike<number>, fb: number): Float32Array {
  const counts = new Uint32Array(256);
  const out = new Float32Array(fb);
  const half = Math.floor((indices.length - 1) / 2);
  for (let i = 0; i < fb; i++) {
    counts.fill(0);
    for (let k = 0; k < indices.length; k++) counts[data[indices[k]! * fb + i]!]!++;
    let seen = 0;
    let v = 0;
    while ((seen += counts[v]!) <= half) v++;
    out[i] = BYTE_TO_UNIT[v]!;
  }
  return out;
}

/** Frames as bytes with their image size, and a scratch buffer for one batch of them as floats. */
interface FrameData {
  data: Uint8Array;
  h: number;
  w: number;
  scratch: Float32Array;
}

/** Calls `fn` with each batch of frames `indices` (a tensor, disposed after), in order. */
function forEachBatch(f: FrameData, indices: ArrayLike<number>, batchSize: number, fn: (x: tf.Tensor4D, n: number, from: number) => void): void {
  for (let i = 0; i < indices.length; i += batchSize) {
    const n = Math.min(batchSize, indices.length - i);
    const x = batchTensor(f.data, indices, i, n, f.h, f.w, f.scratch);
    try {
      fn(x, n, i);
    } finally {
      x.dispose();
    }
  }
}

/** Mean losses over the held-out frames (fixed noise seed 0 per batch), reconstructing `target`'s frames when given. */
function evaluateSet(vae: ConvVae, frames: FrameData, indices: Int32Array, batchSize: number, target?: FrameData): VaeLosses {
  let loss = 0;
  let rec = 0;
  let kl = 0;
  forEachBatch(frames, indices, batchSize, (x, n, from) => {
    const y = target ? batchTensor(target.data, indices, from, n, target.h, target.w, target.scratch) : undefined;
    const l = vae.evaluate(x, 0, y);
    y?.dispose();
    loss += l.loss * n;
    rec += l.reconstruction * n;
    kl += l.kl * n;
  });
  const m = Math.max(1, indices.length);
  return { loss: loss / m, reconstruction: rec / m, kl: kl / m };
}

/**
 * Mean and standard deviation of each latent mean over the training frames: the RL observation
 * standardizes the latent with them (rl/encoder/setup.ts), since a VAE's latent means can
 * have very different and very small scales (collapsed dimensions), which an actor and critics
 * initialized for unit-scale inputs barely see.
 */
export function latentStatistics(vae: ConvVae, frames: FrameData, indices: Int32Array, batchSize: number): LatentStats {
  const d = vae.spec.latentDim;
  const sum = new Float64Array(d);
  const sq = new Float64Array(d);
  forEachBatch(frames, indices, batchSize, (x, n) => {
    const m = tf.tidy(() => vae.encode(x).mean.dataSync() as Float32Array);
    for (let b = 0; b < n; b++) {
      for (let j = 0; j < d; j++) {
        const v = m[b * d + j]!;
        sum[j]! += v;
        sq[j]! += v * v;
      }
    }
  });
  const k = Math.max(1, indices.length);
  const mean = Array.from(sum, (s) => s / k);
  const std = Array.from(sq, (q, j) => Math.sqrt(Math.max(0, q / k - mean[j]! ** 2)));
  return { mean, std, frames: indices.length };
}

/** PNG of held-out frames (top row) and their reconstructions (bottom row), pixels scaled x2. */
export function reconstructionGrid(vae: ConvVae, frames: readonly Uint8Array[], h: number, w: number): Buffer {
  const n = frames.length;
  const fb = h * w * 3;
  const x = new Float32Array(n * fb);
  frames.forEach((f, k) => {
    for (let i = 0; i < fb; i++) x[k * fb + i] = BYTE_TO_UNIT[f[i]!]!;
  });
  const rec = tf.tidy(() => vae.reconstruct(tf.tensor4d(x, [n, h, w, 3])).dataSync() as Float32Array);
  const out: Uint8Array[] = [...frames];
  for (let k = 0; k < n; k++) {
    const img = new Uint8Array(fb);
    for (let i = 0; i < fb; i++) img[i] = Math.max(0, Math.min(255, Math.round(rec[k * fb + i]! * 255)));
    out.push(img);
  }
  const grid = tileFrames(out, w, h, n);
  return encodePng(grid.rgb, grid.width, grid.height, 2);
}

/** The VAE spec of a drive config for images of height x width. */
export function vaeSpecFor(config: DriveVaeConfig, height: number, width: number): ConvVaeSpec {
  return {
    height,
    width,
    channels: 3,
    filters: [...config.filters],
    kernelSize: 4,
    latentDim: config.latentDim,
    beta: config.beta,
    learningRate: config.learningRate,
  };
}

/** Trains (or resumes training) the VAE and publishes the model. */
export async function trainVae(o: VaeTrainOptions): Promise<VaeTrainResult> {
  const started = performance.now();
  const cfg = o.config;
  const { height: h, width: w } = o;
  mkdirSync(o.dir, { recursive: true });
  const { data, count } = loadFrames(o.framesPaths, w, h);
  if (count < 2) throw new Error(`the VAE needs at least 2 frames; the frame sets hold ${count}`);
  const targets = o.targetPaths ? loadFrames(o.targetPaths, w, h) : undefined;
  if (targets && targets.count !== count)
    throw new Error(`the target frame sets hold ${targets.count} frames, the frame sets ${count}: they must match frame for frame`);
  const perm = permutation(count, (o.seed ^ 0x5a17) >>> 0);
  const nVal = cfg.valFraction > 0 ? Math.max(1, Math.round(count * cfg.valFraction)) : 0;
  const valIdx = perm.slice(0, nVal);
  const trainIdx = perm.slice(nVal);
  const batchSize = Math.min(cfg.batchSize, trainIdx.length);
  const stepsPerEpoch = Math.ceil(trainIdx.length / batchSize);
  const totalSteps = stepsPerEpoch * cfg.epochs;
  const spec = vaeSpecFor(cfg, h, w);
  const fb = h * w * 3;
  const gridIdx = (nVal > 0 ? valIdx : trainIdx).slice(0, GRID_FRAMES);
  const gridFrames = Array.from(gridIdx, (i) => data.slice(i * fb, (i + 1) * fb));
  const store = new CheckpointStore(join(o.dir, VAE_FILES.checkpoints), 2);
  store.cleanTemp();
  const rng = new Rng((o.seed ^ 0x7ae5eed) >>> 0);
  const vae = new ConvVae(spec, rng, `vae-${o.seed}-${Date.now()}`);
  if (cfg.foregroundWeight !== undefined && cfg.foregroundWeight !== 1) {
    vae.setForeground({
      background: medianFrame(data, trainIdx.subarray(0, MEDIAN_FRAMES), fb),
      weight: cfg.foregroundWeight,
      threshold: FOREGROUND_THRESHOLD,
    });
  }
  const scratch = new Float32Array(Math.max(batchSize, 1) * fb);
  const frames: FrameData = { data, h, w, scratch };
  const target: FrameData | undefined = targets ? { data: targets.data, h, w, scratch: new Float32Array(scratch.length) } : undefined;
  let epoch = 0;
  let step = 0;
  let valLoss: VaeLosses | undefined;
  try {
    const latest = store.loadLatest();
    if (latest) {
      const j = latest.archive.snapshot.json as VaeCkptJson;
      const a = latest.archive.snapshot.arrays;
      vae.setWeights(vae.variables.map((v, i) => requireArray(a, `vae.${i}`, Float32Array, v.size)));
      // One zero-learning-rate-free way to create the moments: the optimizer's own setWeights.
      // Variable names carry a per-process prefix: map the checkpoint's moments onto this VAE's
      // variables by position (ConvVae's variable order is fixed).
      const oldVars = j.varNames ?? [];
      const prefix = (n: string) => n.slice(0, n.indexOf('/') + 1);
      const newPrefix = prefix(vae.variables[0]!.name);
      const named = j.adamNames.map((name, i) => {
        const arr = requireArray(a, `adam.${i}`, Float32Array);
        if (name === 'iter') return { name, tensor: tf.scalar(arr[0]!) };
        const base = name.replace(/\/[mv]$/, '');
        const at = oldVars.indexOf(base);
        const variable = at >= 0 ? vae.variables[at] : vae.variables.find((v) => v.name === newPrefix + base.slice(prefix(base).length));
        if (!variable) throw new Error(`the VAE checkpoint has moments for an unknown variable ${base}`);
        return { name: `${variable.name}${name.slice(base.length)}`, tensor: tf.tensor(arr, variable.shape) };
      });
      await vae.optimizer.setWeights(named);
      for (const t of named) t.tensor.dispose();
      rngFromJson(rng, j.rng);
      epoch = j.epoch;
      step = j.step;
      valLoss = j.valLoss;
      if (o.metricsPath && fileSize(o.metricsPath) > j.metricsBytes) truncateSync(o.metricsPath, j.metricsBytes);
      o.log?.(`vae: resumed after epoch ${epoch} (step ${step})`);
    } else if (o.metricsPath && existsSync(o.metricsPath)) {
      // Lines a crashed attempt wrote before its first checkpoint are not kept (nothing to cut: written by the caller).
    }
    o.log?.(
      `vae: ${count} frames (${trainIdx.length} train, ${nVal} held out), ${cfg.epochs} epochs of ${stepsPerEpoch} steps, batch ${batchSize}, ${vae.parameterCount} weights`,
    );
    let sum = { loss: 0, reconstruction: 0, kl: 0, n: 0 };
    while (epoch < cfg.epochs) {
      const order = permutation(trainIdx.length, (o.seed * 31 + epoch + 1) >>> 0);
      const idx = Int32Array.from(order, (i) => trainIdx[i]!);
      let epochLoss = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        await (o.between?.() ?? Promise.resolve());
        if (o.shouldStop?.())
          return {
            complete: false,
            epochs: epoch,
            frames: { train: trainIdx.length, val: nVal },
            ...(valLoss ? { valLoss } : {}),
            seconds: (performance.now() - started) / 1000,
          };
        const from = s * batchSize;
        const n = Math.min(batchSize, idx.length - from);
        const x = batchTensor(data, idx, from, n, h, w, scratch);
        const y = target ? batchTensor(target.data, idx, from, n, h, w, target.scratch) : undefined;
        const l = vae.trainStep(x, y);
        x.dispose();
        y?.dispose();
        if (!Number.isFinite(l.loss)) throw new Error(`the VAE loss became ${l.loss} at step ${step + 1}; lower vae.learningRate`);
        step++;
        epochLoss += l.loss;
        sum = { loss: sum.loss + l.loss, reconstruction: sum.reconstruction + l.reconstruction, kl: sum.kl + l.kl, n: sum.n + 1 };
        if (step % LOG_EVERY === 0 || s === stepsPerEpoch - 1) {
          const k = sum.n;
          o.metric({
            kind: 'vae',
            step,
            epoch: epoch + (s + 1) / stepsPerEpoch,
            loss: sum.loss / k,
            reconstruction: sum.reconstruction / k,
            kl: sum.kl / k,
            reconstruction_mse: sum.reconstruction / k / fb,
          });
          sum = { loss: 0, reconstruction: 0, kl: 0, n: 0 };
        }
        o.onProgress?.({ epoch, epochs: cfg.epochs, step, steps: totalSteps, loss: l.loss, ...(valLoss ? { valLoss: valLoss.loss } : {}) });
      }
      epoch++;
      if (nVal > 0) {
        valLoss = evaluateSet(vae, frames, valIdx, batchSize, target);
        o.metric({
          kind: 'vae',
          step,
          epoch,
          train_loss: epochLoss / stepsPerEpoch,
          val_loss: valLoss.loss,
          val_reconstruction: valLoss.reconstruction,
          val_kl: valLoss.kl,
          val_reconstruction_mse: valLoss.reconstruction / fb,
        });
      }
      const png = reconstructionGrid(vae, gridFrames, h, w);
      const epochPng = join(o.dir, `recon-epoch-${String(epoch).padStart(2, '0')}.png`);
      // Atomic (temp + rename): the app reads the latest grid while training goes on.
      writeFileAtomic(epochPng, png);
      writeFileAtomic(join(o.dir, VAE_FILES.reconstructions), png);
      o.onImage?.(join(o.dir, VAE_FILES.reconstructions), epoch);
      // Checkpoint of the finished epoch.
      const adam = await vae.optimizer.getWeights();
      const arrays: Record<string, SnapshotArray> = {};
      vae.getWeights().forEach((wt, i) => (arrays[`vae.${i}`] = wt));
      adam.forEach((t, i) => (arrays[`adam.${i}`] = Float32Array.from(t.tensor.dataSync() as Float32Array)));
      const json: VaeCkptJson = {
        epoch,
        step,
        rng: rngToJson(rng),
        adamNames: adam.map((t) => t.name),
        varNames: vae.variables.map((v) => v.name),
        metricsBytes: fileSize(o.metricsPath),
        ...(valLoss ? { valLoss } : {}),
      };
      store.writeFull(epoch, { json, arrays }, { kind: 'vae-training', spec });
      o.onProgress?.({ epoch, epochs: cfg.epochs, step, steps: totalSteps, loss: epochLoss / stepsPerEpoch, ...(valLoss ? { valLoss: valLoss.loss } : {}) });
    }
    const modelDir = join(o.dir, VAE_FILES.model);
    const latentStats = latentStatistics(vae, frames, trainIdx, batchSize);
    writeVaeModel(
      modelDir,
      spec,
      vae.getWeights(),
      {
        frames: { total: count, train: trainIdx.length, val: nVal, sets: o.framesPaths.length },
        epochs: cfg.epochs,
        steps: step,
        valLoss: valLoss ?? null,
        seed: o.seed,
        ...(cfg.foregroundWeight !== undefined ? { foregroundWeight: cfg.foregroundWeight } : {}),
        ...(targets ? { target: 'canonical' } : {}),
        latentStats,
      },
      step,
    );
    return {
      complete: true,
      epochs: epoch,
      frames: { train: trainIdx.length, val: nVal },
      ...(valLoss ? { valLoss } : {}),
      modelDir,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    vae.dispose();
  }
}

/**
 * A trained VAE on disk (what the drive pipeline's vae stage publishes and the `vae`
 * observation reads): a checkpoint-archive folder (checkpoint/archive.ts: state.json,
 * arrays.bin, manifest.json with sizes and SHA-256) whose meta is {kind: "conv-vae", spec,
 * ...} and whose arrays are the ConvVae weights "vae.0", "vae.1", ... in ConvVae.getWeights()
 * order. Published atomically (core/durable-write.ts writeDirAtomic: a temp folder beside the
 * target, renamed into place).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { writeDirAtomic } from '../../core/durable-write.js';
import { ConvVae, type ConvVaeSpec } from '../../ml/vae.js';
import { Rng } from '../../core/rng.js';
import { readArchive, writeArchive } from '../checkpoint/archive.js';
import { requireArray, type SnapshotArray } from '../../core/snapshot.js';

export const VAE_MODEL_KIND = 'conv-vae';

/** Per-dimension mean and standard deviation of the latent means over the VAE's training frames. */
export interface LatentStats {
  mean: number[];
  std: number[];
  frames: number;
}

/** The latent statistics a model recorded (absent in models written before they existed). */
export function latentStatsOf(model: VaeModel): LatentStats | undefined {
  const s = model.meta.latentStats as LatentStats | undefined;
  const d = model.spec.latentDim;
  return s && Array.isArray(s.mean) && Array.isArray(s.std) && s.mean.length === d && s.std.length === d ? s : undefined;
}

export interface VaeModel {
  spec: ConvVaeSpec;
  weights: Float32Array[];
  /** Everything else the writer recorded (frames, epochs, losses). */
  meta: Record<string, unknown>;
}

/** Writes a VAE model folder at `dir` (replacing one that is there). */
export function writeVaeModel(dir: string, spec: ConvVaeSpec, weights: readonly Float32Array[], meta: Record<string, unknown> = {}, step = 0): void {
  const arrays: Record<string, SnapshotArray> = {};
  weights.forEach((w, i) => (arrays[`vae.${i}`] = w));
  writeDirAtomic(resolve(dir), (tmp) =>
    writeArchive(tmp, 'policy', step, { json: {}, arrays }, { ...meta, kind: VAE_MODEL_KIND, spec: { ...spec, filters: [...spec.filters] } }),
  );
}

/** Reads and verifies a VAE model folder; throws a one-line reason. */
export function readVaeModel(dir: string): VaeModel {
  if (!existsSync(dir)) throw new Error(`no VAE model at ${dir} (run the drive pipeline's vae stage, or point lane obs "vae" at a model folder)`);
  const archive = readArchive<Record<string, unknown>>(dir);
  const meta = archive.meta;
  if (meta.kind !== VAE_MODEL_KIND || !meta.spec || typeof meta.spec !== 'object')
    throw new Error(`${dir} is not a VAE model (kind ${JSON.stringify(meta.kind)})`);
  const spec = meta.spec as ConvVaeSpec;
  // ConvVae: per conv 2 arrays in the encoder and 2 in the decoder, plus mean, logVar and the decoder's dense layer.
  const count = 4 * spec.filters.length + 6;
  const weights: Float32Array[] = [];
  for (let i = 0; i < count; i++) weights.push(requireArray(archive.snapshot.arrays, `vae.${i}`, Float32Array));
  return { spec, weights, meta };
}

/** A ConvVae with the model's weights (caller disposes). */
export function loadConvVae(model: VaeModel, name = 'vae'): ConvVae {
  const vae = new ConvVae(model.spec, new Rng(0), name);
  vae.setWeights(model.weights);
  return vae;
}

/** A model path from a config: absolute, or relative to the run folder. */
export function resolveModelPath(path: string, runDir: string): string {
  return isAbsolute(path) ? path : join(runDir, path);
}

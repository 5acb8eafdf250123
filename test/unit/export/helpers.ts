/** Shared pieces of the export tests: small policies, their metadata, and folder tampering. */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../../src-main/core/rng.js';
import type { EncoderSpecInput } from '../../../src-main/export/architecture.js';
import { envExportInfo } from '../../../src-main/export/env-info.js';
import type { ExportMetaInput } from '../../../src-main/export/export.js';
import { vectorSpace } from '../../../src-main/export/metadata.js';

export function pendulumMeta(extra: Partial<ExportMetaInput> = {}): ExportMetaInput {
  const info = envExportInfo({ id: 'pendulum', maxEpisodeSteps: 200 });
  return { envId: 'pendulum', algo: 'td3', config: { note: 'test' }, evalSummary: { mean_return: -150 }, ...info, ...extra };
}

/** Random weights for a list of sizes, from a seeded Rng. */
export function randomWeights(sizes: number[], seed: number, scale = 0.5): Float32Array[] {
  const rng = new Rng(seed);
  return sizes.map((n) => Float32Array.from({ length: n }, () => rng.uniform(-scale, scale)));
}

/** A small camera encoder (two 4x4 stride-2 convs) + actor taking latent 6 + speed + last steering. */
export const SMALL_ENCODER: EncoderSpecInput = {
  imageShape: [16, 24, 3],
  convs: [
    { filters: 4, kernel: 4, stride: 2 },
    { filters: 8, kernel: 4, stride: 2, padding: 'same' },
  ],
  latentDim: 6,
  extraDim: 2,
};

export function imageMeta(): ExportMetaInput {
  return {
    envId: 'lane',
    algo: 'ddpg',
    observation: {
      kind: 'image',
      image: { height: 16, width: 24, channels: 3, layout: 'NHWC', channelOrder: 'RGB', range: [0, 1], normalization: 'uint8 / 255' },
      extra: vectorSpace([0, -1], [30, 1], ['speed (m/s)', 'last steering (normalized)']),
    },
    actionScaling: [
      { name: 'steering', unit: 'rad', low: -0.5, high: 0.5 },
      { name: 'throttle', unit: 'normalized', low: -1, high: 1 },
    ],
  };
}

export function readMeta(dir: string): Record<string, any> {
  return JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'));
}

export function writeMeta(dir: string, meta: unknown): void {
  writeFileSync(join(dir, 'metadata.json'), JSON.stringify(meta, null, 2));
}

/** Recomputes the sha256 of every listed file (a tamperer who also fixes the hashes). */
export function rehash(dir: string): void {
  const meta = readMeta(dir);
  for (const f of Object.keys(meta.files))
    meta.files[f] = createHash('sha256')
      .update(readFileSync(join(dir, f)))
      .digest('hex');
  writeMeta(dir, meta);
}

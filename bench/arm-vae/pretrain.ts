/**
 * The arm's VAE, pretrained for `bench arm-learn --vae-frames N`: table-camera frames from random
 * and scripted policies (src-main/pipelines/arm/collect.ts), then the drive pipeline's VAE stage
 * (src-main/pipelines/drive/vae-train.ts, its default VAE: 4x4 stride-2 convs 32-64-128-256,
 * latent 32, beta 0.1; optionally with the arm's pixels weighted, foregroundWeight) on them. The runs then observe obs "vae" with this model, frozen.
 */
import { join } from 'node:path';
import { DriveVaeConfig } from '../../src-shared/config/drive.js';
import { EnvConfig } from '../../src-shared/config/envs/index.js';
import { ARM_CAMERA_SIZE, type ArmEnvConfig } from '../../src-shared/config/envs/arm.js';
import type { BackendChoice } from '../../src-shared/config/run-config.js';
import { selectBackend } from '../../src-main/ml/backend.js';
import { collectArmFrames, DEFAULT_ARM_FRAMES } from '../../src-main/pipelines/arm/collect.js';
import { trainVae } from '../../src-main/pipelines/drive/vae-train.js';

export interface ArmVaePretrainResult {
  frames: number;
  sources: Record<string, number>;
  collectS: number;
  vaeS: number;
  epochs: number;
  valLoss?: { loss: number; reconstruction: number; kl: number };
  modelDir: string;
  reconstructions: string;
}

export async function pretrainArmVae(o: {
  env: 'arm-reach' | 'arm-push';
  frames: number;
  epochs: number;
  /** The VAE's foregroundWeight (absent: the plain loss). */
  foregroundWeight?: number;
  /** The VAE's KL weight (absent: the drive pipeline's default). */
  beta?: number;
  /** The VAE's latent size (absent: the drive pipeline's default). */
  latentDim?: number;
  seed: number;
  outDir: string;
  backend: BackendChoice;
  log: (line: string) => void;
}): Promise<ArmVaePretrainResult> {
  await selectBackend(o.backend);
  const env = EnvConfig.parse({ id: o.env }) as ArmEnvConfig;
  const path = join(o.outDir, 'frames', 'collected');
  const t0 = performance.now();
  const manifest = collectArmFrames({
    env,
    frames: { ...DEFAULT_ARM_FRAMES, count: o.frames },
    seed: o.seed,
    path,
    onProgress: (n, total) => {
      if (n % 2000 < 26) o.log(`  collect: ${n}/${total} frames`);
    },
  });
  const collectS = (performance.now() - t0) / 1000;
  o.log(`collected ${manifest.count} frames (${JSON.stringify(manifest.sources)}) in ${collectS.toFixed(0)} s`);
  const dir = join(o.outDir, 'vae');
  const t1 = performance.now();
  const r = await trainVae({
    framesPaths: [path],
    dir,
    config: DriveVaeConfig.parse({
      epochs: o.epochs,
      ...(o.foregroundWeight === undefined ? {} : { foregroundWeight: o.foregroundWeight }),
      ...(o.beta === undefined ? {} : { beta: o.beta }),
      ...(o.latentDim === undefined ? {} : { latentDim: o.latentDim }),
    }),
    height: ARM_CAMERA_SIZE,
    width: ARM_CAMERA_SIZE,
    seed: o.seed,
    metric: () => {},
    log: (m) => o.log(`  ${m}`),
  });
  if (!r.complete || !r.modelDir) throw new Error('the VAE stage did not finish');
  return {
    frames: manifest.count,
    sources: manifest.sources,
    collectS,
    vaeS: (performance.now() - t1) / 1000,
    epochs: r.epochs,
    ...(r.valLoss ? { valLoss: { loss: r.valLoss.loss, reconstruction: r.valLoss.reconstruction, kl: r.valLoss.kl } } : {}),
    modelDir: r.modelDir,
    reconstructions: join(dir, 'reconstructions.png'),
  };
}

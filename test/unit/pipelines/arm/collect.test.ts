import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriveVaeConfig } from '../../../../src-shared/config/drive.js';
import { EnvConfig } from '../../../../src-shared/config/envs/index.js';
import type { ArmEnvConfig } from '../../../../src-shared/config/envs/arm.js';
import { collectArmFrames, nextArmSource } from '../../../../src-main/pipelines/arm/collect.js';
import { trainVae } from '../../../../src-main/pipelines/drive/vae-train.js';
import { exportRun } from '../../../../src-main/export/index.js';
import { obsEncoderSetup } from '../../../../src-main/rl/encoder/setup.js';
import { selectBackend } from '../../../../src-main/ml/backend.js';
import { FramesReader } from '../../../../src-main/sim/lane/frames-file.js';
import type { MetricLine } from '../../../../src-shared/types.js';
import { runTraining } from '../../../../src-main/workers/run-training.js';
import { tempDir } from '../../../helpers/tmp.js';
import { fakeJob, tinyConfig } from '../../rl/fake-job.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
beforeAll(async () => {
  await selectBackend('wasm');
});

const env = EnvConfig.parse({ id: 'arm-push', cameraSize: 16, maxEpisodeSteps: 10 }) as ArmEnvConfig;
const frames = { count: 40, random: 0.5, scripted: 0.5, every: 2, scriptedNoise: 0.3 };

describe('the arm VAE pipeline: collect with random and scripted policies, then the drive pipeline VAE stage', () => {
  it('collects the target count from both policies, the same frames every time', () => {
    const a = collectArmFrames({ env, frames, seed: 4, path: join(tmp.dir, 'a', 'collected') });
    expect(a.count).toBe(40);
    expect(a.sources.random! + a.sources.scripted!).toBe(40);
    expect(a.sources.random).toBeGreaterThanOrEqual(14);
    expect(a.sources.scripted).toBeGreaterThanOrEqual(14);
    const b = collectArmFrames({ env, frames, seed: 4, path: join(tmp.dir, 'b', 'collected') });
    const ra = new FramesReader(join(tmp.dir, 'a', 'collected'));
    const rb = new FramesReader(join(tmp.dir, 'b', 'collected'));
    try {
      expect(b.count).toBe(40);
      for (let i = 0; i < 40; i += 7) expect(Buffer.from(rb.frame(i)).equals(Buffer.from(ra.frame(i)))).toBe(true);
      // Not all the same picture: the arm moves.
      expect(Buffer.from(ra.frame(0)).equals(Buffer.from(ra.frame(5)))).toBe(false);
    } finally {
      ra.close();
      rb.close();
    }
    expect(nextArmSource(frames, { random: 20, scripted: 10 })).toBe('scripted');
  });

  it('trains the VAE on them with the drive stage; TD3 on obs "vae" reads that model, and its policy exports with the encoder in front', async () => {
    const dir = join(tmp.dir, 'vae');
    const lines: MetricLine[] = [];
    const config = DriveVaeConfig.parse({ filters: [4, 8], latentDim: 4, epochs: 2, batchSize: 8, valFraction: 0.2 });
    const r = await trainVae({ framesPaths: [join(tmp.dir, 'a', 'collected')], dir, config, height: 16, width: 16, seed: 1, metric: (l) => lines.push(l) });
    expect(r.complete).toBe(true);
    expect(r.modelDir).toBeDefined();
    const setup = obsEncoderSetup(EnvConfig.parse({ id: 'arm-reach', obs: 'vae', cameraSize: 16, vae: { model: r.modelDir! } }), tmp.dir);
    expect(setup).toMatchObject({ mode: 'frozen', extraDim: 3, spec: { height: 16, width: 16, latentDim: 4 } });

    // TD3 on the latent (+ goal) of arm-reach through the training loop.
    const f = fakeJob(
      join(tmp.dir, 'td3-vae'),
      tinyConfig({ env: { id: 'arm-reach', obs: 'vae', cameraSize: 16, maxEpisodeSteps: 20, vae: { model: r.modelDir! } }, totalSteps: 100, evalEvery: 100 }),
    );
    try {
      await runTraining(f.job);
    } finally {
      f.close();
    }
    // The run folder's config.json, as the run store writes it (the fake job does not).
    writeFileSync(join(tmp.dir, 'td3-vae', 'config.json'), JSON.stringify({ appVersion: 'test', config: f.job.config }));
    expect(f.statuses.at(-1)).toMatchObject({ status: 'finished', step: 100 });
    const ev = f.metrics().filter((l) => l.kind === 'eval');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.mean_final_distance).toBeGreaterThan(0);

    // Exported with the encoder in front: raw 16x16 images + the goal in, joint commands out; verified by the export itself.
    const x = await exportRun({
      runDir: join(tmp.dir, 'td3-vae'),
      checkpoint: 'last',
      outDir: join(tmp.dir, 'export'),
      options: { formats: ['tfjs'], samples: 20 },
    });
    expect(x.metadata.observation).toMatchObject({
      kind: 'image',
      image: { height: 16, width: 16, channels: 3 },
      extra: { names: ['goal x (m)', 'goal y (m)', 'goal z (m)'] },
    });
    expect(x.metadata.action.scaling.map((a) => a.unit)).toEqual(Array(5).fill('rad/s'));
    expect(x.metadata.verification.maxAbsDiff.tfjs).toBeLessThan(1e-4);
  });
});

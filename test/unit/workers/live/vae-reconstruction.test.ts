/**
 * The live view shows the VAE's reconstruction beside the agent's camera when a lane run observes
 * a VAE latent: every streamed frame carries decode(encode(camera).mean) of its own image.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveFrame } from '../../../../src-shared/live.js';
import { RunConfig } from '../../../../src-shared/config/run-config.js';
import { writeVaeModel } from '../../../../src-main/rl/encoder/vae-model.js';
import { LiveTap } from '../../../../src-main/workers/live/live-tap.js';
import { VaeReconstructor } from '../../../../src-main/workers/live/vae-reconstructor.js';
import { Rng } from '../../../../src-main/core/rng.js';
import { runTraining } from '../../../../src-main/workers/run-training.js';
import { selectBackend } from '../../../../src-main/ml/backend.js';
import { ConvVae } from '../../../../src-main/ml/vae.js';
import { tempDir } from '../../../helpers/tmp.js';
import { fakeJob } from '../../rl/fake-job.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
beforeAll(async () => {
  await selectBackend('wasm');
});

const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

describe('live VAE reconstructions', () => {
  it("streams the reconstruction of each frame's own camera image on a vae-observation run, and none on a state run", async () => {
    const dir = join(tmp.dir, 'run');
    mkdirSync(dir);
    const vae = new ConvVae(
      { height: 64, width: 64, channels: 3, filters: [4, 8], kernelSize: 4, latentDim: 4, beta: 1, learningRate: 1e-3 },
      new Rng(3),
      'test-vae',
    );
    const modelDir = join(dir, 'vae-model');
    writeVaeModel(modelDir, vae.spec, vae.getWeights());
    vae.dispose();
    const f = fakeJob(dir, {
      env: { id: 'lane' as const, obs: 'vae' as const, maxEpisodeSteps: 40, vae: { model: modelDir, mode: 'frozen' as const, normalize: false } },
      totalSteps: 80,
      evalEvery: 0,
      evalEpisodes: 1,
      checkpointEvery: 0,
      logEvery: 100,
      backend: 'wasm' as const,
      td3: { actorHidden: [8], criticHidden: [8], batchSize: 16, learningStarts: 40, bufferSize: 1_000 },
    });
    const frames: LiveFrame[] = [];
    const tap = new LiveTap(dir, f.job.controls, f.job.out, { frame: (fr) => frames.push(LiveFrame.parse(fr)), manual: () => {} });
    tap.setWatching(true);
    f.setSpeed('realtime'); // every step streams a frame
    const timer = setInterval(() => {
      if (frames.length >= 6) f.setSpeed('fast');
    }, 20);
    try {
      await runTraining(f.job, tap.hooks(), (t) => tap.attach(t));
    } finally {
      clearInterval(timer);
      tap.close();
      f.close();
    }
    expect(frames.length).toBeGreaterThanOrEqual(6);
    const check = VaeReconstructor.forRun(RunConfig.parse(f.job.config), dir)!;
    try {
      for (const fr of frames.slice(0, 6)) {
        expect(fr.reconstruction?.width).toBe(64);
        const cam = bytes(fr.camera!.data);
        const rec = bytes(fr.reconstruction!.data);
        expect(rec.length).toBe(cam.length);
        expect(Array.from(rec)).toEqual(Array.from(check.reconstruct(cam)));
      }
    } finally {
      check.dispose();
    }
    // A run without a VAE has none.
    expect(VaeReconstructor.forRun(RunConfig.parse({ env: { id: 'lane' } }), dir)).toBeUndefined();
  });
});

/**
 * The live tap on a lane run whose conv encoder trains (obs "vae", mode "scratch"): every
 * streamed frame's Q value reads the camera image through the learner's encoder, and the run
 * trains to its end (it used to fail on the first watched frame with a matMul size error).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveFrame } from '../../../../src-shared/live.js';
import { LiveTap } from '../../../../src-main/workers/live/live-tap.js';
import { runTraining } from '../../../../src-main/workers/run-training.js';
import { selectBackend } from '../../../../src-main/ml/backend.js';
import { tempDir } from '../../../helpers/tmp.js';
import { fakeJob } from '../../rl/fake-job.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
beforeAll(async () => {
  await selectBackend('wasm');
});

describe('live tap on a scratch-encoder lane run', () => {
  it('streams frames with Q values and the run finishes', async () => {
    const dir = join(tmp.dir, 'run');
    mkdirSync(dir);
    const f = fakeJob(dir, {
      env: {
        id: 'lane' as const,
        obs: 'vae' as const,
        maxEpisodeSteps: 40,
        camera: { width: 32, height: 32 },
        vae: { mode: 'scratch' as const, filters: [4, 8], latentDim: 6 },
      },
      totalSteps: 100,
      evalEvery: 0,
      evalEpisodes: 1,
      checkpointEvery: 0,
      logEvery: 50,
      backend: 'wasm' as const,
      td3: { actorHidden: [8], criticHidden: [8], batchSize: 8, learningStarts: 40, bufferSize: 1_000 },
    });
    const frames: LiveFrame[] = [];
    const tap = new LiveTap(dir, f.job.controls, f.job.out, { frame: (fr) => frames.push(LiveFrame.parse(fr)), manual: () => {} });
    tap.setWatching(true);
    f.setSpeed('realtime'); // every step streams a frame
    const timer = setInterval(() => {
      if (frames.filter((fr) => fr.source === 'agent').length >= 5) f.setSpeed('fast');
    }, 20);
    try {
      await runTraining(f.job, tap.hooks(), (t) => tap.attach(t));
    } finally {
      clearInterval(timer);
      tap.close();
      f.close();
    }
    expect(f.statuses.at(-1)).toMatchObject({ status: 'finished', step: 100 });
    const agent = frames.filter((fr) => fr.source === 'agent');
    expect(agent.length).toBeGreaterThanOrEqual(5);
    for (const fr of agent) expect(Number.isFinite(fr.q)).toBe(true);
  }, 120_000);
});

/**
 * Every training run streams through the live tap's env wrappers (the worker always installs
 * them); hindsight experience replay must still see the goal env underneath (regression: HER runs
 * failed at step 0 with "not a goal-conditioned env" once the tap wrapped the envs).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('live tap and HER', () => {
  it('trains arm-push with hindsight experience replay through the tap hooks', async () => {
    const dir = join(tmp.dir, 'her');
    mkdirSync(dir);
    const f = fakeJob(dir, {
      env: { id: 'arm-push' as const },
      totalSteps: 160,
      evalEvery: 0,
      evalEpisodes: 1,
      checkpointEvery: 0,
      logEvery: 50,
      backend: 'wasm' as const,
      td3: {
        actorHidden: [8],
        criticHidden: [8],
        batchSize: 16,
        learningStarts: 60,
        bufferSize: 1_000,
        replay: { type: 'her' as const, nSampledGoal: 4, strategy: 'future' as const },
      },
    });
    const tap = new LiveTap(dir, f.job.controls, f.job.out, { frame: () => {}, manual: () => {} });
    try {
      await runTraining(f.job, tap.hooks(), (t) => tap.attach(t));
    } finally {
      tap.close();
      f.close();
    }
    const train = f.metrics().filter((l) => l.kind === 'train');
    expect(train.length).toBeGreaterThan(0);
    expect(f.metrics().some((l) => l.kind === 'eval')).toBe(true);
  });
});

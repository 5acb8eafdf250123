import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRunConfig } from '../../../src-shared/config/run-config.js';
import { runTraining } from '../../../src-main/workers/run-training.js';
import { selectBackend } from '../../../src-main/ml/backend.js';
import { tempDir } from '../../helpers/tmp.js';
import { fakeJob, tinyConfig } from './fake-job.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
beforeAll(async () => {
  await selectBackend('wasm');
});

describe('training on the arm', () => {
  it('reports success and final distance on episode and eval lines (mean_is_success = success rate)', async () => {
    const f = fakeJob(tmp.dir, tinyConfig({ env: { id: 'arm-reach', maxEpisodeSteps: 25 }, totalSteps: 200, evalEvery: 100, evalEpisodes: 3 }));
    try {
      await runTraining(f.job);
    } finally {
      f.close();
    }
    expect(f.statuses.at(-1)).toMatchObject({ status: 'finished', step: 200 });
    const lines = f.metrics();
    const episodes = lines.filter((l) => l.kind === 'episode');
    expect(episodes).toHaveLength(8);
    for (const l of episodes) {
      expect([0, 1]).toContain(l.is_success);
      expect(l.final_distance).toBeGreaterThanOrEqual(0);
      // The env's dense reward is minus the distance: the last step's reward is in the return.
      expect(l.return).toBeLessThanOrEqual(-(l.final_distance as number) + 1e-9);
    }
    const evals = lines.filter((l) => l.kind === 'eval');
    expect(evals.map((l) => l.step)).toEqual([100, 200]);
    for (const l of evals) {
      expect(l.mean_is_success).toBeGreaterThanOrEqual(0);
      expect(l.mean_is_success).toBeLessThanOrEqual(1);
      expect((l.mean_is_success as number) * 3).toBeCloseTo(Math.round((l.mean_is_success as number) * 3), 9);
      expect(l.mean_final_distance).toBeGreaterThan(0);
    }
    const ev = JSON.parse(readFileSync(join(tmp.dir, 'eval.json'), 'utf8'));
    expect(ev.episode_stats).toEqual({ is_success: evals.at(-1)!.mean_is_success, final_distance: evals.at(-1)!.mean_final_distance });
  });

  it('has presets for both arm tasks and refuses HER on an env without goals', async () => {
    const reach = buildRunConfig({ env: { id: 'arm-reach' } });
    expect(reach.totalSteps).toBe(30_000);
    expect(reach.td3.actorHidden).toEqual([64, 64]);
    expect(buildRunConfig({ env: { id: 'pendulum' } }).td3.replay).toEqual({ type: 'uniform' });
    const dir = join(tmp.dir, 'her-pendulum');
    const f = fakeJob(dir, tinyConfig({ td3: { replay: { type: 'her' } } }));
    try {
      await expect(runTraining(f.job)).rejects.toThrow(/goal-conditioned env.*"pendulum"/);
    } finally {
      f.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { buildRunConfig } from '../../../../src-shared/config/run-config.js';
import { runA3c } from '../../../../src-main/rl/train/a3c/run.js';
import { applySharedRmsprop } from '../../../../src-main/rl/train/a3c/shared-rmsprop.js';

describe('A3C', () => {
  it('updates shared parameters with clipped gradients and shared RMSprop statistics', () => {
    const p = Float32Array.from([1, 1]);
    const v = new Float32Array(2);
    // |g| = 5 clipped to 0.5: g = (0.3, 0.4); v = 0.01 g^2; p -= lr g / (sqrt(v) + eps) = lr * 10 (sign g)
    applySharedRmsprop(p, v, Float32Array.from([3, 4]), { lr: 0.01, alpha: 0.99, eps: 0, maxGradNorm: 0.5 });
    expect(v[0]).toBeCloseTo(0.01 * 0.09, 6);
    expect(p[0]).toBeCloseTo(1 - 0.1, 4);
    expect(p[1]).toBeCloseTo(1 - 0.1, 4);
  });

  it('trains with 2 asynchronous workers on CartPole until their steps add up to totalSteps, then evaluates', async () => {
    const config = buildRunConfig({
      env: { id: 'cartpole' },
      algo: 'a2c',
      numEnvs: 2,
      // Enough steps that both workers finish episodes even when one gets little CPU on a busy machine.
      totalSteps: 1000,
      evalEpisodes: 2,
      backend: 'wasm',
      a2c: { actorHidden: [8], criticHidden: [8] },
    });
    const r = await runA3c(config, 2);
    expect(r.steps).toBeGreaterThanOrEqual(1000);
    expect(r.updates).toBeGreaterThanOrEqual(1000 / (2 * 5));
    expect(new Set(r.episodes.map((e) => e.worker))).toEqual(new Set([0, 1]));
    expect(r.eval.episodes).toBe(2);
    expect(Number.isFinite(r.eval.mean_return)).toBe(true);
  }, 60_000);
});

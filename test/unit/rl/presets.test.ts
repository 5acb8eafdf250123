import { describe, expect, it } from 'vitest';
import { DDPG_PRESET } from '../../../src-shared/config/algo.js';
import { ENV_PRESETS } from '../../../src-shared/config/presets.js';
import { buildRunConfig } from '../../../src-shared/config/run-config.js';

describe('env presets', () => {
  it('apply the pendulum preset under the user settings', () => {
    const c = buildRunConfig({ env: { id: 'pendulum' } });
    expect(c.td3).toMatchObject({ gamma: 0.98, bufferSize: 200_000, learningStarts: 5_000, actorHidden: [64, 64], noise: { type: 'gaussian', sigma: 0.1 } });
    expect(c.totalSteps).toBe(20_000);
    const u = buildRunConfig({ env: { id: 'pendulum' }, totalSteps: 500, td3: { gamma: 0.9, actorHidden: [8] } });
    expect(u.totalSteps).toBe(500);
    expect(u.td3).toMatchObject({ gamma: 0.9, actorHidden: [8], criticHidden: [64, 64] });
  });

  it('never change what makes TD3 into DDPG; env noise settings apply to both', () => {
    const d = buildRunConfig({ algo: 'ddpg', env: { id: 'pendulum' } });
    expect(d.td3).toMatchObject({ nCritics: 1, policyDelay: 1, targetNoise: 0, gamma: 0.98 });
    expect(d.td3.noise).toEqual(DDPG_PRESET.noise);
    const m = buildRunConfig({ algo: 'ddpg', env: { id: 'mountaincar' } });
    expect(m.td3.noise).toMatchObject({ type: 'ou', sigma: 0.5 });
    expect(m.td3.nCritics).toBe(1);
    expect(m.totalSteps).toBe(300_000);
    for (const p of Object.values(ENV_PRESETS)) {
      expect(p!.doc.length).toBeGreaterThan(40);
      for (const k of ['nCritics', 'policyDelay', 'targetNoise', 'noiseClip']) expect(p!.td3).not.toHaveProperty(k);
    }
  });

  it('arm-push: sparse reward, hindsight replay (future, k = 4) and scripted exploration by default; dense and plain noise stay options', () => {
    const c = buildRunConfig({ env: { id: 'arm-push' } });
    expect(c.env).toMatchObject({ reward: 'sparse' });
    expect(c.td3).toMatchObject({ replay: { type: 'her', nSampledGoal: 4, strategy: 'future' }, noise: { type: 'scripted', fraction: 0.3 }, tau: 0.05 });
    expect(c.totalSteps).toBe(300_000);
    const u = buildRunConfig({ env: { id: 'arm-push', reward: 'dense' }, td3: { noise: { type: 'gaussian', sigma: 0.1 } } });
    expect(u.env).toMatchObject({ reward: 'dense' });
    expect(u.td3.noise).toEqual({ type: 'gaussian', sigma: 0.1 });
  });

  it('arm-push from the camera: uniform replay and Gaussian noise (hindsight replay and the scripted pusher read the state), the rest of the preset kept', () => {
    for (const obs of ['pixels', 'vae'] as const) {
      const c = buildRunConfig({ env: { id: 'arm-push', obs } });
      expect(c.td3.replay.type).toBe('uniform');
      expect(c.td3.noise).toEqual({ type: 'gaussian', sigma: 0.1 });
      expect(c.td3).toMatchObject({ gamma: 0.95, tau: 0.05, actorHidden: [128, 128] });
    }
    expect(buildRunConfig({ env: { id: 'arm-push', obs: 'state' } }).td3.replay.type).toBe('her');
  });
});

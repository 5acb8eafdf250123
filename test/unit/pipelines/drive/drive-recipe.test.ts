import { describe, expect, it } from 'vitest';
import { DRIVE_TD3, KENDALL_TD3 } from '../../../../src-shared/config/drive.js';
import { buildRunConfig } from '../../../../src-shared/config/run-config.js';
import { driveInput } from '../../../../src-main/cli/commands/drive.js';
import type { GlobalOptions } from '../../../../src-main/cli/context.js';

const g: GlobalOptions = { json: false, backend: 'auto' };
const input = (o: Record<string, unknown>) => driveInput({ seed: '0', set: [], pixels: true, ...o } as never, g).input;

describe('drive learner recipes', () => {
  it("defaults to the drive recipe: Kendall et al.'s schedule and noise with 10-step returns, gamma 0.95, tau 0.02 and the pre-tanh penalty", () => {
    const c = buildRunConfig(input({}) as never);
    expect(c.td3).toMatchObject({
      gamma: 0.95,
      tau: 0.02,
      actorPreActivationPenalty: 0.1,
      trainSchedule: 'episodes',
      gradientSteps: 250,
      batchSize: 64,
      learningStarts: 0,
    });
    expect(c.td3.replay).toEqual({ type: 'uniform', nStep: 10 });
    expect(c.td3.noise).toEqual({ type: 'ou', theta: 0.6, sigma: 0.4, dt: 0.05, mu: 0 });
    expect(input({}).td3).toEqual(DRIVE_TD3);
  });

  it('--recipe kendall gives their published settings (no penalty), also under --algo ddpg', () => {
    const c = buildRunConfig(input({ recipe: 'kendall', algo: 'ddpg' }) as never);
    expect(input({ recipe: 'kendall' }).td3).toEqual(KENDALL_TD3);
    expect(c.td3).toMatchObject({ gamma: 0.9, tau: 0.005, nCritics: 1, policyDelay: 1, targetNoise: 0 });
    expect(c.td3.actorPreActivationPenalty).toBeUndefined();
    expect(c.td3.replay).toEqual({ type: 'uniform' });
    expect(c.td3.noise).toEqual({ type: 'ou', theta: 0.6, sigma: 0.4, dt: 0.05, mu: 0 });
  });

  it('rejects an unknown recipe with the list of names', () => {
    expect(() => input({ recipe: 'fast' })).toThrow(/--recipe must be one of default, kendall \(got "fast"\)/);
  });
});

describe('drive worlds', () => {
  it('the plain world keeps the drive defaults: 3,000 frames, the VAE reconstructs its input', () => {
    const c = buildRunConfig(input({ world: 'plain' }) as never);
    expect(c.drive?.frames.count).toBe(3000);
    expect(c.drive?.vae.target).toBeUndefined();
    expect(c.env).toMatchObject({ camera: { hood: false }, randomize: { style: false, lighting: false, props: false } });
  });

  it('the randomized world starts from 20,000 frames and the canonical VAE target', () => {
    const c = buildRunConfig(input({ world: 'randomized' }) as never);
    expect(c.drive?.frames.count).toBe(20_000);
    expect(c.drive?.vae.target).toBe('canonical');
    expect(c.drive?.frames.random).toBe(0.2); // the rest of the block keeps its defaults
    expect(c.env).not.toMatchObject({ randomize: { style: false } });
  });

  it("the user's settings override the world's", () => {
    const c = buildRunConfig(input({ world: 'randomized', set: ['drive.frames.count=5000', 'drive.vae.target="input"'] }) as never);
    expect(c.drive?.frames.count).toBe(5000);
    expect(c.drive?.vae.target).toBe('input');
    const d = buildRunConfig(input({ world: 'randomized', frames: '4000' }) as never);
    expect(d.drive?.frames.count).toBe(4000);
    expect(d.drive?.vae.target).toBe('canonical');
  });
});

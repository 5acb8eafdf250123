/**
 * The tasks are solvable within their 50-step episodes: scripted controllers (inverse-kinematics
 * reach; get-behind-and-push) succeed on held-out seeds. Full 100-episode figures are in
 * `npm run cli -- bench arm` (bench/RESULTS.md).
 */
import { describe, expect, it } from 'vitest';
import { EnvConfig } from '../../../../src-shared/config/envs';
import { runEpisodes } from '../../../../src-main/sim/arm/rollout.js';
import { scriptedPolicy } from '../../../../src-main/sim/arm/scripted.js';
import { makeEnv } from '../../../../src-main/sim/registry.js';

describe('scripted arm controllers', () => {
  it.each(['position', 'velocity'] as const)('reach succeeds in at least 95 percent of episodes with %s control', (control) => {
    const env = makeEnv(EnvConfig.parse({ id: 'arm-reach', control }));
    const stats = runEpisodes(env, scriptedPolicy('arm-reach', control), 40, 10_000);
    expect(stats.successRate).toBeGreaterThanOrEqual(0.95);
    expect(stats.meanFinalDistance).toBeLessThan(0.02);
  });

  it('push moves the cube onto the goal in most episodes (position control)', () => {
    const env = makeEnv(EnvConfig.parse({ id: 'arm-push', control: 'position' }));
    const stats = runEpisodes(env, scriptedPolicy('arm-push', 'position'), 12, 20_000);
    // About 8% of episodes start with the cube already within 5 cm of the goal.
    expect(stats.successRate).toBeGreaterThanOrEqual(0.75);
  });

  it('a policy that does nothing rarely succeeds (the checks above are not vacuous)', () => {
    const env = makeEnv(EnvConfig.parse({ id: 'arm-reach', control: 'velocity' }));
    const idle = { act: (_obs: Float32Array, out: Float32Array) => out.fill(0) };
    expect(runEpisodes(env, idle, 20, 10_000).successRate).toBeLessThan(0.2);
  });
});

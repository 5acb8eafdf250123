/**
 * Which runs the webgpu backend takes (src-shared/config/backend-fit.ts): a webgpu run gets the
 * parallel-actors layout when it names none, and a run that layout cannot train is refused when
 * it is created, naming the field.
 */
import { describe, expect, it } from 'vitest';
import { backendMisfit, withBackendLayout } from '../../../src-shared/config/backend-fit.js';
import { buildRunConfig } from '../../../src-shared/config/run-config.js';
import { RunStore } from '../../../src-main/store/run-store.js';
import { tempDir } from '../../helpers/tmp.js';

describe('the webgpu backend and the run layout', () => {
  it('gives a webgpu run actor threads, leaves other backends and named actors alone', () => {
    const gpu = withBackendLayout(buildRunConfig({ env: { id: 'pendulum' }, backend: 'webgpu' }));
    expect(gpu.actors).toEqual({ mode: 'async', count: 1, weightSyncEvery: 50 });
    expect(backendMisfit(gpu)).toBeUndefined();
    const named = withBackendLayout(buildRunConfig({ env: { id: 'pendulum' }, backend: 'webgpu', actors: { mode: 'async', count: 3 } }));
    expect(named.actors?.count).toBe(3);
    const wasm = buildRunConfig({ env: { id: 'pendulum' }, backend: 'wasm' });
    expect(withBackendLayout(wasm)).toBe(wasm);
    expect(backendMisfit(buildRunConfig({ algo: 'ppo', env: { id: 'cartpole' }, backend: 'auto' }))).toBeUndefined();
  });

  it('refuses what cannot train behind actor threads, with the reason', () => {
    const fit = (input: Parameters<typeof buildRunConfig>[0]) => backendMisfit(withBackendLayout(buildRunConfig({ backend: 'webgpu', ...input })));
    expect(fit({ algo: 'ppo', env: { id: 'cartpole' } })).toMatch(/^ppo cannot train on webgpu .*use td3, ddpg, d4pg, or --backend auto/);
    expect(fit({ algo: 'sac', env: { id: 'pendulum' } })).toMatch(/^sac cannot train on webgpu/);
    expect(fit({ env: { id: 'pendulum' }, actors: { mode: 'sync' } })).toMatch(/^actors.mode "sync" cannot train on webgpu/);
    expect(fit({ env: { id: 'arm-reach' }, td3: { replay: { type: 'her' } } })).toMatch(/^her replay cannot train on webgpu/);
    expect(fit({ env: { id: 'lane' }, drive: {} })).toMatch(/^the drive pipeline cannot train on webgpu/);
    expect(fit({ algo: 'd4pg', env: { id: 'pendulum' } })).toBeUndefined();
  });

  it('the store creates a webgpu run with actors and refuses an on-policy one', () => {
    const t = tempDir();
    try {
      const store = new RunStore(t.dir, '9.9.9');
      expect(store.create({ env: { id: 'pendulum' }, backend: 'webgpu' }).config.actors?.mode).toBe('async');
      let issues: string[] = [];
      try {
        store.create({ algo: 'a2c', env: { id: 'cartpole' }, backend: 'webgpu' });
      } catch (e) {
        issues = (e as { issues?: string[] }).issues ?? [String(e)];
      }
      expect(issues).toEqual([expect.stringMatching(/^config\.backend: a2c cannot train on webgpu/)]);
      expect(store.list()).toHaveLength(1);
    } finally {
      t.cleanup();
    }
  });
});

/**
 * The run command train and drive share: one precedence of config sources (defaults < --config
 * file < --set < named flags), the same for both, and --resume refusing options it would
 * otherwise drop, with one line naming them. In-process (nothing here trains).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildRunConfig } from '../../../src-shared/config/run-config.js';
import { driveInput } from '../../../src-main/cli/commands/drive.js';
import { trainInput } from '../../../src-main/cli/commands/train.js';
import type { GlobalOptions } from '../../../src-main/cli/context.js';
import { main } from '../../../src-main/cli/main.js';
import { APP_VERSION } from '../../../src-main/core/version.js';
import { RunStore } from '../../../src-main/store/run-store.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const g: GlobalOptions = { json: false, backend: 'auto' };

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  try {
    const code = await main(['--runs-dir', tmp.dir, ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

function configFile(name: string, value: unknown): string {
  const file = join(tmp.dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

const build = (input: Record<string, unknown>) => buildRunConfig(input as never);

describe('config precedence: defaults < --config < --set < named flags, for train and drive alike', () => {
  const file = configFile('seed.json', { seed: 1, evalEpisodes: 3 });
  const layers: Array<[{ config?: string; set?: string[]; seed?: string }, number]> = [
    // [options, expected seed]
    [{}, 0],
    [{ config: file }, 1],
    [{ config: file, set: ['seed=2'] }, 2],
    [{ config: file, set: ['seed=2'], seed: '3' }, 3],
    [{ set: ['seed=2'], seed: '3' }, 3],
  ];

  it.each(layers)('train %j -> seed %i', (o, seed) => {
    const { input } = trainInput({ set: [], ...o }, g);
    const c = build(input);
    expect(c.seed).toBe(seed);
    expect(c.evalEpisodes).toBe('config' in o ? 3 : 10);
    expect(c.name).toBe(`td3-pendulum-seed${seed}`);
  });

  it.each(layers)('drive %j -> seed %i', (o, seed) => {
    const { input } = driveInput({ set: [], pixels: true, ...o }, g);
    const c = build(input);
    expect(c.seed).toBe(seed);
    expect(c.evalEpisodes).toBe('config' in o ? 3 : 10);
    expect(c.name).toBe(`drive-td3-seed${seed}`);
  });

  it('a named drive flag wins over --set and the file on a nested key; the file fills the rest', () => {
    const f = configFile('drive.json', { drive: { budgetEpisodes: 5, testRoutes: 3 } });
    const c = build(driveInput({ set: ['drive.budgetEpisodes=6'], pixels: true, config: f, episodes: '7' }, g).input);
    expect(c.drive).toMatchObject({ budgetEpisodes: 7, testRoutes: 3 });
    const noFlag = build(driveInput({ set: ['drive.budgetEpisodes=6'], pixels: true, config: f }, g).input);
    expect(noFlag.drive?.budgetEpisodes).toBe(6);
    const off = build(driveInput({ set: ['drive.pixels.enabled=true'], pixels: false }, g).input);
    expect(off.drive?.pixels.enabled).toBe(false);
  });

  it('--steps beats --set totalSteps and the file; --backend given beats the file', () => {
    const f = configFile('steps.json', { totalSteps: 100, backend: 'wasm', td3: { batchSize: 32 } });
    const c = build(trainInput({ set: ['totalSteps=200'], config: f, steps: '300' }, { ...g, backend: 'cpu' }).input);
    expect(c).toMatchObject({ totalSteps: 300, backend: 'cpu', td3: { batchSize: 32 } });
    const kept = build(trainInput({ set: [], config: f }, g).input);
    expect(kept.backend).toBe('wasm');
  });

  it("--env drops a --config env block of another env, keeps --set env options and the same env's file options", () => {
    const f = configFile('lane.json', { env: { id: 'lane', obs: 'state' }, seed: 4 });
    const c = build(trainInput({ set: ['env.maxEpisodeSteps=50'], config: f, env: 'pendulum' }, g).input);
    expect(c.env).toMatchObject({ id: 'pendulum', maxEpisodeSteps: 50 });
    expect(c.seed).toBe(4);
    const same = build(trainInput({ set: [], config: f, env: 'lane' }, g).input);
    expect(same.env).toMatchObject({ id: 'lane', obs: 'state' });
  });

  it("documents the precedence in both commands' --help", async () => {
    for (const cmd of ['train', 'drive']) {
      const r = await cli(cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Config precedence \(later wins\): defaults and presets < --config file < --set key=value \(in order\) < named flags/);
      expect(r.stdout).toMatch(/--resume <run> continues a run with the config it was created with/);
    }
  });
});

describe('--resume refuses options it would ignore', () => {
  const store = new RunStore(tmp.dir, APP_VERSION);
  const plain = store.create({ name: 'plain', env: { id: 'pendulum' } });
  const finished = store.create({ name: 'done', env: { id: 'pendulum' } });
  store.updateMeta(finished.id, { status: 'finished' });

  const refusals: Array<[string[], RegExp]> = [
    [['train', '--resume', plain.id, '--steps', '5'], /it takes no other training options \(got --steps\)$/],
    [['train', '--resume', plain.id, '--env', 'lane', '--seed', '3', '--set', 'seed=2', '--config', 'x.json'], /\(got --env, --seed, --config, --set\)$/],
    [
      ['train', '--resume', plain.id, '--algo', 'ddpg', '--num-envs', '2', '--name', 'n', '--out', 'o', '--init-policy', 'p'],
      /\(got --algo, --num-envs, --init-policy, --name, --out\)$/,
    ],
    [
      ['drive', '--resume', plain.id, '--episodes', '3', '--no-pixels', '--world', 'randomized'],
      /it takes no other pipeline options \(got --episodes, --world, --no-pixels\)$/,
    ],
    [['drive', '--resume', plain.id, '--seed', '0'], /\(got --seed\)$/],
    [['--backend', 'cpu', 'train', '--resume', plain.id], /--resume trains on the run's own backend \(auto\); --backend cpu cannot change it/],
    [['drive', '--resume', plain.id], /is not a drive run/],
  ];

  it.each(refusals)('%j', async (args, re) => {
    const before = readdirSync(tmp.dir).sort();
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(re);
    expect(readdirSync(tmp.dir).sort()).toEqual(before);
    expect(store.readMeta(plain.id).status).toBe('created');
  });

  it('takes --json, --runs-dir and its own --backend (then the engine answers for the run)', async () => {
    const r = await cli('--json', '--backend', 'auto', 'train', '--resume', join(tmp.dir, finished.id));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/has finished; duplicate it to train again/);
  });
});

describe('train --actors', () => {
  it('makes the run async with N actors; without it the run has no actors block (the synchronous loop)', () => {
    expect(build(trainInput({ set: [], actors: '2' }, g).input).actors).toEqual({ mode: 'async', count: 2, weightSyncEvery: 50 });
    expect(build(trainInput({ set: [], actors: 'auto' }, g).input).actors?.count).toBeGreaterThanOrEqual(1);
    expect('actors' in build(trainInput({ set: [] }, g).input)).toBe(false);
    // --set reaches the other fields; the flag sets the count.
    const c = build(trainInput({ set: ['actors.weightSyncEvery=10', 'actors.count=5'], actors: '3' }, g).input);
    expect(c.actors).toEqual({ mode: 'async', count: 3, weightSyncEvery: 10 });
    expect(() => trainInput({ set: [], actors: '0' }, g)).toThrow(/--actors/);
    expect(() => trainInput({ set: [], actors: '65' }, g)).toThrow(/--actors/);
  });
});

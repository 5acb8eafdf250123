import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src-main/cli/main.js';
import { PendulumEnv } from '../../../src-main/sim/classic/pendulum.js';
import { readJsonlLines } from '../../../src-main/core/durable-write.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/bin.ts', '--runs-dir', tmp.dir, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const small = [
  '--set',
  'td3.actorHidden=[8]',
  '--set',
  'td3.criticHidden=[8]',
  '--set',
  'td3.learningStarts=100',
  '--set',
  'evalEpisodes=2',
  '--set',
  'env.maxEpisodeSteps=50',
];

describe('cli: train, eval, rollout', () => {
  const out = join(tmp.dir, 'nested', 'my-run');

  it('trains through the engine into exactly --out and prints a JSON summary', () => {
    const r = cli('--json', 'train', '--env', 'pendulum', '--algo', 'ddpg', '--steps', '300', '--seed', '3', '--out', out, ...small);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ id: 'my-run', dir: out, status: 'finished', step: 300, algo: 'ddpg', env: 'pendulum', seed: 3 });
    expect(s.eval).toMatchObject({ step: 300, episodes: 2 });
    const stored = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(stored.config.td3).toMatchObject({ nCritics: 1, policyDelay: 1, actorHidden: [8], noise: { type: 'ou' } });
    expect(stored.config.env.maxEpisodeSteps).toBe(50);
    const kinds = new Set(readJsonlLines(join(out, 'metrics.jsonl')).lines.map((l) => (l as { kind: string }).kind));
    expect(kinds).toEqual(new Set(['episode', 'train', 'eval']));
    expect(existsSync(join(out, 'eval.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).status).toBe('finished');
  });

  it('evaluates a trained run by folder, with best/last checkpoints and explicit seeds', () => {
    const best = cli('--json', 'eval', '--policy', out, '--episodes', '2');
    expect(best.code).toBe(0);
    const b = JSON.parse(best.stdout);
    const trained = JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8'));
    expect(b.checkpoint.kind).toBe('policy');
    expect(b.mean_return).toBeCloseTo(trained.mean_return, 6); // the same actor on the same held-out seeds
    const last = JSON.parse(cli('--json', 'eval', '--policy', out, '--checkpoint', 'last', '--seeds', '5..7').stdout);
    expect(last.seeds).toEqual([5, 6, 7]);
    expect(last.checkpoint).toMatchObject({ kind: 'full', step: 300 });
    const bad = cli('eval', '--policy', out, '--checkpoint', '123');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: run my-run: no checkpoint at step 123/);
  });

  it('refuses bad input with exit code 2 and a one-line reason', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['train', '--algo', 'sarsa'], /--algo must be one of td3, ddpg/],
      [['train', '--env', 'moon'], /--env must be one of/],
      [['train', '--set', 'td3.batchsize=64'], /unknown config key "td3.batchsize"/],
      [['train', '--set', 'td3.tau=3'], /td3.tau/],
      [['train', '--steps', '-5'], /--steps must be an integer >= 1/],
      [['train', '--out', out], /already exists/],
      [['train', '--resume', out, '--steps', '10'], /takes no other training options/],
      [['rollout', '--env', 'pendulum'], /--actions <file> is required/],
      [['eval', '--policy', 'no-such-run'], /no readable run "no-such-run"/],
    ];
    for (const [args, re] of cases) {
      // In-process (these all fail before any work starts): same main() as the binary.
      let stderr = '';
      const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        stderr += String(chunk);
        return true;
      });
      let code: number;
      try {
        code = await main(['--runs-dir', tmp.dir, ...args]);
      } finally {
        spy.mockRestore();
      }
      expect(code, args.join(' ')).toBe(2);
      expect(stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(stderr).toMatch(re);
    }
  });

  it('rollout replays actions and prints the trajectory an env reference gives', () => {
    const actions = [0.5, [1], -1, 0.25];
    const file = join(tmp.dir, 'actions.json');
    writeFileSync(file, JSON.stringify(actions));
    const r = cli('--json', 'rollout', '--env', 'pendulum', '--seed', '7', '--actions', file, '--set', 'maxEpisodeSteps=3');
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout);
    const env = new PendulumEnv({ id: 'pendulum', maxEpisodeSteps: 3 });
    expect(t.reset.obs).toEqual(Array.from(env.reset(7).obs));
    expect(t.steps).toHaveLength(3);
    t.steps.forEach((s: { obs: number[]; reward: number; terminated: boolean; truncated: boolean }, i: number) => {
      const ref = env.step(Float32Array.of([0.5, 1, -1][i]!));
      expect(s.obs).toEqual(Array.from(ref.obs));
      expect(s.reward).toBe(ref.reward);
      expect([s.terminated, s.truncated]).toEqual([ref.terminated, ref.truncated]);
    });
    expect(t).toMatchObject({ ended: true, unusedActions: 1 });
  });
});

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { formatIssues } from '../../../../src-shared/protocol.js';
import { buildRunConfig, type RunConfigInput } from '../../../../src-shared/config/run-config.js';
import type { MetricLine } from '../../../../src-shared/types.js';
import { CheckpointStore } from '../../../../src-main/rl/checkpoint/store.js';
import { loadPolicy } from '../../../../src-main/rl/checkpoint/policy.js';
import { ActorCritic } from '../../../../src-main/rl/algorithms/on-policy/actor-critic.js';
import { makeLearner } from '../../../../src-main/rl/algorithms/registry.js';
import { configDigest } from '../../../../src-main/rl/train/run-state.js';
import { selectBackend } from '../../../../src-main/ml/backend.js';
import { readJsonlLines } from '../../../../src-main/core/durable-write.js';
import { discreteSpace } from '../../../../src-main/sim/env.js';
import { tempDir } from '../../../helpers/tmp.js';
import { train } from '../fake-job.js';
import { SignEnv } from './sign-env.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
beforeAll(async () => {
  await selectBackend('wasm');
});
let runs = 0;
const newRunDir = () => {
  const d = join(tmp.dir, `run${runs++}`);
  mkdirSync(d);
  return d;
};

const nets = { actorHidden: [8], criticHidden: [8] };
/** Small on-policy runs: pendulum (continuous, 50-step episodes) or the sign env (discrete). */
function tiny(over: RunConfigInput): RunConfigInput {
  return {
    env: { id: 'pendulum', maxEpisodeSteps: 50 },
    totalSteps: 400,
    evalEvery: 200,
    evalEpisodes: 2,
    checkpointEvery: 200,
    logEvery: 100,
    backend: 'wasm',
    ...over,
  };
}
const sign = { makeEnv: () => new SignEnv() };

const readMetrics = (dir: string) => readJsonlLines(join(dir, 'metrics.jsonl')).lines as MetricLine[];
const numbers = (lines: MetricLine[]) => lines.map(({ updates_per_s: _u, env_steps_per_s: _e, ...rest }) => rest);
function lastCheckpoint(runDir: string) {
  const store = new CheckpointStore(join(runDir, 'checkpoints'));
  return store.read(store.resolve('last')).snapshot;
}

const CASES: Array<[string, RunConfigInput, boolean]> = [
  [
    'PPO, pendulum, 2 envs, minibatches',
    tiny({ algo: 'ppo', numEnvs: 2, ppo: { ...nets, nSteps: 32, batchSize: 16, nEpochs: 2, lrSchedule: 'linear' } }),
    false,
  ],
  ['PPO, discrete', tiny({ algo: 'ppo', numEnvs: 2, ppo: { ...nets, nSteps: 16, batchSize: 8, nEpochs: 2 } }), true],
  ['PPO, rollouts of one finished episode', tiny({ algo: 'ppo', ppo: { ...nets, episodesPerRollout: 1, batchSize: 16, nEpochs: 2 } }), false],
  ['A2C, discrete, 3 envs, RMSprop', tiny({ algo: 'a2c', numEnvs: 3, totalSteps: 402, a2c: { ...nets } }), true],
  ['A2C, pendulum, Adam', tiny({ algo: 'a2c', a2c: { ...nets, optimizer: 'adam' } }), false],
  ['REINFORCE, discrete, 2 envs', tiny({ algo: 'reinforce', numEnvs: 2, reinforce: { ...nets, episodesPerUpdate: 2 } }), true],
];

describe('on-policy training through the trainer', () => {
  it('PPO on pendulum writes train lines, evaluations, checkpoints and a best policy (the mean action)', async () => {
    const dir = newRunDir();
    const f = await train(dir, CASES[0]![1]);
    expect(f.statuses.map((s) => s.status)).toEqual(['running', 'finished']);
    const lines = f.metrics();
    expect(lines.filter((l) => l.kind === 'train').map((l) => l.step)).toEqual([100, 200, 300, 400]);
    expect(lines.filter((l) => l.kind === 'eval').map((l) => l.step)).toEqual([200, 400]);
    expect(lines.filter((l) => l.kind === 'episode')).toHaveLength(8);
    for (const l of lines) for (const v of Object.values(l)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
    const best = loadPolicy(dir, 'best');
    expect(best.spec).toMatchObject({ inputDim: 3, hidden: [8], outputDim: 1, outputActivation: 'tanh' });
    expect(JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8'))).toMatchObject({ step: 400, deterministic: true });
  });

  for (const [name, input, discrete] of CASES) {
    it(`resumes exactly mid-rollout: N steps == N/2, stop, resume, N/2 (${name})`, async () => {
      const hooks = discrete ? () => sign : undefined;
      const full = newRunDir();
      const a = await train(full, input, { ...(hooks ? { hooks } : {}) });
      expect(a.statuses.at(-1)).toMatchObject({ status: 'finished' });
      const split = newRunDir();
      const first = await train(split, input, { hooks: (f) => ({ ...(discrete ? sign : {}), onStep: (v) => v.step >= 230 && f.stop() }) });
      expect(first.statuses.at(-1)).toMatchObject({ status: 'stopped' });
      await train(split, input, { resume: true, ...(hooks ? { hooks } : {}) });
      expect(numbers(readMetrics(split))).toEqual(numbers(readMetrics(full)));
      expect(readMetrics(full).some((l) => l.kind === 'train')).toBe(true);
      const x = lastCheckpoint(full);
      const y = lastCheckpoint(split);
      expect(Object.keys(y.arrays).sort()).toEqual(Object.keys(x.arrays).sort());
      for (const k of Object.keys(x.arrays)) {
        const p = x.arrays[k]!;
        const q = y.arrays[k]!;
        expect(Buffer.from(q.buffer, q.byteOffset, q.byteLength).equals(Buffer.from(p.buffer, p.byteOffset, p.byteLength)), k).toBe(true);
      }
    });
  }

  it('PPO with episodesPerRollout updates after each finished episode, on just its steps', async () => {
    const updates: number[] = [];
    const steps: number[] = [];
    let step = 0;
    await train(newRunDir(), tiny({ algo: 'ppo', ppo: { ...nets, episodesPerRollout: 1, batchSize: 16, nEpochs: 2 } }), {
      hooks: () => ({
        onStep: (v) => (step = v.step),
        afterUpdate: (_learner, n) => {
          updates.push(n);
          steps.push(step);
        },
      }),
    });
    // 400 steps of 50-step pendulum episodes: 8 rollouts of 50 steps, each 2 epochs of ceil(50 / 16) = 4 minibatches.
    expect(updates).toEqual([8, 16, 24, 32, 40, 48, 56, 64]);
    // Each in the vector step that ended an episode (onStep reports that step just before the update).
    expect(steps).toEqual([50, 100, 150, 200, 250, 300, 350, 400]);
  });

  it('rolls back to the last good checkpoint when a weight becomes NaN', async () => {
    const dir = newRunDir();
    let injected = false;
    const f = await train(dir, tiny({ algo: 'a2c', a2c: nets }), {
      hooks: () => ({
        afterUpdate: (learner, updates) => {
          if (updates === 50 && !injected && learner instanceof ActorCritic) {
            injected = true;
            const w = learner.critic.getWeights();
            w[0]![0] = Number.NaN;
            learner.critic.setWeights(w);
          }
        },
      }),
    });
    expect(injected).toBe(true);
    expect(f.events[0]).toMatchObject({ kind: 'divergence', rolledBackTo: 200, rollbacks: 1 });
    expect(f.statuses.at(-1)).toMatchObject({ status: 'finished', step: 400 });
    for (const l of f.metrics()) for (const v of Object.values(l)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
  });
});

describe('refusals', () => {
  it('refuses bad hyperparameters with one line naming the field', () => {
    const bad: Array<[RunConfigInput, RegExp]> = [
      [{ algo: 'ppo', ppo: { lr: -1e-3 } }, /ppo\.lr/],
      [{ algo: 'ppo', ppo: { clipRange: 0 } }, /ppo\.clipRange/],
      [{ algo: 'ppo', ppo: { episodesPerRollout: 0 } }, /ppo\.episodesPerRollout/],
      [{ algo: 'a2c', a2c: { nSteps: 0 } }, /a2c\.nSteps/],
      [{ algo: 'reinforce', reinforce: { gamma: 1.5 } }, /reinforce\.gamma/],
    ];
    for (const [input, field] of bad) {
      const r = (() => {
        try {
          buildRunConfig(input);
        } catch (e) {
          return e;
        }
      })();
      expect(r).toBeInstanceOf(ZodError);
      const lines = formatIssues(r as ZodError);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(field);
    }
  });

  it("fills only the chosen algorithm's block, so configs of other algorithms (and their digests) are unchanged", () => {
    const td3 = buildRunConfig({ algo: 'td3', ppo: { lr: 1e-3 } });
    expect(Object.keys(td3).filter((k) => ['ppo', 'a2c', 'reinforce'].includes(k))).toEqual([]);
    expect(configDigest(td3)).toBe(configDigest(buildRunConfig({ algo: 'td3' })));
    const ppo = buildRunConfig({ algo: 'ppo' });
    expect(ppo.ppo).toMatchObject({ lr: 3e-4, nSteps: 2048, batchSize: 64, nEpochs: 10, gaeLambda: 0.95, clipRange: 0.2 });
    expect(Object.keys(ppo.ppo!)).not.toContain('episodesPerRollout');
    expect(ppo.a2c).toBeUndefined();
    expect(buildRunConfig({ algo: 'a2c' }).a2c).toMatchObject({ lr: 7e-4, nSteps: 5, optimizer: 'rmsprop' });
  });

  it('refuses an algorithm on an action space it does not handle', () => {
    const config = buildRunConfig({ algo: 'td3', env: { id: 'pendulum' } });
    expect(() => makeLearner({ spaces: { obsDim: 1, actDim: 1 }, actionSpace: discreteSpace(2), config, seeds: { networks: 1, learner: 2 } })).toThrow(
      'algo: td3 needs continuous actions; env "pendulum" has 2 discrete actions (use dqn, rainbow, ppo, a2c, reinforce)',
    );
  });
});

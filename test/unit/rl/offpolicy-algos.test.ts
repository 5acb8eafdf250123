/**
 * SAC and D4PG through the one off-policy loop: exact resume (N steps == N/2, stop, resume,
 * N/2, bit for bit), NaN roll-back, and export of the policy through the verified path.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRunConfig, type RunConfigInput } from '../../../src-shared/config/run-config.js';
import type { MetricLine } from '../../../src-shared/types.js';
import { CheckpointStore } from '../../../src-main/rl/checkpoint/store.js';
import { makeLearner } from '../../../src-main/rl/algorithms/registry.js';
import { selectBackend } from '../../../src-main/ml/backend.js';
import { readJsonlLines } from '../../../src-main/core/durable-write.js';
import { unprefixArrays } from '../../../src-main/core/snapshot.js';
import { exportRun } from '../../../src-main/export/run-source.js';
import { loadExportedPolicy } from '../../../src-main/export/load.js';
import { tempDir } from '../../helpers/tmp.js';
import { tinyConfig, train } from './fake-job.js';

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

const numbers = (dir: string) =>
  (readJsonlLines(join(dir, 'metrics.jsonl')).lines as MetricLine[]).map(({ updates_per_s: _u, env_steps_per_s: _e, ...rest }) => rest);

function lastCheckpoint(runDir: string) {
  const store = new CheckpointStore(join(runDir, 'checkpoints'));
  return store.read(store.resolve('last')).snapshot;
}

const tinyNets = { actorHidden: [8], criticHidden: [8], batchSize: 16, learningStarts: 60, bufferSize: 10_000 };
const CASES: Array<[string, RunConfigInput]> = [
  ['SAC, 2 envs', tinyConfig({ algo: 'sac', numEnvs: 2, sac: tinyNets })],
  ['SAC, n-step replay', tinyConfig({ algo: 'sac', sac: { ...tinyNets, replay: { type: 'uniform', nStep: 3 } } })],
  [
    'D4PG, 2 envs, 3-step returns, Gaussian noise',
    tinyConfig({ algo: 'd4pg', numEnvs: 2, d4pg: { ...tinyNets, atoms: 11, replay: { type: 'uniform', nStep: 3 } } }),
  ],
  ['D4PG, OU noise', tinyConfig({ algo: 'd4pg', d4pg: { ...tinyNets, noise: { type: 'ou' } } })],
];

describe('SAC and D4PG in the training loop', () => {
  for (const [name, input] of CASES) {
    it(`resumes exactly: N steps == N/2, stop, resume, N/2 (${name})`, async () => {
      const full = newRunDir();
      await train(full, input);
      const split = newRunDir();
      const first = await train(split, input, { hooks: (f) => ({ onStep: (v) => v.step >= 230 && f.stop() }) });
      expect(first.statuses.at(-1)).toMatchObject({ status: 'stopped' });
      const second = await train(split, input, { resume: true });
      expect(second.statuses.at(-1)).toMatchObject({ status: 'finished', step: 400 });
      expect(numbers(split)).toEqual(numbers(full));
      expect(readFileSync(join(split, 'eval.json'), 'utf8')).toBe(readFileSync(join(full, 'eval.json'), 'utf8'));
      const a = lastCheckpoint(full);
      const b = lastCheckpoint(split);
      expect(Object.keys(b.arrays).sort()).toEqual(Object.keys(a.arrays).sort());
      for (const k of Object.keys(a.arrays)) {
        const x = a.arrays[k]!;
        const y = b.arrays[k]!;
        expect(Buffer.from(y.buffer, y.byteOffset, y.byteLength).equals(Buffer.from(x.buffer, x.byteOffset, x.byteLength)), k).toBe(true);
      }
    });
  }

  it('rolls back a SAC run on a NaN and finishes healthy', async () => {
    const dir = newRunDir();
    let injected = false;
    const f = await train(dir, CASES[0]![1], {
      hooks: () => ({
        afterUpdate: (learner, updates) => {
          if (updates === 100 && !injected) {
            injected = true;
            const w = learner.actor.getWeights();
            w[0]![0] = Number.NaN;
            learner.actor.setWeights(w);
          }
        },
      }),
    });
    expect(injected).toBe(true);
    expect(f.events[0]).toMatchObject({ kind: 'divergence', rollbacks: 1 });
    expect(f.statuses.at(-1)).toMatchObject({ status: 'finished', step: 400 });
  });

  it("exports a SAC run's mean action tanh(mu(s)) through the verified export", async () => {
    const dir = newRunDir();
    const input = CASES[0]![1];
    await train(dir, input);
    const config = buildRunConfig(input);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ appVersion: 'test', config }));
    const out = join(tmp.dir, 'sac-export');
    const result = await exportRun({ runDir: dir, checkpoint: 'last', outDir: out, options: { formats: ['tfjs', 'onnx'], samples: 50 } });
    expect(result.dir).toBe(out);
    const learner = makeLearner({ spaces: { obsDim: 3, actDim: 1 }, config, seeds: { networks: 5, learner: 6 } });
    const snap = lastCheckpoint(dir);
    learner.restore({ json: (snap.json as { learner: unknown }).learner, arrays: unprefixArrays('learner', snap.arrays) });
    const obs = Float32Array.from([0.6, -0.8, 1.3]);
    const want = learner.act(obs, 1);
    for (const format of ['onnx', 'tfjs'] as const) {
      const policy = await loadExportedPolicy(out, { format });
      expect(policy.meta.algo).toBe('sac');
      const got = await policy.act(obs);
      expect(got[0]).toBeCloseTo(want[0]!, 4);
      await policy.dispose();
    }
    learner.dispose();
  });
});

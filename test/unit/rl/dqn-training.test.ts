import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRunConfig, type RunConfigInput } from '../../../src-shared/config/run-config.js';
import type { MetricLine } from '../../../src-shared/types.js';
import { CheckpointStore } from '../../../src-main/rl/checkpoint/store.js';
import { loadPolicy } from '../../../src-main/rl/checkpoint/policy.js';
import { policyFromWeights } from '../../../src-main/rl/policy/policy.js';
import { Dqn } from '../../../src-main/rl/algorithms/dqn/dqn.js';
import { selectBackend } from '../../../src-main/ml/backend.js';
import { readJsonlLines } from '../../../src-main/core/durable-write.js';
import { tempDir } from '../../helpers/tmp.js';
import { exportRun } from '../../../src-main/export/run-source.js';
import { loadExportedPolicy } from '../../../src-main/export/load.js';
import { train } from './fake-job.js';

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

/** A tiny CartPole DQN run (400 steps, 8-unit network): seconds on wasm. */
function tinyDqn(over: RunConfigInput = {}): RunConfigInput {
  return {
    env: { id: 'cartpole', maxEpisodeSteps: 50 },
    algo: 'dqn',
    totalSteps: 400,
    evalEvery: 200,
    evalEpisodes: 2,
    checkpointEvery: 200,
    logEvery: 100,
    backend: 'wasm',
    ...over,
    dqn: { hidden: [8], batchSize: 16, learningStarts: 60, bufferSize: 10_000, trainFreq: 4, gradientSteps: 2, targetUpdateInterval: 30, ...(over.dqn ?? {}) },
  };
}

const numbers = (lines: MetricLine[]) => lines.map(({ updates_per_s: _u, env_steps_per_s: _e, ...rest }) => rest);
const readMetrics = (dir: string) => readJsonlLines(join(dir, 'metrics.jsonl')).lines as MetricLine[];
function lastCheckpoint(runDir: string) {
  const store = new CheckpointStore(join(runDir, 'checkpoints'));
  return store.read(store.resolve('last')).snapshot;
}

describe('DQN in the training loop', () => {
  for (const [name, over] of [
    ['DQN, CartPole', {}],
    ['Rainbow (PER, 3-step, C51, noisy, dueling, double), CartPole, 2 envs', { algo: 'rainbow', numEnvs: 2 }],
  ] as Array<[string, RunConfigInput]>) {
    it(`resumes exactly: N steps == N/2, stop, resume, N/2 (${name})`, async () => {
      const input = tinyDqn(over);
      const full = newRunDir();
      const f = await train(full, input);
      expect(f.statuses.at(-1)).toMatchObject({ status: 'finished', step: 400 });
      const split = newRunDir();
      const first = await train(split, input, { hooks: (j) => ({ onStep: (v) => v.step >= 230 && j.stop() }) });
      expect(first.statuses.at(-1)).toMatchObject({ status: 'stopped' });
      const second = await train(split, input, { resume: true });
      expect(second.statuses.at(-1)).toMatchObject({ status: 'finished', step: 400 });
      expect(numbers(readMetrics(split))).toEqual(numbers(readMetrics(full)));
      expect(readFileSync(join(split, 'eval.json'), 'utf8')).toBe(readFileSync(join(full, 'eval.json'), 'utf8'));
      const a = lastCheckpoint(full);
      const b = lastCheckpoint(split);
      expect(Object.keys(b.arrays).sort()).toEqual(Object.keys(a.arrays).sort());
      for (const k of Object.keys(a.arrays)) {
        const x = a.arrays[k]!;
        const y = b.arrays[k]!;
        expect(Buffer.from(y.buffer, y.byteOffset, y.byteLength).equals(Buffer.from(x.buffer, x.byteOffset, x.byteLength)), k).toBe(true);
      }
      // The saved policy is the greedy index policy: it evaluates through policyFromWeights.
      const best = loadPolicy(full, 'last');
      expect(best.head?.kind).toBe(over.algo === 'rainbow' ? 'categorical-argmax' : 'q-argmax');
      const policy = policyFromWeights(best, `policy-${over.algo ?? 'dqn'}`);
      const probe = Float32Array.from({ length: 40 }, (_, i) => Math.sin(i) * 0.2);
      const acts = policy.act(probe, 10);
      expect(acts.every((a) => a === 0 || a === 1)).toBe(true);
      // Exported (TF.js and ONNX, verified at export), the greedy index comes out of the runner.
      writeFileSync(join(full, 'config.json'), JSON.stringify({ appVersion: 'test', config: buildRunConfig(input) }));
      const exp = await exportRun({ runDir: full, checkpoint: 'last', options: { samples: 50 } });
      expect(exp.metadata.action.head).toEqual(best.head);
      expect(exp.metadata.action.scaling).toHaveLength(1);
      for (const format of ['onnx', 'tfjs'] as const) {
        const loaded = await loadExportedPolicy(exp.dir, { format });
        expect(loaded.actionDim).toBe(1);
        expect(Array.from(await loaded.actBatch([probe], 10))).toEqual(Array.from(acts));
        await loaded.dispose();
      }
      policy.dispose();
    }, 60_000);
  }

  it('rolls back to the last good checkpoint on a NaN in the Q network and finishes', async () => {
    const dir = newRunDir();
    let injected = false;
    const f = await train(dir, tinyDqn(), {
      hooks: () => ({
        afterUpdate: (learner, updates) => {
          if (updates === 90 && !injected && learner instanceof Dqn) {
            injected = true;
            const w = learner.q.getWeights();
            w[0]![0] = Number.NaN;
            learner.q.setWeights(w);
          }
        },
      }),
    });
    expect(injected).toBe(true);
    expect(f.events[0]).toMatchObject({ kind: 'divergence', rolledBackTo: 200, rollbacks: 1 });
    expect(f.statuses.at(-1)).toMatchObject({ status: 'finished', step: 400 });
  }, 60_000);
});

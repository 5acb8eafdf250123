import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunConfigInput } from '../../../src-shared/config/run-config.js';
import type { MetricLine } from '../../../src-shared/types.js';
import { CheckpointStore } from '../../../src-main/rl/checkpoint/store.js';
import { loadPolicy } from '../../../src-main/rl/checkpoint/policy.js';
import { MAX_ROLLBACKS } from '../../../src-main/rl/train/trainer.js';
import { Td3 } from '../../../src-main/rl/algorithms/td3/td3.js';
import { selectBackend } from '../../../src-main/ml/backend.js';
import { readJsonlLines } from '../../../src-main/core/durable-write.js';
import { PendulumEnv } from '../../../src-main/sim/classic/pendulum.js';
import type { Env } from '../../../src-main/sim/env.js';
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

const readMetrics = (dir: string) => readJsonlLines(join(dir, 'metrics.jsonl')).lines as MetricLine[];

/** Metric lines without the wall-clock fields. */
const numbers = (lines: MetricLine[]) => lines.map(({ updates_per_s: _u, env_steps_per_s: _e, ...rest }) => rest);

function lastCheckpointArrays(runDir: string) {
  const store = new CheckpointStore(join(runDir, 'checkpoints'));
  return store.read(store.resolve('last')).snapshot;
}

describe('training loop', () => {
  it('writes the documented metric lines, evaluations, eval.json, checkpoints and a best policy', async () => {
    const dir = newRunDir();
    const f = await train(dir, tinyConfig());
    expect(f.statuses.map((s) => s.status)).toEqual(['running', 'finished']);
    const lines = f.metrics();
    const keys = (kind: string) => lines.filter((l) => l.kind === kind).map((l) => Object.keys(l).sort().join(','));
    expect(new Set(keys('episode'))).toEqual(new Set(['kind,length,return,step']));
    expect(new Set(keys('train'))).toEqual(new Set(['actor_loss,critic_loss,env_steps_per_s,kind,q_mean,step,updates_per_s']));
    expect(new Set(keys('eval'))).toEqual(new Set(['episodes,kind,mean_return,std_return,step']));
    expect(lines.filter((l) => l.kind === 'episode')).toHaveLength(8); // 400 steps / 50-step episodes
    expect(lines.filter((l) => l.kind === 'train').map((l) => l.step)).toEqual([100, 200, 300, 400]);
    expect(lines.filter((l) => l.kind === 'eval').map((l) => l.step)).toEqual([200, 400]);
    const ev = JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8'));
    expect(ev).toMatchObject({ step: 400, episodes: 2, deterministic: true, seeds: [2 ** 30, 2 ** 30 + 1] });
    expect(ev.mean_return).toBe(lines.at(-1)!.mean_return);
    const ckpts = readdirSync(join(dir, 'checkpoints'));
    expect(ckpts).toEqual(expect.arrayContaining(['ckpt-000000000200', 'ckpt-000000000400', 'latest.json', 'best.json']));
    const best = loadPolicy(dir, 'best');
    expect(best.spec).toMatchObject({ inputDim: 3, hidden: [8], outputDim: 1 });
    expect(best.meanReturn).toBe(Math.max(...lines.filter((l) => l.kind === 'eval').map((l) => l.mean_return as number)));
    expect(loadPolicy(dir, 'last').step).toBe(400);
  });

  for (const [name, over] of [
    ['TD3, 2 envs, Gaussian noise', { numEnvs: 2 }],
    ['DDPG, OU noise', { algo: 'ddpg' }],
    ['TD3, parameter noise', { td3: { noise: { type: 'param', adaptEvery: 30 } } }],
    ['TD3 + hindsight experience replay, arm-reach, 2 envs', { env: { id: 'arm-reach' }, numEnvs: 2, td3: { replay: { type: 'her' } } }],
  ] as Array<[string, RunConfigInput]>) {
    it(`resumes exactly: N steps == N/2, stop, resume, N/2 (${name})`, async () => {
      const input = tinyConfig(over);
      const full = newRunDir();
      await train(full, input);
      const split = newRunDir();
      // Stop mid-episode and off every logging/eval/checkpoint boundary.
      const first = await train(split, input, { hooks: (f) => ({ onStep: (v) => v.step >= 230 && f.stop() }) });
      expect(first.statuses.at(-1)).toMatchObject({ status: 'stopped' });
      const stoppedAt = first.statuses.at(-1)!.step;
      expect(stoppedAt % 50).not.toBe(0);
      const second = await train(split, input, { resume: true });
      expect(second.logs.map((l) => l.message)).toContain(`resumed from the checkpoint at step ${stoppedAt}`);
      expect(second.statuses.at(-1)).toMatchObject({ status: 'finished', step: 400 });
      expect(numbers(readMetrics(split))).toEqual(numbers(readMetrics(full)));
      expect(readFileSync(join(split, 'eval.json'), 'utf8')).toBe(readFileSync(join(full, 'eval.json'), 'utf8'));
      const a = lastCheckpointArrays(full);
      const b = lastCheckpointArrays(split);
      expect(Object.keys(b.arrays).sort()).toEqual(Object.keys(a.arrays).sort());
      for (const k of Object.keys(a.arrays)) {
        const x = a.arrays[k]!;
        const y = b.arrays[k]!;
        expect(Buffer.from(y.buffer, y.byteOffset, y.byteLength).equals(Buffer.from(x.buffer, x.byteOffset, x.byteLength)), k).toBe(true);
      }
      const { metricsBytes: _m, eventsBytes: _e, ...ta } = (a.json as { trainer: Record<string, unknown> }).trainer;
      const { metricsBytes: _m2, eventsBytes: _e2, ...tb } = (b.json as { trainer: Record<string, unknown> }).trainer;
      expect(tb).toEqual(ta);
    });
  }

  it('resumes from the last complete checkpoint after a crash, dropping lines written after it', async () => {
    const input = tinyConfig({ checkpointEvery: 100 });
    const dir = newRunDir();
    await train(dir, input, { hooks: (f) => ({ onStep: (v) => v.step >= 330 && f.stop() }) });
    // Simulate a crash after step 300: a torn checkpoint being written, stray metric lines.
    const ck = join(dir, 'checkpoints');
    const store = new CheckpointStore(ck);
    const latest = store.resolve('last');
    writeFileSync(join(ck, latest.dir, 'arrays.bin'), 'torn'); // the stop checkpoint (step 330) is damaged
    mkdirSync(join(ck, '.tmp-ckpt-000000000340-9-9'));
    // resume: false, as when the process died before run.json recorded any progress.
    const f = await train(dir, input, { resume: false });
    expect(f.logs.some((l) => /skipped checkpoint ckpt-000000000330/.test(l.message))).toBe(true);
    expect(f.logs.some((l) => /removed 1 incomplete checkpoint/.test(l.message))).toBe(true);
    expect(f.logs.map((l) => l.message)).toContain('resumed from the checkpoint at step 300');
    const ref = newRunDir();
    await train(ref, input);
    expect(numbers(readMetrics(dir))).toEqual(numbers(readMetrics(ref)));
  });

  it('rolls back to the last good checkpoint on a NaN, logs a divergence event, and finishes healthy', async () => {
    const dir = newRunDir();
    let injected = false;
    const f = await train(dir, tinyConfig(), {
      hooks: () => ({
        afterUpdate: (learner, updates) => {
          if (updates === 250 && !injected && learner instanceof Td3) {
            injected = true;
            const w = learner.critics[0]!.getWeights();
            w[0]![0] = Number.NaN;
            learner.critics[0]!.setWeights(w);
          }
        },
      }),
    });
    expect(injected).toBe(true);
    expect(f.events).toHaveLength(1);
    expect(f.events[0]).toMatchObject({ kind: 'divergence', rolledBackTo: 200, rollbacks: 1 });
    expect(f.events[0]!.step).toBeGreaterThan(200);
    expect(f.statuses.at(-1)).toMatchObject({ status: 'finished', step: 400 });
    const lines = f.metrics();
    for (const l of lines) for (const v of Object.values(l)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
    expect(lines.filter((l) => l.kind === 'train').map((l) => l.step)).toEqual([100, 200, 300, 400]); // the bad stretch was cut
    const last = lastCheckpointArrays(dir);
    for (const [k, a] of Object.entries(last.arrays)) if (k.startsWith('learner.') && a instanceof Float32Array) expect(a.every(Number.isFinite), k).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').at(-1)!).kind).toBe('divergence');
  });

  it('gives up with status "failed" when it keeps diverging', async () => {
    const f = await train(newRunDir(), tinyConfig({ checkpointEvery: 100, logEvery: 25 }), {
      hooks: () => ({
        afterUpdate: (learner) => {
          const w = learner.actor.getWeights();
          w[0]![0] = Number.POSITIVE_INFINITY;
          learner.actor.setWeights(w);
        },
      }),
    });
    expect(f.events.filter((e) => e.kind === 'divergence')).toHaveLength(MAX_ROLLBACKS + 1);
    expect(f.statuses.at(-1)).toMatchObject({ status: 'failed' });
    expect(f.statuses.at(-1)!.message).toMatch(/diverged/);
  });

  it('honours pause, evaluate-now and stop, and reports progress', async () => {
    const dir = newRunDir();
    let paused = false;
    const f = await train(dir, tinyConfig({ totalSteps: 2000 }), {
      hooks: (f) => ({
        onStep: (v) => {
          if (v.step === 150 && !paused) {
            paused = true;
            f.pause();
            f.requestEvaluate();
            setTimeout(() => f.resume(), 50);
          }
          if (v.step === 320) f.stop();
        },
      }),
    });
    expect(f.statuses.map((s) => s.status)).toEqual(['running', 'paused', 'running', 'stopped']);
    expect(f.statuses[1]!.step).toBe(150);
    expect(f.statuses.at(-1)!.step).toBe(320);
    expect(
      f
        .metrics()
        .filter((l) => l.kind === 'eval')
        .map((l) => l.step),
    ).toEqual([150, 200]);
    expect(existsSync(join(dir, 'checkpoints', 'ckpt-000000000320'))).toBe(true);
    expect(existsSync(join(dir, 'eval.json'))).toBe(false);
  });

  it('paces env steps to the env clock in realtime speed and runs flat out in fast speed', async () => {
    // Pendulum steps cover 0.05 s: 30 realtime steps take >= 1.5 s; the same steps in fast speed far less.
    const timeSteps = async (speed: 'realtime' | 'fast') => {
      const dir = newRunDir();
      let t0 = 0;
      let t1 = 0;
      await train(dir, tinyConfig({ totalSteps: 2000, td3: { learningStarts: 5000 } }), {
        hooks: (f) => ({
          onStep: (v) => {
            if (v.step === 10) {
              f.setSpeed(speed);
              t0 = performance.now();
            }
            if (v.step === 40) {
              t1 = performance.now();
              f.stop();
            }
          },
        }),
      });
      return (t1 - t0) / 1000;
    };
    const realtime = await timeSteps('realtime');
    const fast = await timeSteps('fast');
    expect(realtime).toBeGreaterThanOrEqual(1.45);
    expect(realtime).toBeLessThan(4);
    expect(fast).toBeLessThan(realtime / 3);
  });

  it("passes the env's episode stats into episode lines and its events to the event log", async () => {
    class EventfulPendulum extends PendulumEnv {
      private t = 0;
      override reset(seed?: number) {
        this.t = 0;
        return super.reset(seed);
      }
      override step(a: Float32Array) {
        const r = super.step(a);
        this.t++;
        if (this.t === 10) r.info = { ...r.info, events: [{ kind: 'disengagement', reason: 'test' }] };
        if (r.truncated) r.info = { ...r.info, episode: { distance: 12.5, offroad: true, note: 'ignored' } };
        return r;
      }
    }
    const makeEnv = (): Env => new EventfulPendulum({ id: 'pendulum', maxEpisodeSteps: 50 });
    const f = await train(newRunDir(), tinyConfig({ totalSteps: 100, evalEvery: 0 }), { hooks: () => ({ makeEnv }) });
    const eps = f.metrics().filter((l) => l.kind === 'episode');
    expect(eps[0]).toMatchObject({ kind: 'episode', step: 50, length: 50, distance: 12.5, offroad: 1 });
    expect(eps[0]).not.toHaveProperty('note');
    expect(f.events.map((e) => [e.kind, e.step, e.reason, e.env])).toEqual([
      ['disengagement', 10, 'test', 0],
      ['disengagement', 60, 'test', 0],
    ]);
    expect(f.metrics().find((l) => l.kind === 'eval')).toMatchObject({ mean_distance: 12.5, mean_offroad: 1 });
  });
});

import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/rng.js';
import { PendulumEnv } from '../../../src-main/sim/classic/pendulum.js';
import { boxSpace, unitActionSpace, type Env } from '../../../src-main/sim/env.js';
import { TRAIN_SEED_MASK, VecEnv } from '../../../src-main/sim/vec-env.js';

const pendulums = (n: number, steps = 5) => Array.from({ length: n }, () => new PendulumEnv({ id: 'pendulum', maxEpisodeSteps: steps }));

describe('VecEnv', () => {
  it('steps N envs, auto-resets ended episodes and hands back the final observation and episode stats', () => {
    const vec = new VecEnv(pendulums(2), 1);
    vec.reset();
    const actions = Float32Array.of(0.5, -0.5);
    let sum = [0, 0];
    for (let t = 0; t < 4; t++) {
      const r = vec.step(actions);
      sum = sum.map((s, i) => s + r.rewards[i]!);
      expect(Array.from(r.truncated)).toEqual([0, 0]);
    }
    // A reference pendulum with the same seed and actions.
    const ref = new PendulumEnv({ id: 'pendulum', maxEpisodeSteps: 5 });
    ref.reset(vec.episodeSeed(1));
    for (let t = 0; t < 4; t++) ref.step(Float32Array.of(-0.5));
    const last = ref.step(Float32Array.of(-0.5));
    const r = vec.step(actions);
    expect(Array.from(r.truncated)).toEqual([1, 1]);
    expect(Array.from(r.finalObs.subarray(3, 6))).toEqual(Array.from(last.obs));
    expect(r.episodeReturns[1]).toBeCloseTo(sum[1]! + r.rewards[1]!, 10);
    expect(r.episodeLengths[1]).toBe(5);
    expect(Array.from(vec.obs.subarray(3, 6))).not.toEqual(Array.from(last.obs)); // already the next episode
    expect(vec.episodeReturn(1)).toBe(0);
  });

  it('seeds every episode from per-env streams: distinct, reproducible, in the training range', () => {
    const a = new VecEnv(pendulums(3), 42);
    const b = new VecEnv(pendulums(3), 42);
    a.reset();
    b.reset();
    const seeds = [0, 1, 2].map((i) => a.episodeSeed(i));
    expect(new Set(seeds).size).toBe(3);
    expect(seeds).toEqual([0, 1, 2].map((i) => b.episodeSeed(i)));
    for (const s of seeds) expect(s).toBeLessThanOrEqual(TRAIN_SEED_MASK);
    expect(Array.from(a.obs)).toEqual(Array.from(b.obs));
  });

  it('restores episodes in progress exactly by replaying their actions', () => {
    const rng = new Rng(5);
    const act = () => Float32Array.from({ length: 2 }, () => rng.uniform(-1, 1));
    const a = new VecEnv(pendulums(2, 7), 3);
    a.reset();
    for (let t = 0; t < 10; t++) a.step(act());
    const b = new VecEnv(pendulums(2, 7), 777);
    expect(b.restore(structuredClone(a.snapshot()))).toEqual([]);
    expect(Array.from(b.obs)).toEqual(Array.from(a.obs));
    for (let t = 0; t < 20; t++) {
      const x = act();
      const ra = a.step(x);
      const rb = b.step(x);
      expect(Array.from(rb.rewards)).toEqual(Array.from(ra.rewards));
      expect(Array.from(rb.truncated)).toEqual(Array.from(ra.truncated));
      expect(Array.from(b.obs)).toEqual(Array.from(a.obs));
    }
  });

  it('reports envs that do not replay to the saved state and starts them afresh', () => {
    let calls = 0;
    const flaky = (): Env => ({
      id: 'flaky',
      observationSpace: boxSpace([-1], [1]),
      actionSpace: unitActionSpace(1),
      reset: () => ({ obs: Float32Array.of(calls++ * 1e-3), info: {} }),
      step: () => ({ obs: Float32Array.of(Math.sin(calls++)), reward: 0, terminated: false, truncated: false, info: {} }),
    });
    const a = new VecEnv([flaky()], 1);
    a.reset();
    a.step(Float32Array.of(0));
    const b = new VecEnv([flaky()], 1);
    expect(b.restore(a.snapshot())).toEqual([0]);
  });
});

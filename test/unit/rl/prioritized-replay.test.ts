import { describe, expect, it } from 'vitest';
import { PrioritizedReplayBuffer } from '../../../src-main/rl/replay/prioritized.js';
import { SumTree } from '../../../src-main/rl/replay/sum-tree.js';
import { makeReplay } from '../../../src-main/rl/replay/index.js';
import { ReplayConfig } from '../../../src-shared/config/replay.js';
import { makeEnv } from '../../../src-main/sim/registry.js';
import { EnvConfig } from '../../../src-shared/config/envs/index.js';

describe('SumTree', () => {
  it('keeps sums and minima and finds prefix sums (hand case)', () => {
    const t = new SumTree(5); // 8 leaves
    expect(t.size).toBe(8);
    [3, 0, 1, 4, 2].forEach((v, i) => t.set(i, v));
    expect(t.total).toBe(10);
    expect(t.min).toBe(1); // zero leaves do not count
    // Cumulative: [0,3) -> 0, (leaf 1 is 0), [3,4) -> 2, [4,8) -> 3, [8,10) -> 4.
    expect([0, 2.99, 3, 3.5, 4, 7.99, 8, 9.99].map((m) => t.find(m))).toEqual([0, 0, 2, 2, 3, 3, 4, 4]);
    expect(t.find(10)).toBe(4); // the end lands on the last positive leaf, never an empty one
    t.set(3, 0);
    expect(t.total).toBe(6);
    expect(t.find(4.5)).toBe(4);
    const copy = new SumTree(5);
    copy.setLeaves(t.leaves());
    expect(copy.total).toBe(6);
    expect(copy.min).toBe(1);
    expect(() => t.set(5, 1)).toThrow(/out of range/);
    expect(() => t.set(0, -1)).toThrow(/>= 0/);
  });
});

/** A buffer holding `n` one-step episodes with obs [i] (each an episode: final obs slots hold priority 0). */
function filled(n: number, alpha: number, nStep = 1): PrioritizedReplayBuffer {
  const buf = new PrioritizedReplayBuffer({
    capacity: 64,
    obsDim: 1,
    actDim: 1,
    numEnvs: 1,
    seed: 3,
    alpha,
    beta0: 0.4,
    eps: 1e-6,
    annealSteps: 100,
    nStep,
    gamma: 0.5,
  });
  for (let i = 0; i < n; i++) buf.add(0, Float32Array.of(i), Float32Array.of(0), i, Float32Array.of(i + 0.5), true, false);
  return buf;
}

describe('PrioritizedReplayBuffer', () => {
  it('samples in proportion to p^alpha', () => {
    const alpha = 0.6;
    const buf = filled(4, alpha);
    const first = buf.sample(4);
    const slotOf = new Map<number, number>();
    for (let i = 0; i < 4; i++) slotOf.set(first.obs[i]!, first.indices![i]!);
    // Priorities 1, 2, 4, 8 for transitions 0..3 (minus eps, which updatePriorities adds back).
    const pr = [1, 2, 4, 8];
    buf.updatePriorities(Int32Array.from([0, 1, 2, 3].map((i) => slotOf.get(i)!)), Float32Array.from(pr.map((p) => p - 1e-6)));
    const counts = [0, 0, 0, 0];
    const draws = 4000;
    for (let k = 0; k < draws / 40; k++) {
      const b = buf.sample(40);
      for (let i = 0; i < 40; i++) counts[b.obs[i]!]!++;
    }
    const z = pr.reduce((a, p) => a + p ** alpha, 0);
    pr.forEach((p, i) => expect(counts[i]! / draws).toBeCloseTo(p ** alpha / z, 1));
  });

  it('weighs by (N P(i))^-beta / max w and anneals beta with the transitions added', () => {
    const buf = filled(4, 1);
    expect(buf.beta).toBeCloseTo(0.4 + 0.6 * (4 / 100), 12);
    const b0 = buf.sample(8);
    // Every new transition has priority 1: P = 1/4, all weights 1.
    for (let i = 0; i < 8; i++) expect(b0.weights![i]).toBe(1);
    const slot = new Map<number, number>();
    for (let i = 0; i < 8; i++) slot.set(b0.obs[i]!, b0.indices![i]!);
    buf.updatePriorities(Int32Array.of(slot.get(0)!, slot.get(1)!), Float32Array.of(3, 1));
    const p = [3 + 1e-6, 1 + 1e-6, 1, 1];
    const total = p.reduce((a, x) => a + x, 0);
    const beta = buf.beta;
    const w = p.map((x) => Math.pow((4 * x) / total, -beta));
    const maxW = Math.max(...w);
    const b = buf.sample(16);
    for (let i = 0; i < 16; i++) expect(b.weights![i]).toBeCloseTo(w[b.obs[i]!]! / maxW, 6);
    expect(Array.from(b.weights!).some((x) => x < 0.9)).toBe(true); // transition 0 is down-weighted
  });

  it('keeps n-step returns of the uniform buffer', () => {
    const buf = new PrioritizedReplayBuffer({
      capacity: 32,
      obsDim: 1,
      actDim: 1,
      numEnvs: 1,
      seed: 1,
      alpha: 0.6,
      beta0: 0.4,
      eps: 1e-6,
      annealSteps: 10,
      nStep: 3,
      gamma: 0.5,
    });
    for (let t = 0; t < 5; t++) buf.add(0, Float32Array.of(t), Float32Array.of(0), 1, Float32Array.of(t + 1), t === 4, false);
    const b = buf.sample(16);
    for (let i = 0; i < 16; i++) {
      const t = b.obs[i]!;
      const k = Math.min(3, 5 - t);
      expect(b.steps![i]).toBe(k);
      expect(b.rewards[i]).toBeCloseTo((1 - 0.5 ** k) / 0.5, 6);
      expect(b.nextObs[i]).toBe(t + k);
    }
  });

  it('restores from a snapshot and then samples exactly as the original', () => {
    const a = filled(10, 0.6);
    const b0 = a.sample(5);
    a.updatePriorities(Int32Array.from(b0.indices!), Float32Array.of(0.1, 5, 2, 0.3, 9));
    const b = filled(1, 0.6);
    b.restore(a.snapshot());
    const sa = a.sample(6);
    const ia = Array.from(sa.indices!);
    const wa = Array.from(sa.weights!);
    const sb = b.sample(6);
    expect(Array.from(sb.indices!)).toEqual(ia);
    expect(Array.from(sb.weights!)).toEqual(wa);
    expect(b.beta).toBe(a.beta);
  });

  it('is what makeReplay builds for type "prioritized"', () => {
    const config = ReplayConfig.parse({ type: 'prioritized' });
    expect(config).toEqual({ type: 'prioritized', alpha: 0.6, beta0: 0.4, eps: 1e-6, nStep: 1 });
    const env = makeEnv(EnvConfig.parse({ id: 'cartpole' }));
    const r = makeReplay(config, { capacity: 10, obsDim: 4, actDim: 1, numEnvs: 1, seed: 0, env, gamma: 0.99, totalSteps: 100 });
    expect(r).toBeInstanceOf(PrioritizedReplayBuffer);
    expect((r as PrioritizedReplayBuffer).annealSteps).toBe(100);
  });
});

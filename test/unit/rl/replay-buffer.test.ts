import { describe, expect, it } from 'vitest';
import { ReplayBuffer } from '../../../src-main/rl/replay/replay-buffer.js';
import { Rng } from '../../../src-main/core/rng.js';

/**
 * A synthetic stream where every observation names itself: obs = [env, episode, t]. The next
 * observation of any transition is therefore [env, episode, t + 1], and the reward encodes the
 * transition, so every sampled field can be checked.
 */
function feed(buf: ReplayBuffer, numEnvs: number, vecSteps: number, seed = 1): void {
  const rng = new Rng(seed);
  const ep = new Array(numEnvs).fill(0);
  const t = new Array(numEnvs).fill(0);
  const len = Array.from({ length: numEnvs }, () => 1 + rng.int(6));
  for (let s = 0; s < vecSteps; s++) {
    for (let e = 0; e < numEnvs; e++) {
      const obs = Float32Array.of(e, ep[e], t[e]);
      const next = Float32Array.of(e, ep[e], t[e] + 1);
      const done = t[e]! + 1 >= len[e]!;
      const terminated = done && ep[e] % 2 === 0;
      const truncated = done && !terminated;
      buf.add(e, obs, Float32Array.of(t[e] / 100, -e), 1000 * e + 10 * ep[e] + t[e], next, terminated, truncated);
      if (done) {
        ep[e]++;
        t[e] = 0;
        len[e] = 1 + rng.int(6);
      } else t[e]++;
    }
  }
}

function checkBatch(buf: ReplayBuffer, n: number): void {
  const b = buf.sample(n);
  for (let i = 0; i < n; i++) {
    const [e, k, t] = [b.obs[3 * i]!, b.obs[3 * i + 1]!, b.obs[3 * i + 2]!];
    expect([b.nextObs[3 * i], b.nextObs[3 * i + 1], b.nextObs[3 * i + 2]]).toEqual([e, k, t + 1]);
    expect(b.rewards[i]).toBe(1000 * e + 10 * k + t);
    expect(b.actions[2 * i]).toBeCloseTo(t / 100, 6);
    expect(b.actions[2 * i + 1]).toBe(-e);
    expect(b.terminated[i]! + b.truncated[i]!).toBeLessThanOrEqual(1);
    if (b.terminated[i]) expect(k % 2).toBe(0);
    if (b.truncated[i]) expect(k % 2).toBe(1);
  }
}

describe('replay buffer', () => {
  it('stores each observation once: one extra slot per episode end only', () => {
    const buf = new ReplayBuffer({ capacity: 100, obsDim: 3, actDim: 2, numEnvs: 1, seed: 0 });
    const a = new Float32Array(2);
    for (let t = 0; t < 5; t++) buf.add(0, Float32Array.of(0, 0, t), a, t, Float32Array.of(0, 0, t + 1), false, t === 4);
    expect(buf.size).toBe(5);
    expect(buf.slotsUsed).toBe(6); // 5 observations + the final one; a naive buffer stores 10
  });

  it('returns the right next observation, reward, action and end flags across envs and episode ends', () => {
    const buf = new ReplayBuffer({ capacity: 10_000, obsDim: 3, actDim: 2, numEnvs: 3, seed: 7 });
    feed(buf, 3, 500);
    expect(buf.size).toBe(1500);
    checkBatch(buf, 2000);
  });

  it('can sample the newest transition at once (its next obs waits in staging)', () => {
    const buf = new ReplayBuffer({ capacity: 10, obsDim: 3, actDim: 2, numEnvs: 1, seed: 0 });
    buf.add(0, Float32Array.of(0, 0, 0), Float32Array.of(0, 0), 0, Float32Array.of(0, 0, 1), false, false);
    const b = buf.sample(4);
    expect(Array.from(b.nextObs.subarray(0, 3))).toEqual([0, 0, 1]);
  });

  it('stays consistent when the ring wraps around many times', () => {
    const buf = new ReplayBuffer({ capacity: 16, obsDim: 3, actDim: 2, numEnvs: 2, seed: 3 });
    for (let i = 0; i < 20; i++) {
      feed(buf, 2, 37, i);
      expect(buf.size).toBeLessThanOrEqual(buf.slots);
      checkBatch(buf, 256);
    }
  });

  it('keeps the staged next observation when a caller breaks the chain', () => {
    const buf = new ReplayBuffer({ capacity: 10, obsDim: 1, actDim: 1, numEnvs: 1, seed: 0 });
    buf.add(0, Float32Array.of(1), Float32Array.of(0), 0, Float32Array.of(2), false, false);
    buf.add(0, Float32Array.of(5), Float32Array.of(0), 1, Float32Array.of(6), false, false); // not 2
    for (let i = 0; i < 50; i++) {
      const b = buf.sample(1);
      expect(b.nextObs[0]).toBe(b.obs[0] === 1 ? 2 : 6);
    }
  });

  it('samples reproducibly from its seed, and a snapshot continues exactly', () => {
    const mk = () => new ReplayBuffer({ capacity: 64, obsDim: 3, actDim: 2, numEnvs: 2, seed: 11 });
    const a = mk();
    const b = mk();
    feed(a, 2, 50);
    feed(b, 2, 50);
    expect(Array.from(a.sample(32).obs)).toEqual(Array.from(b.sample(32).obs));
    const c = mk();
    c.restore(structuredClone(a.snapshot()));
    feed(a, 2, 20, 99);
    feed(c, 2, 20, 99);
    const sa = a.sample(64);
    const sc = c.sample(64);
    expect(Array.from(sc.obs)).toEqual(Array.from(sa.obs));
    expect(Array.from(sc.nextObs)).toEqual(Array.from(sa.nextObs));
    expect(Array.from(sc.rewards)).toEqual(Array.from(sa.rewards));
  });
});

describe('replay buffer: n-step returns', () => {
  const lenOf = (e: number, ep: number) => 1 + ((7 * e + 3 * ep) % 6);
  /** obs = [env, episode, t], reward 1 + t; even episodes end terminated, odd ones truncated; every env ends on an episode end. */
  function feedEpisodes(buf: ReplayBuffer, numEnvs: number, vecSteps: number): void {
    const ep = new Array(numEnvs).fill(0);
    const t = new Array(numEnvs).fill(0);
    const a = new Float32Array(1);
    for (let s = 0; ; s++) {
      let active = 0;
      for (let e = 0; e < numEnvs; e++) {
        if (s >= vecSteps && t[e] === 0) continue; // past the budget: finish open episodes only
        active++;
        const done = t[e] + 1 >= lenOf(e, ep[e]);
        const terminated = done && ep[e] % 2 === 0;
        buf.add(e, Float32Array.of(e, ep[e], t[e]), a, 1 + t[e], Float32Array.of(e, ep[e], t[e] + 1), terminated, done && !terminated);
        if (done) {
          ep[e]++;
          t[e] = 0;
        } else t[e]++;
      }
      if (s >= vecSteps && active === 0) return;
    }
  }

  it("sums up to n discounted rewards of the same env's episode and bootstraps after them", () => {
    const n = 3;
    const gamma = 0.5;
    const buf = new ReplayBuffer({ capacity: 1000, obsDim: 3, actDim: 1, numEnvs: 3, seed: 4, nStep: n, gamma });
    feedEpisodes(buf, 3, 120);
    const b = buf.sample(400);
    const seenK = new Set<number>();
    for (let i = 0; i < b.size; i++) {
      const [e, ep, t] = [b.obs[3 * i]!, b.obs[3 * i + 1]!, b.obs[3 * i + 2]!];
      const len = lenOf(e, ep);
      const k = Math.min(n, len - t);
      let r = 0;
      for (let j = 0; j < k; j++) r += gamma ** j * (1 + t + j);
      seenK.add(k);
      expect(b.steps![i]).toBe(k);
      expect(b.rewards[i]).toBeCloseTo(r, 5);
      expect([b.nextObs[3 * i], b.nextObs[3 * i + 1], b.nextObs[3 * i + 2]]).toEqual([e, ep, t + k]);
      const ended = t + k === len;
      expect(b.terminated[i]).toBe(ended && ep % 2 === 0 ? 1 : 0);
      expect(b.truncated[i]).toBe(ended && ep % 2 === 1 ? 1 : 0);
    }
    expect([...seenK].sort()).toEqual([1, 2, 3]);
  });

  it('stops at a transition whose next one has not arrived yet (next obs from staging)', () => {
    const buf = new ReplayBuffer({ capacity: 100, obsDim: 3, actDim: 1, numEnvs: 1, seed: 0, nStep: 5, gamma: 1 });
    const a = new Float32Array(1);
    for (let t = 0; t < 2; t++) buf.add(0, Float32Array.of(0, 0, t), a, 1, Float32Array.of(0, 0, t + 1), false, false);
    const b = buf.sample(50);
    for (let i = 0; i < b.size; i++) {
      const t = b.obs[3 * i + 2]!;
      expect(b.steps![i]).toBe(2 - t);
      expect(b.rewards[i]).toBe(2 - t);
      expect(b.nextObs[3 * i + 2]).toBe(2);
    }
  });

  it('nStep 1 gives no steps array (one-step targets); nStep > 1 needs gamma', () => {
    expect(new ReplayBuffer({ capacity: 10, obsDim: 3, actDim: 1, numEnvs: 1, seed: 0 }).nStep).toBe(1);
    expect(() => new ReplayBuffer({ capacity: 10, obsDim: 3, actDim: 1, numEnvs: 1, seed: 0, nStep: 3 })).toThrow(/gamma/);
  });
});

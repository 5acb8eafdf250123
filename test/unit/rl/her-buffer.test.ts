import { describe, expect, it } from 'vitest';
import { EnvConfig } from '../../../src-shared/config/envs';
import { HerReplayBuffer, makeReplay, ReplayBuffer } from '../../../src-main/rl/replay';
import type { HerStrategy } from '../../../src-main/rl/replay/her-buffer.js';
import { Rng } from '../../../src-main/core/rng.js';
import { makeEnv } from '../../../src-main/sim/registry.js';

/**
 * A synthetic goal-conditioned stream. Observation = [env, episode, t, achieved, desired] with
 * a 1-number goal: the achieved goal of step t names its own place, ach(e, k, t) =
 * 10000 e + 100 k + t, and the desired goal of the real episode is -1. Stored rewards are 7 (a
 * value no relabelled reward takes), so real and relabelled rows can be told apart.
 */
const OD = 5;
const GOAL = { size: 1, achievedOffset: 3, desiredOffset: 4 };
const ach = (e: number, k: number, t: number) => 10000 * e + 100 * k + t;
const decode = (g: number) => ({ e: Math.floor(g / 10000), k: Math.floor((g % 10000) / 100), t: g % 100 });
/** The reward the "env" computes: minus the goal distance (so it names both goals). */
const computeReward = (a: Float32Array, d: Float32Array) => -Math.abs(a[0]! - d[0]!);

interface Fed {
  /** Per env: lengths of its episodes, in order (the last may be unfinished). */
  lengths: number[][];
  /** Per env: episodes finished. */
  finished: number[];
}

function feed(
  buf: { add: HerReplayBuffer['add'] },
  numEnvs: number,
  vecSteps: number,
  seed = 1,
  state?: { ep: number[]; t: number[]; len: number[]; rng: Rng; fed: Fed },
) {
  const s = state ?? {
    ep: new Array(numEnvs).fill(0),
    t: new Array(numEnvs).fill(0),
    rng: new Rng(seed),
    len: [] as number[],
    fed: { lengths: Array.from({ length: numEnvs }, () => [] as number[]), finished: new Array(numEnvs).fill(0) },
  };
  if (!state) for (let e = 0; e < numEnvs; e++) s.len.push(2 + s.rng.int(7));
  const act = new Float32Array(2);
  for (let step = 0; step < vecSteps; step++) {
    for (let e = 0; e < numEnvs; e++) {
      const { ep, t, len } = { ep: s.ep[e]!, t: s.t[e]!, len: s.len[e]! };
      const obs = Float32Array.of(e, ep, t, ach(e, ep, t), -1);
      const next = Float32Array.of(e, ep, t + 1, ach(e, ep, t + 1), -1);
      const done = t + 1 >= len;
      const terminated = done && ep % 3 === 0;
      const truncated = done && !terminated;
      act[0] = t;
      act[1] = e;
      buf.add(e, obs, act, 7, next, terminated, truncated);
      if (done) {
        s.fed.lengths[e]!.push(len);
        s.fed.finished[e]!++;
        s.ep[e]!++;
        s.t[e] = 0;
        s.len[e] = 2 + s.rng.int(7);
      } else s.t[e]!++;
    }
  }
  return s;
}

const her = (over: Partial<ConstructorParameters<typeof HerReplayBuffer>[0]> = {}) =>
  new HerReplayBuffer({
    capacity: 10_000,
    obsDim: OD,
    actDim: 2,
    numEnvs: 3,
    seed: 5,
    goal: GOAL,
    computeReward,
    nSampledGoal: 4,
    strategy: 'future',
    ...over,
  });

/** Checks every row of a batch; returns the relabelled goals' offsets t'' - t (for coverage). */
function checkBatch(
  buf: HerReplayBuffer,
  n: number,
  lengthOf: (e: number, k: number) => number,
  strategy: HerStrategy,
  finished: (e: number, k: number) => boolean,
) {
  const b = buf.sample(n);
  const nVirtual = buf.virtualCount(n);
  const offsets: number[] = [];
  for (let i = 0; i < n; i++) {
    const [e, k, t] = [b.obs[OD * i]!, b.obs[OD * i + 1]!, b.obs[OD * i + 2]!];
    expect(finished(e, k), `episode ${e}/${k} is unfinished or overwritten`).toBe(true);
    const T = lengthOf(e, k);
    expect(Array.from(b.nextObs.subarray(OD * i, OD * i + 4))).toEqual([e, k, t + 1, ach(e, k, t + 1)]);
    expect(b.obs[OD * i + 3]).toBe(ach(e, k, t));
    expect([b.actions[2 * i], b.actions[2 * i + 1]]).toEqual([t, e]);
    const done = t + 1 === T;
    expect(b.terminated[i]).toBe(done && k % 3 === 0 ? 1 : 0);
    expect(b.truncated[i]).toBe(done && k % 3 !== 0 ? 1 : 0);
    const goal = b.obs[OD * i + 4]!;
    expect(b.nextObs[OD * i + 4]).toBe(goal);
    if (i >= nVirtual) {
      expect(goal).toBe(-1);
      expect(b.rewards[i]).toBe(7);
      continue;
    }
    // Relabelled: an achieved goal (of a next observation) of the same episode.
    const g = decode(goal);
    expect([g.e, g.k]).toEqual([e, k]);
    if (strategy === 'future') expect(g.t).toBeGreaterThanOrEqual(t + 1);
    if (strategy === 'final') expect(g.t).toBe(T);
    expect(g.t).toBeGreaterThanOrEqual(1);
    expect(g.t).toBeLessThanOrEqual(T);
    expect(b.rewards[i]).toBe(Math.fround(-Math.abs(ach(e, k, t + 1) - goal)));
    offsets.push(g.t - (t + 1));
  }
  return offsets;
}

describe('hindsight experience replay buffer', () => {
  it('relabels k/(k+1) of a batch with future achieved goals of the same episode, rewards from computeReward', () => {
    const buf = her();
    const s = feed(buf, 3, 400);
    const lengthOf = (e: number, k: number) => s.fed.lengths[e]![k]!;
    const finished = (e: number, k: number) => k < s.fed.finished[e]!;
    expect(buf.virtualCount(256)).toBe(204); // SB3: int(0.8 * 256)
    expect(buf.size).toBe(s.fed.lengths.reduce((a, ls) => a + ls.reduce((x, y) => x + y, 0), 0));
    const offsets: number[] = [];
    for (let r = 0; r < 8; r++) offsets.push(...checkBatch(buf, 256, lengthOf, 'future', finished));
    // The future goal is the transition's own next achieved goal (offset 0) or a later one.
    expect(offsets.filter((o) => o === 0).length).toBeGreaterThan(100);
    expect(Math.max(...offsets)).toBe(7); // episodes are up to 8 steps long
    // Every real transition of the finished episodes gets sampled (uniform over them).
    expect(buf.stored).toBe(1200);
  });

  it('supports the "final" and "episode" strategies and other k', () => {
    for (const [strategy, k] of [
      ['final', 4],
      ['episode', 2],
      ['future', 1],
    ] as Array<[HerStrategy, number]>) {
      const buf = her({ strategy, nSampledGoal: k });
      const s = feed(buf, 3, 200, 3);
      expect(buf.virtualCount(100)).toBe(Math.floor((100 * k) / (k + 1)));
      const offsets = checkBatch(
        buf,
        300,
        (e, i) => s.fed.lengths[e]![i]!,
        strategy,
        (e, i) => i < s.fed.finished[e]!,
      );
      if (strategy === 'episode') expect(offsets.some((o) => o < 0)).toBe(true); // earlier goals too
    }
  });

  it('never samples an unfinished episode, and drops an old episode whole once the ring overwrites it', () => {
    // 20 rows per env: the ring wraps many times.
    const buf = her({ capacity: 60 });
    const s = feed(buf, 3, 1, 9);
    expect(buf.size).toBe(0);
    expect(() => buf.sample(8)).toThrow(/none has finished yet.*learningStarts/);
    feed(buf, 3, 333, 9, s);
    // Expected: per env, the finished episodes wholly inside its last 20 transitions.
    let expected = 0;
    for (let e = 0; e < 3; e++) {
      const lens = s.fed.lengths[e]!;
      const inProgress = s.t[e]!;
      let room = 20 - inProgress;
      for (let i = lens.length - 1; i >= 0 && lens[i]! <= room; i--) {
        expected += lens[i]!;
        room -= lens[i]!;
      }
    }
    expect(buf.size).toBe(expected);
    const intact = (e: number, k: number) => {
      // Episode k of env e is sampleable only if it and every later one fit in the last 20 rows.
      const lens = s.fed.lengths[e]!;
      if (k >= lens.length) return false;
      let used = s.t[e]!;
      for (let i = lens.length - 1; i >= k; i--) used += lens[i]!;
      return used <= 20;
    };
    for (let r = 0; r < 10; r++) checkBatch(buf, 128, (e, k) => s.fed.lengths[e]![k]!, 'future', intact);
  });

  it('refuses an episode longer than its ring', () => {
    const buf = her({ capacity: 8, numEnvs: 1 });
    const z = new Float32Array(OD);
    expect(() => {
      for (let t = 0; t < 9; t++) buf.add(0, z, new Float32Array(2), 0, z, false, false);
    }).toThrow(/does not fit.*bufferSize/);
  });

  it('round-trips through a snapshot: the restored buffer samples and grows exactly like the original', () => {
    const a = her({ capacity: 300 });
    const s = feed(a, 3, 150);
    a.sample(64);
    const snap = a.snapshot();
    const b = her({ capacity: 300, seed: 999 });
    b.restore(structuredClone(snap));
    const stateB = { ep: [...s.ep], t: [...s.t], len: [...s.len], fed: structuredClone(s.fed), rng: new Rng(0) };
    stateB.rng.setState(s.rng.getState());
    expect(b.size).toBe(a.size);
    for (let r = 0; r < 5; r++) {
      feed(a, 3, 37, 0, s);
      feed(b, 3, 37, 0, stateB);
      const x = a.sample(200);
      const y = b.sample(200);
      for (const key of ['obs', 'nextObs', 'actions', 'rewards', 'terminated', 'truncated'] as const) expect(Array.from(y[key])).toEqual(Array.from(x[key]));
    }
    expect(() => new ReplayBuffer({ capacity: 300, obsDim: OD, actDim: 2, numEnvs: 3, seed: 0 }).restore(snap)).toThrow(/hindsight/);
    const uniform = new ReplayBuffer({ capacity: 300, obsDim: OD, actDim: 2, numEnvs: 3, seed: 0 });
    expect(() => b.restore(uniform.snapshot())).toThrow(/uniform replay/);
  });

  it("is built from the run config for goal envs, with the arm env's own goal layout and reward", () => {
    // Velocity control: zero actions hold the pose.
    const env = makeEnv(EnvConfig.parse({ id: 'arm-reach', reward: 'sparse', control: 'velocity' }));
    const buf = makeReplay({ type: 'her', nSampledGoal: 4, strategy: 'future' }, { capacity: 1000, obsDim: 19, actDim: 5, numEnvs: 1, seed: 0, env });
    expect(buf).toBeInstanceOf(HerReplayBuffer);
    // One real episode of the arm with zero actions: relabelled rewards are the sparse ones.
    let { obs } = env.reset(0);
    const prev = new Float32Array(19);
    for (;;) {
      prev.set(obs);
      const r = env.step(new Float32Array(5));
      buf.add(0, prev, new Float32Array(5), r.reward, r.obs, r.terminated, r.truncated);
      obs = r.obs;
      if (r.truncated) break;
    }
    const batch = buf.sample(50);
    for (let i = 0; i < 40; i++) {
      const o = batch.nextObs.subarray(19 * i, 19 * i + 19);
      const d = Math.hypot(o[10]! - o[16]!, o[11]! - o[17]!, o[12]! - o[18]!);
      expect(batch.rewards[i]).toBe(d < 0.05 ? 0 : -1);
    }
    // The arm holds still: a relabelled goal is (nearly) always reached.
    expect(Array.from(batch.rewards.subarray(0, 40)).filter((r) => r === 0).length).toBeGreaterThan(30);
    expect(() =>
      makeReplay(
        { type: 'her', nSampledGoal: 4, strategy: 'future' },
        { capacity: 10, obsDim: 3, actDim: 1, numEnvs: 1, seed: 0, env: makeEnv(EnvConfig.parse({ id: 'pendulum' })) },
      ),
    ).toThrow(/goal-conditioned env.*"pendulum"/);
  });
});

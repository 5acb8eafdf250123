import { describe, expect, it } from 'vitest';
import { EnvConfig } from '../../../../src-shared/config/envs';
import { makeEnv } from '../../../../src-main/sim/registry.js';

const act = (a: number) => Float32Array.of(a);

/** One explicit-Euler step of Gymnasium's cartpole.py, written out from its formulas. */
function gymStep(s: number[], action: number): number[] {
  const [x, xDot, th, thDot] = s as [number, number, number, number];
  const force = action === 1 ? 10 : -10;
  const temp = (force + 0.05 * thDot * thDot * Math.sin(th)) / 1.1;
  const thAcc = (9.8 * Math.sin(th) - Math.cos(th) * temp) / (0.5 * (4 / 3 - (0.1 * Math.cos(th) ** 2) / 1.1));
  const xAcc = temp - (0.05 * thAcc * Math.cos(th)) / 1.1;
  return [x + 0.02 * xDot, xDot + 0.02 * xAcc, th + 0.02 * thDot, thDot + 0.02 * thAcc];
}

describe('cartpole (CartPole-v1)', () => {
  const env = makeEnv(EnvConfig.parse({ id: 'cartpole' }));

  it('has Discrete(2) actions and Gymnasium observation bounds', () => {
    expect(env.actionSpace).toEqual({ kind: 'discrete', n: 2, shape: [1] });
    expect(env.observationSpace.high[0]).toBeCloseTo(4.8, 6);
    expect(env.observationSpace.high[2]).toBeCloseTo((24 * Math.PI) / 180, 6);
    expect(env.observationSpace.high[1]).toBe(Math.fround(3.4028234663852886e38));
  });

  it('starts uniformly in (-0.05, 0.05) per element, deterministically per seed', () => {
    for (let seed = 0; seed < 20; seed++) {
      const { obs } = env.reset(seed);
      for (const v of obs) expect(Math.abs(v)).toBeLessThanOrEqual(0.05);
    }
    const a = env.reset(7).obs.slice();
    expect(env.reset(7).obs.slice()).toEqual(a);
    expect(env.reset(8).obs.slice()).not.toEqual(a);
    const { obs } = env.reset(1, { low: 0.5, high: 0.6 });
    for (const v of obs) expect(v).toBeGreaterThanOrEqual(Math.fround(0.5));
  });

  it('steps by the Gymnasium equations from a fixed state', () => {
    // From [0, 0, 0, 0] pushing right, by hand: temp = 10/1.1, thetaacc = -temp / (0.5 * (4/3 - 0.1/1.1)),
    // xacc = temp - 0.05 * thetaacc / 1.1; only the velocities move in the first Euler step.
    env.reset(0, { state: [0, 0, 0, 0] });
    const r = env.step(act(1));
    const temp = 10 / 1.1;
    const thAcc = -temp / (0.5 * (4 / 3 - 0.1 / 1.1));
    const xAcc = temp - (0.05 * thAcc) / 1.1;
    expect(Array.from(r.obs)).toEqual(Array.from(Float32Array.of(0, 0.02 * xAcc, 0, 0.02 * thAcc)));
    expect(r.obs[1]).toBeCloseTo(0.195122, 5);
    expect(r.obs[3]).toBeCloseTo(-0.292683, 5);
    expect(r.reward).toBe(1);
    // Ten more steps alternating actions from a tilted state follow the formulas in float64.
    let s = [0.01, -0.02, 0.03, 0.04];
    env.reset(0, { state: s });
    for (let t = 0; t < 10; t++) {
      s = gymStep(s, t % 2);
      const out = env.step(act(t % 2));
      expect(Array.from(out.obs)).toEqual(Array.from(Float32Array.from(s)));
    }
  });

  it('terminates past 12 degrees or 2.4 m with reward 1, then rewards 0 until reset', () => {
    env.reset(0, { state: [0, 0, 0.2094, 1] });
    const r = env.step(act(0));
    expect(r.terminated).toBe(true);
    expect(r.reward).toBe(1);
    expect(env.step(act(0)).reward).toBe(0);
    env.reset(0, { state: [2.399, 1, 0, 0] });
    expect(env.step(act(1)).terminated).toBe(true);
    env.reset(0, { state: [-2.399, -1, 0, 0] });
    expect(env.step(act(0)).terminated).toBe(true);
  });

  it('reads the action index rounded and clamped (0 pushes left)', () => {
    env.reset(0, { state: [0, 0, 0, 0] });
    const left = env.step(act(0)).obs[1]!;
    env.reset(0, { state: [0, 0, 0, 0] });
    expect(env.step(act(-3)).obs[1]).toBe(left);
    env.reset(0, { state: [0, 0, 0, 0] });
    expect(env.step(act(0.9)).obs[1]).toBe(-left);
  });

  it('truncates at 500 steps under a balancing policy', () => {
    let { obs } = env.reset(4);
    let n = 0;
    let last = { terminated: false, truncated: false };
    while (!last.terminated && !last.truncated) {
      // Push toward the side the pole falls to (angle plus angular velocity).
      const r = env.step(act(obs[2]! + 0.5 * obs[3]! + 0.01 * obs[0]! + 0.1 * obs[1]! > 0 ? 1 : 0));
      obs = r.obs;
      last = r;
      n++;
    }
    expect(last.truncated).toBe(true);
    expect(n).toBe(500);
  });
});

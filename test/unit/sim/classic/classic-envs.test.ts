import { describe, expect, it } from 'vitest';
import { EnvConfig } from '../../../../src-shared/config/envs';
import { angleNormalize } from '../../../../src-main/sim/classic/pendulum.js';
import { makeEnv } from '../../../../src-main/sim/registry.js';

const act = (a: number) => Float32Array.of(a);

describe('pendulum (Pendulum-v1)', () => {
  const env = makeEnv(EnvConfig.parse({ id: 'pendulum' }));

  it('normalizes angles like Python floor modulo', () => {
    expect(angleNormalize(0)).toBeCloseTo(0);
    expect(angleNormalize((3 * Math.PI) / 2)).toBeCloseTo(-Math.PI / 2);
    expect(angleNormalize((-3 * Math.PI) / 2)).toBeCloseTo(Math.PI / 2);
  });

  it('follows the Gymnasium update rule step by step', () => {
    // Hand-computed with Gymnasium's formulas from th = 1, thdot = 0.5, u = 2 * 0.3.
    const { obs } = env.reset(0, { state: [1, 0.5] });
    expect(Array.from(obs)).toEqual(Array.from(Float32Array.of(Math.cos(1), Math.sin(1), 0.5)));
    const r = env.step(act(0.3));
    const u = 2 * Math.fround(0.3); // the action arrives as float32
    const newthdot = 0.5 + (((3 * 10) / 2) * Math.sin(1) + 3 * u) * 0.05;
    const newth = 1 + newthdot * 0.05;
    expect(r.reward).toBeCloseTo(-(1 + 0.1 * 0.25 + 0.001 * u * u), 12);
    expect(r.obs[0]).toBeCloseTo(Math.cos(newth), 6);
    expect(r.obs[1]).toBeCloseTo(Math.sin(newth), 6);
    expect(r.obs[2]).toBeCloseTo(newthdot, 6);
    expect(r.terminated).toBe(false);
  });

  it('clips speed to 8 and torque to 2, and truncates at 200 steps', () => {
    env.reset(0, { state: [Math.PI / 2, 7.9] });
    let last = env.step(act(5));
    expect(last.obs[2]).toBe(8);
    let n = 1;
    while (!last.truncated) {
      last = env.step(act(0));
      n++;
      expect(last.terminated).toBe(false);
    }
    expect(n).toBe(200);
  });

  it('is deterministic per seed', () => {
    const a = env.reset(5).obs.slice();
    const b = env.reset(5).obs.slice();
    expect(a).toEqual(b);
    expect(env.reset(6).obs.slice()).not.toEqual(a);
  });
});

describe('mountaincar (MountainCarContinuous-v0)', () => {
  const env = makeEnv(EnvConfig.parse({ id: 'mountaincar' }));

  it('starts at rest between -0.6 and -0.4', () => {
    for (let s = 0; s < 20; s++) {
      const { obs } = env.reset(s);
      expect(obs[0]).toBeGreaterThanOrEqual(-0.6);
      expect(obs[0]).toBeLessThanOrEqual(-0.4);
      expect(obs[1]).toBe(0);
    }
  });

  it('applies force * power - 0.0025 cos(3x) and the action cost', () => {
    env.reset(0, { state: [-0.5, 0] });
    const r = env.step(act(1));
    const v = Math.fround(0.0015 - 0.0025 * Math.cos(3 * -0.5));
    expect(r.obs[1]).toBeCloseTo(v, 7);
    expect(r.obs[0]).toBeCloseTo(-0.5 + v, 6);
    expect(r.reward).toBeCloseTo(-0.1, 7);
  });

  it('terminates with +100 at the goal and stops at the left wall', () => {
    env.reset(0, { state: [0.449, 0.05] });
    const r = env.step(act(0));
    expect(r.terminated).toBe(true);
    expect(r.reward).toBe(100);
    env.reset(0, { state: [-1.19, -0.07] });
    const w = env.step(act(-1));
    expect(w.obs[0]).toBeCloseTo(-1.2, 6);
    expect(w.obs[1]).toBe(0);
  });

  it('a bang-bang policy that follows the velocity reaches the goal', () => {
    let { obs } = env.reset(3);
    let total = 0;
    for (let t = 0; t < 999; t++) {
      const r = env.step(act(obs[1]! >= 0 ? 1 : -1));
      total += r.reward;
      obs = r.obs;
      if (r.terminated) break;
    }
    expect(total).toBeGreaterThan(80);
  });
});

import { describe, expect, it } from 'vitest';
import { EnvConfig } from '../../../../src-shared/config/envs';
import { makeEnv } from '../../../../src-main/sim/registry.js';

const act = (a: number) => Float32Array.of(a);

describe('mountaincar-discrete (MountainCar-v0)', () => {
  const env = makeEnv(EnvConfig.parse({ id: 'mountaincar-discrete' }));

  it('has Discrete(3) actions and starts at rest in [-0.6, -0.4)', () => {
    expect(env.actionSpace).toEqual({ kind: 'discrete', n: 3, shape: [1] });
    for (let s = 0; s < 20; s++) {
      const { obs } = env.reset(s);
      expect(obs[0]).toBeGreaterThanOrEqual(Math.fround(-0.6));
      expect(obs[0]).toBeLessThanOrEqual(Math.fround(-0.4));
      expect(obs[1]).toBe(0);
    }
  });

  it('applies (a - 1) * 0.001 - 0.0025 cos(3x) in float64, reward -1', () => {
    for (const a of [0, 1, 2]) {
      env.reset(0, { state: [-0.5, 0.01] });
      const r = env.step(act(a));
      const v = 0.01 + (a - 1) * 0.001 + Math.cos(3 * -0.5) * -0.0025;
      expect(Array.from(r.obs)).toEqual(Array.from(Float32Array.of(-0.5 + v, v)));
      expect(r.reward).toBe(-1);
      expect(r.terminated).toBe(false);
    }
  });

  it('clips speed to 0.07, stops at the left wall, terminates at 0.5', () => {
    env.reset(0, { state: [-1, 0.0699] }); // gravity pushes right here (cos(-3) < 0)
    expect(env.step(act(2)).obs[1]).toBe(Math.fround(0.07));
    env.reset(0, { state: [-1.19, -0.07] });
    const w = env.step(act(0));
    expect(w.obs[0]).toBe(Math.fround(-1.2));
    expect(w.obs[1]).toBe(0);
    env.reset(0, { state: [0.49, 0.02] });
    const g = env.step(act(1));
    expect(g.terminated).toBe(true);
    expect(g.reward).toBe(-1);
  });

  it('truncates at 200 steps; a bang-bang policy following the velocity reaches the goal within it', () => {
    env.reset(3);
    let n = 0;
    let r = env.step(act(1));
    for (n = 1; !r.truncated && !r.terminated; n++) r = env.step(act(1));
    expect(r.truncated).toBe(true);
    expect(n).toBe(200);
    let { obs } = env.reset(3);
    let total = 0;
    for (let t = 0; t < 200; t++) {
      const s = env.step(act(obs[1]! >= 0 ? 2 : 0));
      total += s.reward;
      obs = s.obs;
      if (s.terminated) break;
    }
    expect(total).toBeGreaterThan(-200);
  });
});

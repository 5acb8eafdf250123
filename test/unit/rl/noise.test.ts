import { beforeAll, describe, expect, it } from 'vitest';
import { GaussianNoise, makeNoise, OrnsteinUhlenbeckNoise, ParameterNoise } from '../../../src-main/rl/noise';
import { Rng } from '../../../src-main/core/rng.js';
import { selectBackend } from '../../../src-main/ml/backend.js';
import { Mlp } from '../../../src-main/ml/mlp.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

function stats(xs: number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
}

describe('exploration noise', () => {
  it('Gaussian: zero mean, the configured std, reproducible from its seed', () => {
    const n = new GaussianNoise(2, 0.3, 5);
    const out = new Float32Array(2);
    const xs: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      n.sample(0, out);
      xs.push(out[0]!, out[1]!);
    }
    const s = stats(xs);
    expect(Math.abs(s.mean)).toBeLessThan(0.01);
    expect(s.std).toBeGreaterThan(0.29);
    expect(s.std).toBeLessThan(0.31);
    const again = new GaussianNoise(2, 0.3, 5);
    again.sample(0, out);
    expect(out[0]).toBe(Math.fround(xs[0]!));
  });

  it('OU: follows x <- x + theta (mu - x) dt + sigma sqrt(dt) N(0,1) per env; reset zeroes one env', () => {
    const p = { theta: 0.15, sigma: 0.2, dt: 0.01, mu: 0.1 };
    const ou = new OrnsteinUhlenbeckNoise(2, 1, p, 9);
    const ref = new Rng(9);
    const x = [0, 0];
    const out = new Float32Array(1);
    for (let t = 0; t < 50; t++) {
      for (let e = 0; e < 2; e++) {
        ou.sample(e, out);
        x[e] = x[e]! + p.theta * (p.mu - x[e]!) * p.dt + p.sigma * Math.sqrt(p.dt) * ref.normal();
        expect(out[0]).toBe(Math.fround(x[e]!));
      }
    }
    ou.reset(0);
    ou.sample(0, out);
    expect(out[0]).toBe(Math.fround(0 + p.theta * p.mu * p.dt + p.sigma * Math.sqrt(p.dt) * ref.normal()));
    x[1] = x[1]! + p.theta * (p.mu - x[1]!) * p.dt + p.sigma * Math.sqrt(p.dt) * ref.normal();
    ou.sample(1, out);
    expect(out[0]).toBe(Math.fround(x[1]!)); // env 1 was not reset
  });

  it('OU: the long-run std matches sigma^2 dt / (1 - (1 - theta dt)^2)', () => {
    const p = { theta: 1, sigma: 0.5, dt: 0.1, mu: 0 };
    const ou = new OrnsteinUhlenbeckNoise(1, 1, p, 3);
    const out = new Float32Array(1);
    const xs: number[] = [];
    for (let t = 0; t < 60_000; t++) {
      ou.sample(0, out);
      if (t > 1000) xs.push(out[0]!);
    }
    const expected = Math.sqrt((p.sigma ** 2 * p.dt) / (1 - (1 - p.theta * p.dt) ** 2));
    expect(stats(xs).std / expected).toBeGreaterThan(0.93);
    expect(stats(xs).std / expected).toBeLessThan(1.07);
  });

  it('parameter noise: acts with a perturbed actor and adapts its scale towards the desired action distance', () => {
    const actor = new Mlp({ inputDim: 3, hidden: [16], outputDim: 1, outputActivation: 'tanh' }, new Rng(1), 'pn-test-actor');
    const obs = new Float32Array(2 * 3).map((_, i) => Math.sin(i));
    const clean = new Float32Array(2);
    const run = (desired: number) => {
      const pn = new ParameterNoise(actor, 2, 1, { initialStd: 0.1, desiredActionStd: desired, adaptCoef: 1.5, adaptEvery: 4 }, 2, `pn-${desired}`);
      const out = new Float32Array(1);
      let moved = false;
      for (let t = 0; t < 20; t++) {
        pn.prepare(obs, clean);
        pn.sample(1, out);
        if (out[0] !== 0) moved = true;
      }
      const std = pn.currentStd;
      pn.dispose();
      return { std, moved };
    };
    const far = run(10); // perturbed actions never reach 10 apart: the scale keeps growing
    const near = run(1e-6); // always farther than 1e-6: the scale keeps shrinking
    expect(far.moved && near.moved).toBe(true);
    expect(far.std).toBeGreaterThan(0.1 * 1.5 ** 3);
    expect(near.std).toBeLessThan(0.1 / 1.5 ** 3);
    actor.dispose();
  });

  it('every noise restores its state from a snapshot and continues identically', () => {
    const actor = new Mlp({ inputDim: 3, hidden: [8], outputDim: 2, outputActivation: 'tanh' }, new Rng(4), 'pn-snap-actor');
    const obs = new Float32Array(3).map((_, i) => i / 3);
    const clean = new Float32Array(2);
    for (const cfg of [
      { type: 'gaussian', sigma: 0.2 },
      { type: 'ou', theta: 0.15, sigma: 0.2, dt: 0.01, mu: 0 },
      { type: 'param', initialStd: 0.1, desiredActionStd: 0.2, adaptCoef: 1.01, adaptEvery: 3 },
    ] as const) {
      const mk = (name: string) => makeNoise(cfg, { numEnvs: 1, actDim: 2, seed: 8, actor, name });
      const a = mk(`a-${cfg.type}`);
      const out = new Float32Array(2);
      for (let t = 0; t < 7; t++) {
        a.prepare(obs, clean);
        a.sample(0, out);
      }
      const b = mk(`b-${cfg.type}`);
      b.restore(structuredClone(a.snapshot()));
      const outB = new Float32Array(2);
      for (let t = 0; t < 7; t++) {
        a.prepare(obs, clean);
        a.sample(0, out);
        b.prepare(obs, clean);
        b.sample(0, outB);
        expect(Array.from(outB)).toEqual(Array.from(out));
      }
      a.dispose();
      b.dispose();
    }
    actor.dispose();
  });
});

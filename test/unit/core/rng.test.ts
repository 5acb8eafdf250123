import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/rng.js';

describe('Rng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 100 }, () => a.nextU32());
    expect(Array.from({ length: 100 }, () => b.nextU32())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.nextU32())).not.toEqual(xs);
  });

  it('restores its exact state', () => {
    const a = new Rng(7);
    for (let i = 0; i < 13; i++) a.normal();
    const state = a.getState();
    const expected = Array.from({ length: 50 }, () => a.normal());
    const b = new Rng(0);
    b.setState(state);
    expect(Array.from({ length: 50 }, () => b.normal())).toEqual(expected);
  });

  it('draws uniforms in [0, 1) and standard normals with the right moments', () => {
    const r = new Rng(1);
    let sum = 0;
    let sq = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      expect(u >= 0 && u < 1).toBe(true);
      const z = r.normal();
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.01);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.02);
  });
});

/**
 * Procedural texture pieces shared by the agent's camera (src-main/sim/lane/camera/) and the
 * three.js view, so both draw the same asphalt, verge and grass patterns and the same dashes.
 * Pure functions of their inputs (integer hashing only, no Math.random).
 */

/** A 32-bit integer hash of two integers and a seed (murmur3-style finalizer). */
export function hash32(a: number, b: number, seed: number): number {
  let h = (Math.imul(a | 0, 0x27d4eb2d) ^ Math.imul(b | 0, 0x165667b1) ^ Math.imul(seed | 0, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A periodic (tileable) smooth noise tile, `size` x `size` texels (row-major, v then u), values
 * in [-1, 1]: value noise with smoothstep interpolation, summed over octaves of lattice period
 * size/4, size/8, ... (each half the amplitude). Texel (u, v) covers `texelSize` metres when
 * mapped onto a surface; repeat it in both directions.
 */
export function makeNoiseTile(seed: number, size = 64, octaves = 3): Float32Array {
  if (!Number.isInteger(size) || size < 8 || (size & (size - 1)) !== 0) throw new Error('noise tile size must be a power of two >= 8');
  const out = new Float32Array(size * size);
  let amp = 1;
  let total = 0;
  for (let o = 0; o < octaves; o++) {
    const cells = Math.min(size, 4 << o); // lattice cells per tile side
    const cellTexels = size / cells;
    // The octave's lattice values, hashed once each (index j * cells + i), not four times per texel.
    const lat = new Float64Array(cells * cells);
    for (let j = 0; j < cells; j++) for (let i = 0; i < cells; i++) lat[j * cells + i] = lattice(i, j, seed + o);
    // Per column: its two lattice columns and its smoothstep weight (the same for every row).
    const col0 = new Int32Array(size);
    const col1 = new Int32Array(size);
    const wu = new Float64Array(size);
    for (let u = 0; u < size; u++) {
      const fu = u / cellTexels;
      const iu = Math.floor(fu);
      wu[u] = smooth(fu - iu);
      col0[u] = iu % cells;
      col1[u] = (iu + 1) % cells;
    }
    for (let v = 0; v < size; v++) {
      const fv = v / cellTexels;
      const iv = Math.floor(fv);
      const tv = smooth(fv - iv);
      const row0 = (iv % cells) * cells;
      const row1 = ((iv + 1) % cells) * cells;
      for (let u = 0; u < size; u++) {
        const tu = wu[u]!;
        const i0 = col0[u]!;
        const i1 = col1[u]!;
        const a = lat[row0 + i0]!;
        const b = lat[row0 + i1]!;
        const c = lat[row1 + i0]!;
        const d = lat[row1 + i1]!;
        out[v * size + u]! += amp * (a + (b - a) * tu + (c - a) * tv + (a - b - c + d) * tu * tv);
      }
    }
    total += amp;
    amp *= 0.5;
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / total;
  return out;
}

function lattice(i: number, j: number, seed: number): number {
  return (hash32(i, j, seed) / 4294967296) * 2 - 1;
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}

/** Length of the overlap of [a0, a1] and [b0, b1] (0 when disjoint). */
export function overlap(a0: number, a1: number, b0: number, b1: number): number {
  const lo = a0 > b0 ? a0 : b0;
  const hi = a1 < b1 ? a1 : b1;
  return hi > lo ? hi - lo : 0;
}

/**
 * Integral over [0, s] of a dash pattern that is "on" for `length` metres at the start of every
 * `period` metres, shifted by `phase` (a dash starts at s = phase + k * period).
 */
export function dashIntegral(s: number, length: number, period: number, phase: number): number {
  const x = s - phase;
  const k = Math.floor(x / period);
  const r = x - k * period;
  return k * length + (r < length ? r : length);
}

/** Fraction of [s0, s1] covered by dashes (point sample when the interval is empty). */
export function dashCoverage(s0: number, s1: number, length: number, period: number, phase: number): number {
  if (s1 - s0 < 1e-6) {
    const x = s0 - phase;
    const r = x - Math.floor(x / period) * period;
    return r < length ? 1 : 0;
  }
  return (dashIntegral(s1, length, period, phase) - dashIntegral(s0, length, period, phase)) / (s1 - s0);
}

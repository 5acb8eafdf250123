/**
 * Small pure helpers of the driver camera's shading: the general (reference) path and the bonnet
 * call them; the hot loops (ground-row.ts, shade-row.ts) write the same arithmetic out
 * inline instead (V8 boxes float arguments of calls it does not inline).
 */
import * as K from './constants.js';

// Module-local copies of the shared constants (see ground-row.ts: imported bindings are read
// through their module cell at every use).
const STRIPE_INV = K.STRIPE_INV,
  UNIT = K.UNIT;

/** Writes one pixel (values in 0..255; the clamped array rounds and clamps) and, if given, its floats byte / 255. */
export function put(out8: Uint8ClampedArray, obs: Float32Array | null, o: number, r: number, g: number, b: number): void {
  out8[o] = r;
  out8[o + 1] = g;
  out8[o + 2] = b;
  if (obs !== null) {
    obs[o] = UNIT[out8[o]!]!;
    obs[o + 1] = UNIT[out8[o + 1]!]!;
    obs[o + 2] = UNIT[out8[o + 2]!]!;
  }
}

/** Sine of the elevation of direction (dx, dy, dh). */
export function elevation(dx: number, dy: number, dh: number): number {
  return dh / Math.sqrt(dx * dx + dy * dy + dh * dh);
}

/**
 * True when a footprint spanning road offsets d2..d3 (its near corners) lies wholly on the grass
 * beyond a verge and no painted line or track is registered in its d-cells (groundFromArgs's mask),
 * so that function would give plain grass there.
 */
export function grassBandEdge(d2: number, d3: number, vR: number, vL: number, sD0: number, cells: number, range: Int32Array): boolean {
  const dlo = d2 < d3 ? d2 : d3;
  const dhi = d2 > d3 ? d2 : d3;
  if (!(dlo > vL || dhi < vR)) return false;
  let c0 = Math.floor((dlo - sD0) * STRIPE_INV);
  let c1 = Math.floor((dhi - sD0) * STRIPE_INV);
  if (c0 < 0) c0 = 0;
  if (c1 >= cells) c1 = cells - 1;
  if (c1 < c0) return true;
  const L = 31 - Math.clz32(c1 - c0 + 1);
  return (range[L * cells + c0]! | range[L * cells + c1 - (1 << L) + 1]!) === 0;
}

export function overlap(a0: number, a1: number, b0: number, b1: number): number {
  const lo = a0 > b0 ? a0 : b0;
  const hi = a1 < b1 ? a1 : b1;
  return hi > lo ? hi - lo : 0;
}

export function min4(a: number, b: number, c: number, d: number): number {
  const x = a < b ? a : b;
  const y = c < d ? c : d;
  return x < y ? x : y;
}

export function max4(a: number, b: number, c: number, d: number): number {
  const x = a > b ? a : b;
  const y = c > d ? c : d;
  return x > y ? x : y;
}

/** Texture contrast left at a footprint of `texels` texels per pixel (a cheap mipmap). */
export function fade(texels: number): number {
  return 1 / (1 + texels * texels);
}

/**
 * Mean fog factor over a pixel from the sums of its top and bottom corners' factors. Depth
 * grows like 1 / (rows below the horizon), so f = t / (t + D) is 1 / (1 + k y) down the pixel
 * and its exact mean between edge values a (top) and b (bottom) is ln(a / b) / (1/b - 1/a);
 * where they are close (most of the image) the plain average is as good and cheaper.
 */
export function fogMean(topSum: number, bottomSum: number): number {
  const a = 0.5 * topSum;
  const b = 0.5 * bottomSum;
  // Within 15% the plain average is off by under 0.002 (half a grey level).
  if (a < 1.15 * b && b < 1.15 * a) return 0.5 * (a + b);
  if (a <= 0 || b <= 0) return 0.5 * (a + b);
  return Math.log(a / b) / (1 / b - 1 / a);
}

/** Fades `out` towards the horizon colour by fog factor k (0 none, 1 all). */
export function fog(out: Float64Array, k: number, hr: number, hg: number, hb: number): void {
  out[0] = out[0]! + (hr - out[0]!) * k;
  out[1] = out[1]! + (hg - out[1]!) * k;
  out[2] = out[2]! + (hb - out[2]!) * k;
}

/** Fraction of [s0, s1] covered by dashes (length `len` every `per` m from `ph`; inv = 1 / per). */
export function dashCov(s0: number, s1: number, len: number, per: number, ph: number, inv: number): number {
  if (s1 - s0 < 1e-6) {
    const x = s0 - ph;
    return x - Math.floor(x * inv) * per < len ? 1 : 0;
  }
  return (dashInt(s1, len, per, ph, inv) - dashInt(s0, len, per, ph, inv)) / (s1 - s0);
}

export function dashInt(s: number, len: number, per: number, ph: number, inv: number): number {
  const x = s - ph;
  const k = Math.floor(x * inv);
  const r = x - k * per;
  return k * len + (r < len ? r : len);
}

/** Fraction of a pixel where a value given at its 4 corners is positive (linear approximation). */
export function coverage4(a: number, b: number, c: number, d: number): number {
  if (a > 0 && b > 0 && c > 0 && d > 0) return 1;
  if (a <= 0 && b <= 0 && c <= 0 && d <= 0) return 0;
  const pos = (a > 0 ? a : 0) + (b > 0 ? b : 0) + (c > 0 ? c : 0) + (d > 0 ? d : 0);
  const all = Math.abs(a) + Math.abs(b) + Math.abs(c) + Math.abs(d);
  return all > 0 ? pos / all : 0.5;
}

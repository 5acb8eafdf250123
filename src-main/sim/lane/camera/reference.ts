/**
 * The general reference shading, pixel by pixel: every frame without anti-aliasing, and with
 * it when DriverCamera.referenceShading is set (tests check that the fast path in shade-row.ts
 * and ground-row.ts gives the same image to within rounding).
 */
import * as K from './constants.js';
import { groundFromArgs, mixedPixel } from './ground.js';
import { completeSkyRow } from './rays.js';
import { fade, fog, fogMean, max4, min4, overlap, put } from './pixel-math.js';
import type { CameraState } from './state.js';

// Module-local copies of the shared constants (see ground-row.ts: imported bindings are read
// through their module cell at every use).
const FAR = K.FAR,
  MK_HI = K.MK_HI,
  MK_LO = K.MK_LO,
  MK_STRIDE = K.MK_STRIDE,
  NEAR = K.NEAR,
  SKY = K.SKY,
  SKY_LUT = K.SKY_LUT,
  SKY_TOP = K.SKY_TOP,
  STRIPE_INV = K.STRIPE_INV,
  TILE_MASK = K.TILE_MASK;

export function shadePixels(cam: CameraState): void {
  const brightness = cam.brightnessNow[0]!;
  const W = cam.width;
  const H = cam.height;
  const gw = cam.gw;
  const aa = cam.antiAlias;
  const out8 = cam.frameClamped;
  const cK = cam.cK,
    cS = cam.cS,
    cD = cam.cD,
    cT = cam.cT,
    cX = cam.cX,
    cY = cam.cY,
    cE = cam.cE,
    cF = cam.cF;
  const hoodCov = cam.hoodCov;
  const hood = cam.hood;
  const hr = cam.horizon[0]!,
    hg = cam.horizon[1]!,
    hb = cam.horizon[2]!;
  const invF = 1 / cam.focal;
  const out = cam.shadeOut;
  const rowHood = cam.rowHood;
  const rowSky = cam.rowSky;
  const lut = cam.skyLut;
  const lutScale = SKY_LUT / SKY_TOP;
  const hood0 = hood[0]!,
    hood1 = hood[1]!,
    hood2 = hood[2]!;
  // Plain-asphalt fast path data.
  const aL = cam.asphaltLeft,
    aR = cam.asphaltRight;
  const ar = cam.asphalt[0]!,
    ag = cam.asphalt[1]!,
    ab = cam.asphalt[2]!;
  const aTile = cam.asphaltTile;
  const aInv = cam.asphaltInvTexel;
  const aAmp = cam.asphaltAmp;
  const sMask = cam.stripeMask;
  const sRange = cam.stripeRange;
  const sCells = cam.stripeCells;
  const sD0 = cam.stripeD0;
  const stripes = cam.stripes;
  const trackBits = cam.trackBits;
  const trackDark = cam.trackDarkening;
  const b255 = 255 * brightness;
  const obsT = cam.obsTarget;
  let p = 0;
  for (let r = 0; r < H; r++) {
    if (rowHood[r]) {
      const shade = (1 - 0.25 * (r / H)) * b255;
      const br = hood0 * shade,
        bg = hood1 * shade,
        bb = hood2 * shade;
      for (let c = 0; c < W; c++, p++) {
        const o = p * 3;
        put(out8, obsT, o, br, bg, bb);
      }
      continue;
    }
    if (aa && rowSky[r] && rowSky[r + 1]) {
      // All sky: the mean elevation of a pixel's corners (linear along the row), through the table.
      const base = r * gw;
      const e0 = 0.25 * (cE[base]! + cE[base + 1]! + cE[base + gw]! + cE[base + gw + 1]!);
      const de = 0.5 * (cE[base + 1]! - cE[base]! + cE[base + gw + 1]! - cE[base + gw]!);
      for (let c = 0; c < W; c++, p++) {
        const e = e0 + c * de;
        const k = e <= 0 ? 0 : e >= SKY_TOP ? SKY_LUT * 3 : ((e * lutScale) | 0) * 3;
        put(out8, obsT, p * 3, lut[k]! * b255, lut[k + 1]! * b255, lut[k + 2]! * b255);
      }
      continue;
    }
    const hoodShade = 1 - 0.25 * (r / H);
    if (cam.rowPartial[r]) completeSkyRow(cam, r);
    if (cam.rowPartial[r + 1]) completeSkyRow(cam, r + 1);
    for (let c = 0; c < W; c++, p++) {
      const hc = hoodCov[p]!;
      const o = p * 3;
      if (hc >= 1) {
        put(out8, obsT, o, hood0 * hoodShade * b255, hood1 * hoodShade * b255, hood2 * hoodShade * b255);
        continue;
      }
      let cr: number, cg: number, cb: number;
      if (!aa) {
        const i = r * gw + c;
        const k = cK[i]!;
        if (k === SKY) {
          sky(cam, cE[i]!, out);
        } else if (k === FAR) {
          grassAt(cam, cX[i]!, cY[i]!, cT[i]! * invF, out);
          fog(out, cF[i]!, hr, hg, hb);
        } else {
          ground(cam, cS[i]!, cS[i]!, cD[i]!, cD[i]!, cX[i]!, cY[i]!, cT[i]! * invF, out);
          fog(out, cF[i]!, hr, hg, hb);
        }
        cr = out[0]!;
        cg = out[1]!;
        cb = out[2]!;
      } else {
        const i0 = r * gw + c;
        const i1 = i0 + 1;
        const i2 = i0 + gw;
        const i3 = i2 + 1;
        const k0 = cK[i0]!;
        if (k0 === NEAR && cK[i1] === NEAR && cK[i2] === NEAR && cK[i3] === NEAR) {
          // The common case: a footprint on the road band.
          const d0 = cD[i0]!,
            d1 = cD[i1]!,
            d2 = cD[i2]!,
            d3 = cD[i3]!;
          const dlo = min4(d0, d1, d2, d3);
          const dhi = max4(d0, d1, d2, d3);
          const t = 0.25 * (cT[i0]! + cT[i1]! + cT[i2]! + cT[i3]!);
          let m = 0;
          const c0 = ((dlo - sD0) * STRIPE_INV) | 0;
          const c1 = ((dhi - sD0) * STRIPE_INV) | 0;
          if (c1 - c0 < 2) m = sMask[c0]! | sMask[c1]!;
          else {
            const L = 31 - Math.clz32(c1 - c0 + 1);
            m = sRange[L * sCells + c0]! | sRange[L * sCells + c1 - (1 << L) + 1]!;
          }
          if ((m & ~trackBits) === 0 && dlo >= aR && dhi <= aL) {
            // Plain asphalt (maybe a tyre track): texture faded with footprint (like a mipmap), fog.
            const sm = 0.25 * (cS[i0]! + cS[i1]! + cS[i2]! + cS[i3]!);
            const dm = 0.5 * (dlo + dhi);
            const tex = aTile[((Math.floor(dm * aInv) & TILE_MASK) << 6) | (Math.floor(sm * aInv) & TILE_MASK)]!;
            const x = t * invF * aInv;
            let k = 1 + (aAmp * tex) / (1 + x * x);
            if (m !== 0) {
              // Tyre-track darkening, box-filtered across the footprint.
              const w = dhi - dlo;
              for (let b = 0; m !== 0; b++, m >>>= 1) {
                if ((m & 1) === 0) continue;
                const lo = stripes[b * MK_STRIDE + MK_LO]!;
                const hi = stripes[b * MK_STRIDE + MK_HI]!;
                const cov = w < 1e-4 ? (dm >= lo && dm <= hi ? 1 : 0) : overlap(dlo, dhi, lo, hi) / w;
                k *= 1 - trackDark * cov;
              }
            }
            const fk = fogMean(cF[i0]! + cF[i1]!, cF[i2]! + cF[i3]!);
            cr = ar * k + (hr - ar * k) * fk;
            cg = ag * k + (hg - ag * k) * fk;
            cb = ab * k + (hb - ab * k) * fk;
          } else {
            const s0 = cS[i0]!,
              s1 = cS[i1]!,
              s2 = cS[i2]!,
              s3 = cS[i3]!;
            const x = 0.25 * (cX[i0]! + cX[i1]! + cX[i2]! + cX[i3]!);
            const y = 0.25 * (cY[i0]! + cY[i1]! + cY[i2]! + cY[i3]!);
            ground(cam, min4(s0, s1, s2, s3), max4(s0, s1, s2, s3), dlo, dhi, x, y, t * invF, out);
            fog(out, fogMean(cF[i0]! + cF[i1]!, cF[i2]! + cF[i3]!), hr, hg, hb);
            cr = out[0]!;
            cg = out[1]!;
            cb = out[2]!;
          }
        } else if (k0 === FAR && cK[i1] === FAR && cK[i2] === FAR && cK[i3] === FAR) {
          const t = 0.25 * (cT[i0]! + cT[i1]! + cT[i2]! + cT[i3]!);
          grassAt(cam, 0.25 * (cX[i0]! + cX[i1]! + cX[i2]! + cX[i3]!), 0.25 * (cY[i0]! + cY[i1]! + cY[i2]! + cY[i3]!), t * invF, out);
          fog(out, fogMean(cF[i0]! + cF[i1]!, cF[i2]! + cF[i3]!), hr, hg, hb);
          cr = out[0]!;
          cg = out[1]!;
          cb = out[2]!;
        } else {
          mixedPixel(cam, i0, i1, i2, i3, out);
          cr = out[0]!;
          cg = out[1]!;
          cb = out[2]!;
        }
      }
      if (hc > 0) {
        // Bonnet edge: blend.
        cr += (hood0 * hoodShade - cr) * hc;
        cg += (hood1 * hoodShade - cg) * hc;
        cb += (hood2 * hoodShade - cb) * hc;
      }
      put(out8, obsT, o, cr * b255, cg * b255, cb * b255);
    }
  }
}

/** Sky colour for a ray with elevation sine e (0 at the horizon). */
function sky(cam: CameraState, e: number, out: Float64Array): void {
  const k = e <= 0 ? 0 : e >= SKY_TOP ? SKY_LUT * 3 : ((e * (SKY_LUT / SKY_TOP)) | 0) * 3;
  const lut = cam.skyLut;
  out[0] = lut[k]!;
  out[1] = lut[k + 1]!;
  out[2] = lut[k + 2]!;
}

/** Grass (textured by map position) for a footprint of `fp` metres per pixel. */
function grassAt(cam: CameraState, x: number, y: number, fp: number, out: Float64Array): void {
  const inv = cam.grassInvTexel;
  const tex = cam.grassTile[((Math.floor(y * inv) & TILE_MASK) << 6) | (Math.floor(x * inv) & TILE_MASK)]!;
  const k = 1 + cam.grassAmp * tex * fade(fp * inv);
  out[0] = cam.grass[0]! * k;
  out[1] = cam.grass[1]! * k;
  out[2] = cam.grass[2]! * k;
}

/**
 * Ground colour over a footprint [slo, shi] x [dlo, dhi] in road coordinates (box filter);
 * (x, y) is the footprint's centre in the map, fp its size in metres per pixel.
 */
function ground(cam: CameraState, slo: number, shi: number, dlo: number, dhi: number, x: number, y: number, fp: number, out: Float64Array): void {
  const a = cam.groundArgs;
  a[0] = slo;
  a[1] = shi;
  a[2] = dlo;
  a[3] = dhi;
  a[4] = x;
  a[5] = y;
  a[6] = fp;
  groundFromArgs(cam, out);
}

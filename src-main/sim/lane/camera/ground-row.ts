/**
 * The hot path of every frame: one anti-aliased pixel row that sees the ground, with the ground,
 * grass, fog and pixel writes written out inline (see shadeGroundRow).
 */
import * as K from './constants.js';
import { mixedPixel } from './ground.js';
import { grassBandEdge } from './pixel-math.js';
import type { CameraState } from './state.js';

// Module-local copies of the shared constants: V8 reads an imported binding through its module
// cell at every use, a module-local const like a literal (the per-pixel loops below use them).
const FAR = K.FAR,
  INV255 = K.INV255,
  MK_B = K.MK_B,
  MK_DINV = K.MK_DINV,
  MK_DLEN = K.MK_DLEN,
  MK_DPER = K.MK_DPER,
  MK_DPH = K.MK_DPH,
  MK_G = K.MK_G,
  MK_HI = K.MK_HI,
  MK_LO = K.MK_LO,
  MK_R = K.MK_R,
  MK_STRIDE = K.MK_STRIDE,
  NEAR = K.NEAR,
  SKY = K.SKY,
  SKY_LUT = K.SKY_LUT,
  SKY_TOP = K.SKY_TOP,
  STRIPE_INV = K.STRIPE_INV,
  TILE_MASK = K.TILE_MASK;

/**
 * One pixel row of shadeRowAA() that sees the ground. The ground, grass, fog and pixel
 * writes are written out inline (V8 boxes float arguments of calls it does not inline, which
 * cost more than the work), with fast paths for footprints on one material and no painted
 * line (asphalt with tyre tracks, verge, grass in the road band) and for the horizon over far
 * grass; everything else takes the general box-filtered sum of ground() or mixedPixel().
 */
export function shadeGroundRow(cam: CameraState, r: number, p0: number): void {
  const brightness = cam.brightnessNow[0]!;
  const W = cam.width;
  const H = cam.height;
  const gw = cam.gw;
  const out8 = cam.frame;
  const obsT = cam.obsTarget;
  const cK = cam.cK,
    cS = cam.cS,
    cD = cam.cD,
    cT = cam.cT,
    cX = cam.cX,
    cY = cam.cY,
    cE = cam.cE,
    cF = cam.cF,
    cV = cam.cV;
  const hoodCov = cam.hoodCov;
  const hr = cam.horizon[0]!,
    hg = cam.horizon[1]!,
    hb = cam.horizon[2]!;
  const invF = 1 / cam.focal;
  const out = cam.shadeOut;
  const lut = cam.skyLut;
  const lutScale = SKY_LUT / SKY_TOP;
  const hood0 = cam.hood[0]!,
    hood1 = cam.hood[1]!,
    hood2 = cam.hood[2]!;
  const aL = cam.asphaltLeft,
    aR = cam.asphaltRight,
    vL = cam.vergeLeft,
    vR = cam.vergeRight;
  const ar = cam.asphalt[0]!,
    ag = cam.asphalt[1]!,
    ab = cam.asphalt[2]!;
  const vr = cam.verge[0]!,
    vg = cam.verge[1]!,
    vb = cam.verge[2]!;
  const gr = cam.grass[0]!,
    gg = cam.grass[1]!,
    gb = cam.grass[2]!;
  const aTile = cam.asphaltTile,
    vTile = cam.vergeTile,
    gTile = cam.grassTile;
  const aInv = cam.asphaltInvTexel,
    vInv = cam.vergeInvTexel,
    gInv = cam.grassInvTexel;
  const aAmp = cam.asphaltAmp,
    vAmp = cam.vergeAmp,
    gAmp = cam.grassAmp;
  const sMask = cam.stripeMask;
  const sRange = cam.stripeRange;
  const sCells = cam.stripeCells;
  const sD0 = cam.stripeD0;
  const mk = cam.stripes;
  const trackBits = cam.trackBits;
  const trackDark = cam.trackDarkening;
  const b255 = 255 * brightness;
  const hoodShade = 1 - 0.25 * (r / H);
  let p = p0;
  const hoodR = hood0 * hoodShade,
    hoodG = hood1 * hoodShade,
    hoodB = hood2 * hoodShade;
  for (let c = 0; c < W; c++, p++) {
    const hc = hoodCov[p]!;
    const o = p * 3;
    if (hc >= 1) {
      // A run of solid bonnet pixels: copied from the bonnet's template image.
      out8.set(cam.hoodRun8[p]!, o);
      if (obsT !== null) obsT.set(cam.hoodRunF[p]!, o);
      const e = cam.hoodRunEnd[p]!;
      p += e - 1 - c;
      c = e - 1;
      continue;
    }
    let cr: number, cg: number, cb: number;
    {
      const i0 = r * gw + c;
      const i1 = i0 + 1;
      const i2 = i0 + gw;
      const i3 = i2 + 1;
      const k0 = cK[i0]!,
        k1 = cK[i1]!,
        k2 = cK[i2]!,
        k3 = cK[i3]!;
      if (k0 === NEAR && k1 === NEAR && k2 === NEAR && k3 === NEAR) {
        const d0 = cD[i0]!,
          d1 = cD[i1]!,
          d2 = cD[i2]!,
          d3 = cD[i3]!;
        const dl01 = d0 < d1 ? d0 : d1,
          dl23 = d2 < d3 ? d2 : d3;
        const dh01 = d0 > d1 ? d0 : d1,
          dh23 = d2 > d3 ? d2 : d3;
        const dlo = dl01 < dl23 ? dl01 : dl23;
        const dhi = dh01 > dh23 ? dh01 : dh23;
        const t = 0.25 * (cT[i0]! + cT[i1]! + cT[i2]! + cT[i3]!);
        const fa = 0.5 * (cF[i0]! + cF[i1]!);
        const fb = 0.5 * (cF[i2]! + cF[i3]!);
        // Mean fog factor over the pixel (fogMean; the logarithm by its atanh series where that converges fast).
        let fk: number;
        if ((fa < 1.15 * fb && fb < 1.15 * fa) || fa <= 0 || fb <= 0) fk = 0.5 * (fa + fb);
        else {
          const inv = 1 / (fa + fb);
          const x = (fa - fb) * inv;
          const x2 = x * x;
          fk =
            x2 < 0.25 ? 2 * fa * fb * inv * (1 + x2 * (1 / 3 + x2 * (1 / 5 + x2 * (1 / 7 + x2 * (1 / 9 + x2 / 11))))) : Math.log(fa / fb) / (1 / fb - 1 / fa);
        }
        let m = 0;
        const c0 = ((dlo - sD0) * STRIPE_INV) | 0;
        const c1 = ((dhi - sD0) * STRIPE_INV) | 0;
        if (c1 - c0 < 2) m = sMask[c0]! | sMask[c1]!;
        else {
          const L = 31 - Math.clz32(c1 - c0 + 1);
          m = sRange[L * sCells + c0]! | sRange[L * sCells + c1 - (1 << L) + 1]!;
        }
        // No painted line within the footprint's d-cells (tyre tracks allowed): one material.
        const plain = (m & ~trackBits) === 0;
        if (plain && dlo >= aR && dhi <= aL) {
          // Plain asphalt (maybe a tyre track): texture faded with footprint (like a mipmap), fog.
          const sm = 0.25 * (cS[i0]! + cS[i1]! + cS[i2]! + cS[i3]!);
          const dm = 0.5 * (dlo + dhi);
          const tex = aTile[((Math.floor(dm * aInv) & TILE_MASK) << 6) | (Math.floor(sm * aInv) & TILE_MASK)]!;
          const x = t * invF * aInv;
          let k = 1 + (aAmp * tex) / (1 + x * x);
          if (m !== 0) {
            const w = dhi - dlo;
            for (let b = 0; m !== 0; b++, m >>>= 1) {
              if ((m & 1) === 0) continue;
              const lo = mk[b * MK_STRIDE + MK_LO]!;
              const hi = mk[b * MK_STRIDE + MK_HI]!;
              let cov: number;
              if (w < 1e-4) cov = dm >= lo && dm <= hi ? 1 : 0;
              else {
                const olo = dlo > lo ? dlo : lo;
                const ohi = dhi < hi ? dhi : hi;
                cov = (ohi > olo ? ohi - olo : 0) / w;
              }
              k *= 1 - trackDark * cov;
            }
          }
          cr = ar * k + (hr - ar * k) * fk;
          cg = ag * k + (hg - ag * k) * fk;
          cb = ab * k + (hb - ab * k) * fk;
        } else if (plain && ((dlo >= vR && dhi <= aR) || (dlo >= aL && dhi <= vL))) {
          // Plain verge (textured at the middle of the footprint's s range, as ground()).
          const s0 = cS[i0]!,
            s1 = cS[i1]!,
            s2 = cS[i2]!,
            s3 = cS[i3]!;
          const sl01 = s0 < s1 ? s0 : s1,
            sl23 = s2 < s3 ? s2 : s3;
          const sh01 = s0 > s1 ? s0 : s1,
            sh23 = s2 > s3 ? s2 : s3;
          const sm = 0.5 * ((sl01 < sl23 ? sl01 : sl23) + (sh01 > sh23 ? sh01 : sh23));
          const dm = 0.5 * (dlo + dhi);
          const tex = vTile[((Math.floor(dm * vInv) & TILE_MASK) << 6) | (Math.floor(sm * vInv) & TILE_MASK)]!;
          const x = t * invF * vInv;
          const k = 1 + vAmp * tex * (1 / (1 + x * x));
          cr = vr * k + (hr - vr * k) * fk;
          cg = vg * k + (hg - vg * k) * fk;
          cb = vb * k + (hb - vb * k) * fk;
        } else if (plain && (dhi <= vR || dlo >= vL)) {
          // Grass inside the road band.
          const x = 0.25 * (cX[i0]! + cX[i1]! + cX[i2]! + cX[i3]!);
          const y = 0.25 * (cY[i0]! + cY[i1]! + cY[i2]! + cY[i3]!);
          const tex = gTile[((Math.floor(y * gInv) & TILE_MASK) << 6) | (Math.floor(x * gInv) & TILE_MASK)]!;
          const xx = t * invF * gInv;
          const k = 1 + gAmp * tex * (1 / (1 + xx * xx));
          cr = gr * k + (hr - gr * k) * fk;
          cg = gg * k + (hg - gg * k) * fk;
          cb = gb * k + (hb - gb * k) * fk;
        } else {
          // Asphalt, verge and grass box-filtered across d, then the stripes over them (as ground()).
          const s0 = cS[i0]!,
            s1 = cS[i1]!,
            s2 = cS[i2]!,
            s3 = cS[i3]!;
          const sl01 = s0 < s1 ? s0 : s1,
            sl23 = s2 < s3 ? s2 : s3;
          const sh01 = s0 > s1 ? s0 : s1,
            sh23 = s2 > s3 ? s2 : s3;
          const slo = sl01 < sl23 ? sl01 : sl23;
          const shi = sh01 > sh23 ? sh01 : sh23;
          const fp = t * invF;
          const sm = 0.5 * (slo + shi);
          const dm = 0.5 * (dlo + dhi);
          const w = dhi - dlo;
          let cA: number, cV: number;
          if (w < 1e-4) {
            cA = dm >= aR && dm <= aL ? 1 : 0;
            cV = cA ? 0 : dm >= vR && dm <= vL ? 1 : 0;
          } else {
            const inv = 1 / w;
            let lo = dlo > aR ? dlo : aR;
            let hi = dhi < aL ? dhi : aL;
            cA = (hi > lo ? hi - lo : 0) * inv;
            lo = dlo > vR ? dlo : vR;
            hi = dhi < aR ? dhi : aR;
            let ov = hi > lo ? hi - lo : 0;
            lo = dlo > aL ? dlo : aL;
            hi = dhi < vL ? dhi : vL;
            ov += hi > lo ? hi - lo : 0;
            cV = ov * inv;
          }
          const cG = 1 - cA - cV;
          cr = 0;
          cg = 0;
          cb = 0;
          if (cA > 0) {
            const tex = aTile[((Math.floor(dm * aInv) & TILE_MASK) << 6) | (Math.floor(sm * aInv) & TILE_MASK)]!;
            const x = fp * aInv;
            const k = cA * (1 + aAmp * tex * (1 / (1 + x * x)));
            cr += ar * k;
            cg += ag * k;
            cb += ab * k;
          }
          if (cV > 0) {
            const tex = vTile[((Math.floor(dm * vInv) & TILE_MASK) << 6) | (Math.floor(sm * vInv) & TILE_MASK)]!;
            const x = fp * vInv;
            const k = cV * (1 + vAmp * tex * (1 / (1 + x * x)));
            cr += vr * k;
            cg += vg * k;
            cb += vb * k;
          }
          if (cG > 1e-9) {
            const x = 0.25 * (cX[i0]! + cX[i1]! + cX[i2]! + cX[i3]!);
            const y = 0.25 * (cY[i0]! + cY[i1]! + cY[i2]! + cY[i3]!);
            const tex = gTile[((Math.floor(y * gInv) & TILE_MASK) << 6) | (Math.floor(x * gInv) & TILE_MASK)]!;
            const xx = fp * gInv;
            const k = cG * (1 + gAmp * tex * (1 / (1 + xx * xx)));
            cr += gr * k;
            cg += gg * k;
            cb += gb * k;
          }
          if (m !== 0) {
            const point = w < 1e-4;
            const invW = point ? 0 : 1 / w;
            for (let b = 0; m !== 0; b++, m >>>= 1) {
              if ((m & 1) === 0) continue;
              const ob = b * MK_STRIDE;
              const lo = mk[ob + MK_LO]!;
              const hi = mk[ob + MK_HI]!;
              if (hi < dlo || lo > dhi) continue;
              let cov: number;
              if (point) cov = 1;
              else {
                const olo = dlo > lo ? dlo : lo;
                const ohi = dhi < hi ? dhi : hi;
                cov = (ohi > olo ? ohi - olo : 0) * invW;
              }
              const len = mk[ob + MK_DLEN]!;
              if (len > 0) {
                const per = mk[ob + MK_DPER]!,
                  ph = mk[ob + MK_DPH]!,
                  dinv = mk[ob + MK_DINV]!;
                if (shi - slo < 1e-6) {
                  const x = slo - ph;
                  cov *= x - Math.floor(x * dinv) * per < len ? 1 : 0;
                } else {
                  const x1 = shi - ph;
                  const k1 = Math.floor(x1 * dinv);
                  const r1 = x1 - k1 * per;
                  const x0 = slo - ph;
                  const k0 = Math.floor(x0 * dinv);
                  const r0 = x0 - k0 * per;
                  cov *= (k1 * len + (r1 < len ? r1 : len) - (k0 * len + (r0 < len ? r0 : len))) / (shi - slo);
                }
              }
              if (cov <= 0) continue;
              cr += (mk[ob + MK_R]! - cr) * cov;
              cg += (mk[ob + MK_G]! - cg) * cov;
              cb += (mk[ob + MK_B]! - cb) * cov;
            }
          }
          cr = cr + (hr - cr) * fk;
          cg = cg + (hg - cg) * fk;
          cb = cb + (hb - cb) * fk;
        }
      } else if (k0 === FAR && k1 === FAR && k2 === FAR && k3 === FAR) {
        const t = 0.25 * (cT[i0]! + cT[i1]! + cT[i2]! + cT[i3]!);
        const x = 0.25 * (cX[i0]! + cX[i1]! + cX[i2]! + cX[i3]!);
        const y = 0.25 * (cY[i0]! + cY[i1]! + cY[i2]! + cY[i3]!);
        const tex = gTile[((Math.floor(y * gInv) & TILE_MASK) << 6) | (Math.floor(x * gInv) & TILE_MASK)]!;
        const xx = t * invF * gInv;
        const k = 1 + gAmp * tex * (1 / (1 + xx * xx));
        cr = gr * k;
        cg = gg * k;
        cb = gb * k;
        const fa = 0.5 * (cF[i0]! + cF[i1]!);
        const fb = 0.5 * (cF[i2]! + cF[i3]!);
        // Mean fog factor over the pixel (fogMean; the logarithm by its atanh series where that converges fast).
        let fk: number;
        if ((fa < 1.15 * fb && fb < 1.15 * fa) || fa <= 0 || fb <= 0) fk = 0.5 * (fa + fb);
        else {
          const inv = 1 / (fa + fb);
          const x = (fa - fb) * inv;
          const x2 = x * x;
          fk =
            x2 < 0.25 ? 2 * fa * fb * inv * (1 + x2 * (1 / 3 + x2 * (1 / 5 + x2 * (1 / 7 + x2 * (1 / 9 + x2 / 11))))) : Math.log(fa / fb) / (1 / fb - 1 / fa);
        }
        cr = cr + (hr - cr) * fk;
        cg = cg + (hg - cg) * fk;
        cb = cb + (hb - cb) * fk;
      } else if (k0 === FAR && k1 === FAR && k2 === NEAR && k3 === NEAR && grassBandEdge(cD[i2]!, cD[i3]!, vR, vL, sD0, sCells, sRange)) {
        // The far edge of the road band over grass (mixedPixel's sums for this case, in its
        // order): the two far corners' grass and the two near corners' grass (no verge or line
        // within reach), half each.
        let x = cX[i0]! + cX[i1]!;
        let y = cY[i0]! + cY[i1]!;
        let t = (cT[i0]! + cT[i1]!) / 2;
        let tex = gTile[((Math.floor((y / 2) * gInv) & TILE_MASK) << 6) | (Math.floor((x / 2) * gInv) & TILE_MASK)]!;
        let xx = t * invF * gInv;
        let k = 1 + gAmp * tex * (1 / (1 + xx * xx));
        let f = (cF[i0]! + cF[i1]!) / 2;
        let g0 = gr * k,
          g1 = gg * k,
          g2 = gb * k;
        cr = 0.5 * (g0 + (hr - g0) * f);
        cg = 0.5 * (g1 + (hg - g1) * f);
        cb = 0.5 * (g2 + (hb - g2) * f);
        x = cX[i2]! + cX[i3]!;
        y = cY[i2]! + cY[i3]!;
        t = (cT[i2]! + cT[i3]!) / 2;
        tex = gTile[((Math.floor((y / 2) * gInv) & TILE_MASK) << 6) | (Math.floor((x / 2) * gInv) & TILE_MASK)]!;
        xx = t * invF * gInv;
        k = 1 + gAmp * tex * (1 / (1 + xx * xx));
        f = (cF[i2]! + cF[i3]!) / 2;
        g0 = gr * k;
        g1 = gg * k;
        g2 = gb * k;
        cr += 0.5 * (g0 + (hr - g0) * f);
        cg += 0.5 * (g1 + (hg - g1) * f);
        cb += 0.5 * (g2 + (hb - g2) * f);
      } else if (k0 === SKY && k1 === SKY && k2 === FAR && k3 === FAR) {
        // The horizon over far grass (mixedPixel's sum for this case): the sky's exact area
        // share from the rays' vertical components, the rest far grass.
        const v0 = cV[i0]!,
          v1 = cV[i1]!,
          v2 = cV[i2]!,
          v3 = cV[i3]!;
        const pos = (v0 > 0 ? v0 : 0) + (v1 > 0 ? v1 : 0) + (v2 > 0 ? v2 : 0) + (v3 > 0 ? v3 : 0);
        const abs = (v0 < 0 ? -v0 : v0) + (v1 < 0 ? -v1 : v1) + (v2 < 0 ? -v2 : v2) + (v3 < 0 ? -v3 : v3);
        const wSky = abs > 0 ? pos / abs : 0.5;
        const wG = 1 - wSky;
        const es = 0.5 * (cE[i0]! + cE[i1]!);
        const ks = es <= 0 ? 0 : es >= SKY_TOP ? SKY_LUT * 3 : ((es * lutScale) | 0) * 3;
        const t = 0.5 * (cT[i2]! + cT[i3]!);
        const x = 0.5 * (cX[i2]! + cX[i3]!);
        const y = 0.5 * (cY[i2]! + cY[i3]!);
        const tex = gTile[((Math.floor(y * gInv) & TILE_MASK) << 6) | (Math.floor(x * gInv) & TILE_MASK)]!;
        const xx = t * invF * gInv;
        const kg = 1 + gAmp * tex * (1 / (1 + xx * xx));
        const kf = 0.5 * (cF[i2]! + cF[i3]!);
        const g0 = gr * kg,
          g1 = gg * kg,
          g2 = gb * kg;
        cr = wSky * lut[ks]! + wG * (g0 + (hr - g0) * kf);
        cg = wSky * lut[ks + 1]! + wG * (g1 + (hg - g1) * kf);
        cb = wSky * lut[ks + 2]! + wG * (g2 + (hb - g2) * kf);
      } else {
        mixedPixel(cam, i0, i1, i2, i3, out);
        cr = out[0]!;
        cg = out[1]!;
        cb = out[2]!;
      }
      if (hc > 0) {
        // Bonnet edge: blend.
        cr += (hoodR - cr) * hc;
        cg += (hoodG - cg) * hc;
        cb += (hoodB - cb) * hc;
      }
    }
    const zr = cr * b255,
      zg = cg * b255,
      zb = cb * b255;
    const qr = zr <= 0 ? 0 : zr >= 255 ? 255 : (zr + 0.5) | 0;
    const qg = zg <= 0 ? 0 : zg >= 255 ? 255 : (zg + 0.5) | 0;
    const qb = zb <= 0 ? 0 : zb >= 255 ? 255 : (zb + 0.5) | 0;
    out8[o] = qr;
    out8[o + 1] = qg;
    out8[o + 2] = qb;
    if (obsT !== null) {
      obsT[o] = qr * INV255;
      obsT[o + 1] = qg * INV255;
      obsT[o + 2] = qb * INV255;
    }
  }
}

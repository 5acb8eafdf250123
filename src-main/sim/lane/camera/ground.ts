/**
 * The general box-filtered shading: mixedPixel for a pixel whose corners see different things
 * (sky, far grass, the road band), groundFromArgs for a footprint on the road band. The fast
 * row shading (ground-row.ts) takes these for the cases it does not write out, and the reference
 * path (reference.ts) for all of them.
 */
import * as K from './constants.js';
import { dashCov, fade, overlap } from './pixel-math.js';
import type { CameraState } from './state.js';

// Module-local copies of the shared constants (see ground-row.ts: imported bindings are read
// through their module cell at every use).
const FAR = K.FAR,
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
  SKY = K.SKY,
  SKY_LUT = K.SKY_LUT,
  SKY_TOP = K.SKY_TOP,
  STRIPE_INV = K.STRIPE_INV,
  TILE_MASK = K.TILE_MASK;

/** A pixel whose corners see different things: shade each class from its corners, weight by count. */
export function mixedPixel(cam: CameraState, i0: number, i1: number, i2: number, i3: number, out: Float64Array): void {
  const cK = cam.cK,
    cS = cam.cS,
    cD = cam.cD,
    cT = cam.cT,
    cX = cam.cX,
    cY = cam.cY,
    cE = cam.cE,
    cF = cam.cF;
  const hr = cam.horizon[0]!,
    hg = cam.horizon[1]!,
    hb = cam.horizon[2]!;
  const invF = 1 / cam.focal;
  let nSky = 0,
    nNear = 0,
    nFar = 0;
  let e = 0,
    tN = 0,
    tF = 0,
    xN = 0,
    yN = 0,
    xF = 0,
    yF = 0,
    fN = 0,
    fF = 0;
  let slo = Infinity,
    shi = -Infinity,
    dlo = Infinity,
    dhi = -Infinity;
  for (let q = 0; q < 4; q++) {
    const i = q === 0 ? i0 : q === 1 ? i1 : q === 2 ? i2 : i3;
    const k = cK[i]!;
    if (k === SKY) {
      nSky++;
      e += cE[i]!;
    } else if (k === FAR) {
      nFar++;
      tF += cT[i]!;
      fF += cF[i]!;
      xF += cX[i]!;
      yF += cY[i]!;
    } else {
      nNear++;
      tN += cT[i]!;
      fN += cF[i]!;
      xN += cX[i]!;
      yN += cY[i]!;
      const s = cS[i]!;
      const d = cD[i]!;
      if (s < slo) slo = s;
      if (s > shi) shi = s;
      if (d < dlo) dlo = d;
      if (d > dhi) dhi = d;
    }
  }
  // Sky versus ground: the exact area fraction above the horizon line (the vertical ray
  // component is linear over the pixel); the ground share is split by corner counts.
  let wSky = 0.25 * nSky;
  let wGround = 1 - wSky;
  if (nSky && nSky < 4) {
    const cV = cam.cV;
    let pos = 0;
    let abs = 0;
    for (let q = 0; q < 4; q++) {
      const v = cV[q === 0 ? i0 : q === 1 ? i1 : q === 2 ? i2 : i3]!;
      if (v > 0) pos += v;
      abs += v < 0 ? -v : v;
    }
    wSky = abs > 0 ? pos / abs : wSky;
    wGround = 1 - wSky;
  }
  const nGround = nNear + nFar;
  let cr = 0,
    cg = 0,
    cb = 0;
  const tmp = cam.mixOut;
  if (nSky) {
    const es = e / nSky;
    const k = es <= 0 ? 0 : es >= SKY_TOP ? SKY_LUT * 3 : ((es * (SKY_LUT / SKY_TOP)) | 0) * 3;
    const lut = cam.skyLut;
    cr += wSky * lut[k]!;
    cg += wSky * lut[k + 1]!;
    cb += wSky * lut[k + 2]!;
  }
  if (nFar) {
    const t = tF / nFar;
    const w = (wGround * nFar) / nGround;
    const x = xF / nFar;
    const y = yF / nFar;
    const gInv = cam.grassInvTexel;
    const tex = cam.grassTile[((Math.floor(y * gInv) & TILE_MASK) << 6) | (Math.floor(x * gInv) & TILE_MASK)]!;
    const fx = t * invF * gInv;
    const kg = 1 + cam.grassAmp * tex * (1 / (1 + fx * fx));
    const kf = fF / nFar;
    const gr = cam.grass[0]! * kg,
      gg = cam.grass[1]! * kg,
      gb = cam.grass[2]! * kg;
    tmp[0] = gr + (hr - gr) * kf;
    tmp[1] = gg + (hg - gg) * kf;
    tmp[2] = gb + (hb - gb) * kf;
    cr += w * tmp[0]!;
    cg += w * tmp[1]!;
    cb += w * tmp[2]!;
  }
  if (nNear) {
    const t = tN / nNear;
    const w = (wGround * nNear) / nGround;
    const a = cam.groundArgs;
    a[0] = slo;
    a[1] = shi;
    a[2] = dlo;
    a[3] = dhi;
    a[4] = xN / nNear;
    a[5] = yN / nNear;
    a[6] = t * invF;
    groundFromArgs(cam, tmp);
    const k = fN / nNear;
    tmp[0] = tmp[0]! + (hr - tmp[0]!) * k;
    tmp[1] = tmp[1]! + (hg - tmp[1]!) * k;
    tmp[2] = tmp[2]! + (hb - tmp[2]!) * k;
    cr += w * tmp[0]!;
    cg += w * tmp[1]!;
    cb += w * tmp[2]!;
  }
  out[0] = cr;
  out[1] = cg;
  out[2] = cb;
}

/** ground() with its arguments in groundArgs (no float arguments: the hot callers stay allocation-free). */
export function groundFromArgs(cam: CameraState, out: Float64Array): void {
  const a = cam.groundArgs;
  const slo = a[0]!,
    shi = a[1]!,
    dlo = a[2]!,
    dhi = a[3]!,
    x = a[4]!,
    y = a[5]!,
    fp = a[6]!;
  const sm = 0.5 * (slo + shi);
  const dm = 0.5 * (dlo + dhi);
  const w = dhi - dlo;
  const aL = cam.asphaltLeft,
    aR = cam.asphaltRight,
    vL = cam.vergeLeft,
    vR = cam.vergeRight;
  let cA: number, cV: number;
  if (w < 1e-4) {
    cA = dm >= aR && dm <= aL ? 1 : 0;
    cV = cA ? 0 : dm >= vR && dm <= vL ? 1 : 0;
  } else {
    const inv = 1 / w;
    cA = overlap(dlo, dhi, aR, aL) * inv;
    cV = (overlap(dlo, dhi, vR, aR) + overlap(dlo, dhi, aL, vL)) * inv;
  }
  const cG = 1 - cA - cV;
  let r = 0,
    g = 0,
    b = 0;
  if (cA > 0) {
    const inv = cam.asphaltInvTexel;
    const tex = cam.asphaltTile[((Math.floor(dm * inv) & TILE_MASK) << 6) | (Math.floor(sm * inv) & TILE_MASK)]!;
    const ar = cam.asphalt[0]!,
      ag = cam.asphalt[1]!,
      ab = cam.asphalt[2]!;
    const k = cA * (1 + cam.asphaltAmp * tex * fade(fp * inv));
    r += ar * k;
    g += ag * k;
    b += ab * k;
  }
  if (cV > 0) {
    const inv = cam.vergeInvTexel;
    const tex = cam.vergeTile[((Math.floor(dm * inv) & TILE_MASK) << 6) | (Math.floor(sm * inv) & TILE_MASK)]!;
    const k = cV * (1 + cam.vergeAmp * tex * fade(fp * inv));
    r += cam.verge[0]! * k;
    g += cam.verge[1]! * k;
    b += cam.verge[2]! * k;
  }
  if (cG > 1e-9) {
    const inv = cam.grassInvTexel;
    const tex = cam.grassTile[((Math.floor(y * inv) & TILE_MASK) << 6) | (Math.floor(x * inv) & TILE_MASK)]!;
    const k = cG * (1 + cam.grassAmp * tex * fade(fp * inv));
    r += cam.grass[0]! * k;
    g += cam.grass[1]! * k;
    b += cam.grass[2]! * k;
  }
  // Tyre tracks and painted lines over the surface: only those whose d-cells the footprint touches.
  let c0 = Math.floor((dlo - cam.stripeD0) * STRIPE_INV);
  let c1 = Math.floor((dhi - cam.stripeD0) * STRIPE_INV);
  if (c0 < 0) c0 = 0;
  if (c1 >= cam.stripeCells) c1 = cam.stripeCells - 1;
  let mask = 0;
  if (c1 >= c0) {
    const L = 31 - Math.clz32(c1 - c0 + 1);
    mask = cam.stripeRange[L * cam.stripeCells + c0]! | cam.stripeRange[L * cam.stripeCells + c1 - (1 << L) + 1]!;
  }
  if (mask !== 0) {
    const mk = cam.stripes;
    const point = w < 1e-4;
    const invW = point ? 0 : 1 / w;
    for (let m = 0; mask !== 0; m++, mask >>>= 1) {
      if ((mask & 1) === 0) continue;
      const o = m * MK_STRIDE;
      const lo = mk[o + MK_LO]!;
      const hi = mk[o + MK_HI]!;
      if (hi < dlo || lo > dhi) continue;
      let cov = point ? 1 : overlap(dlo, dhi, lo, hi) * invW;
      const len = mk[o + MK_DLEN]!;
      if (len > 0) cov *= dashCov(slo, shi, len, mk[o + MK_DPER]!, mk[o + MK_DPH]!, mk[o + MK_DINV]!);
      if (cov <= 0) continue;
      r += (mk[o + MK_R]! - r) * cov;
      g += (mk[o + MK_G]! - g) * cov;
      b += (mk[o + MK_B]! - b) * cov;
    }
  }
  out[0] = r;
  out[1] = g;
  out[2] = b;
}

/**
 * Roadside props (trees, bushes, poles, posts, signs) drawn as sprites over the shaded frame,
 * far to near, clipped at their base and hidden behind solid bonnet rows.
 */
import * as K from './constants.js';
import type { CameraState } from './state.js';

// Module-local copies of the shared constants (see ground-row.ts: imported bindings are read
// through their module cell at every use).
const INV255 = K.INV255,
  PROP_STRIDE = K.PROP_STRIDE;

/** Props as sprites, far to near, within the fog's reach ahead of the car. */
export function drawProps(cam: CameraState, hint: number): void {
  const n = cam.nProps;
  if (!n) return;
  const road = cam.road!;
  const sCar = hint * road.spacing;
  const reach = Math.min(400, cam.fogDistance * 6);
  const P = cam.props;
  // Binary search for the last prop with s <= sCar + reach.
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (P[mid * PROP_STRIDE]! <= sCar + reach) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo - 1; i >= 0; i--) {
    const o = i * PROP_STRIDE;
    if (P[o]! < sCar - 40) break;
    drawProp(cam, o);
  }
}

function drawProp(cam: CameraState, o: number): void {
  const brightness = cam.brightnessNow[0]!;
  const P = cam.props;
  const f = cam.focal;
  const W = cam.width;
  const H = cam.height;
  const ex = P[o + 1]! - cam.px;
  const ey = P[o + 2]! - cam.py;
  const eh = -cam.ph;
  const F = cam.F,
    R = cam.R,
    D = cam.D;
  const depth = ex * F[0]! + ey * F[1]! + eh * F[2]!;
  if (depth < 0.8) return;
  const height = P[o + 3]!;
  const radius = P[o + 4]!;
  const kind = P[o + 5]!;
  const sx = W / 2 + (f * (ex * R[0]! + ey * R[1]! + eh * R[2]!)) / depth;
  const baseY = H / 2 + (f * (ex * D[0]! + ey * D[1]! + eh * D[2]!)) / depth;
  const topDepth = depth + height * F[2]!;
  if (topDepth < 0.5) return;
  const topY = H / 2 + (f * (ex * D[0]! + ey * D[1]! + (eh + height) * D[2]!)) / topDepth;
  const rpx = (f * radius) / depth;
  const hpx = baseY - topY;
  if (hpx < 0.3) return;
  const halfSpan = kind === 0 || kind === 1 || kind === 4 ? rpx : Math.max(rpx, 0.35);
  if (sx + halfSpan < 0 || sx - halfSpan > W || baseY < 0 || topY > H) return;
  // Fog and light. The sun-facing side of round shapes is brighter.
  const fogK = depth / (depth + cam.fogDistance);
  const light = cam.lightProp;
  const sunSide = cam.sunSideX * -cam.R[1]! + cam.sunSideY * cam.R[0]!; // > 0: sun on the camera's left
  const hr = cam.horizon[0]!,
    hg = cam.horizon[1]!,
    hb = cam.horizon[2]!;
  const c1r = P[o + 6]! * light,
    c1g = P[o + 7]! * light,
    c1b = P[o + 8]! * light;
  const c2r = P[o + 9]! * light,
    c2g = P[o + 10]! * light,
    c2b = P[o + 11]! * light;
  const x0 = Math.max(0, Math.floor(sx - halfSpan - 1));
  const x1 = Math.min(W - 1, Math.ceil(sx + halfSpan + 1));
  const y0 = Math.max(0, Math.floor(topY - 1));
  // Rows of solid bonnet hide whatever stands behind them.
  const y1 = Math.min(cam.hoodTopRow - 1, Math.ceil(baseY));
  const frame = cam.frame;
  const hoodCov = cam.hoodCov;
  const obsT = cam.obsTarget;
  // Per-prop shape constants (pixels).
  const crownCy = baseY - hpx * 0.68;
  const crownRy = hpx * 0.34;
  const crownRx = Math.max(rpx, 0.4);
  const crownR = Math.min(crownRx, crownRy);
  const trunkW = Math.max(rpx * 0.18, 0.25);
  const bushCy = baseY - hpx * 0.5;
  const bushRy = hpx * 0.5;
  const bushR = Math.min(crownRx, bushRy);
  const poleW = Math.max(rpx, 0.2);
  const panelBottom = topY + Math.min(hpx * 0.45, 2 * rpx);
  const postW = Math.max(rpx * 0.12, 0.2);
  for (let yy = y0; yy <= y1; yy++) {
    const pyc = yy + 0.5;
    // Height fraction of this pixel row's centre within the prop (0 base, 1 top).
    const hf = (baseY - pyc) / hpx;
    const rv = Math.min(baseY - yy, yy + 1 - topY);
    const rowCov = rv < 0 ? 0 : rv > 1 ? 1 : rv; // vertical coverage of [topY, baseY]
    if (rowCov <= 0) continue;
    // The columns this row can touch (a round crown or bush is narrower away from its
    // middle); every column outside them has zero coverage.
    let xa = x0;
    let xb = x1;
    // A crown's or bush's vertical coordinate (in its radii) is the row's: computed once per row.
    let qy = 0;
    if (kind === 0 || kind === 1) {
      qy = (pyc - (kind === 0 ? crownCy : bushCy)) / (kind === 0 ? crownRy : bushRy);
      const lim = 1 + 0.5 / (kind === 0 ? crownR : bushR);
      const rem = lim * lim - qy * qy;
      let lo = W;
      let hi = -1;
      if (rem > 0 && (kind === 0 || pyc <= baseY + 0.5)) {
        const ext = crownRx * Math.sqrt(rem);
        // Covered columns have |xx + 0.5 - sx| < ext (beyond it, coverage <= 0).
        lo = Math.floor(sx - 0.5 - ext);
        hi = Math.ceil(sx - 0.5 + ext);
      }
      if (kind === 0 && hf < 0.45) {
        // The trunk overlaps column xx when sx - trunkW - 1 < xx < sx + trunkW.
        const tlo = Math.floor(sx - trunkW - 1);
        const thi = Math.ceil(sx + trunkW);
        if (tlo < lo) lo = tlo;
        if (thi > hi) hi = thi;
      }
      if (lo > xa) xa = lo;
      if (hi < xb) xb = hi;
    } else {
      // A pole, post or sign overlaps column xx when sx - w - 1 < xx < sx + w.
      const w = kind === 4 ? (rpx > postW ? rpx : postW) : poleW;
      const lo = Math.floor(sx - w - 1);
      const hi = Math.ceil(sx + w);
      if (lo > xa) xa = lo;
      if (hi < xb) xb = hi;
    }
    for (let xx = xa; xx <= xb; xx++) {
      const p = yy * W + xx;
      const hcov = hoodCov[p]!;
      if (hcov >= 1) continue;
      const pxc = xx + 0.5;
      let cov = 0;
      let cr = c1r,
        cg = c1g,
        cb = c1b;
      // Clamping, overlaps and byte rounding are written out in this loop: V8 does not inline calls
      // into a function this large, and calls with float arguments allocate.
      if (kind === 0) {
        // Tree: trunk to 40% height, then a round crown.
        const qx = (pxc - sx) / crownRx;
        const q = Math.sqrt(qx * qx + qy * qy);
        const cv = (1 - q) * crownR + 0.5;
        const crown = cv < 0 ? 0 : cv > 1 ? 1 : cv;
        let trunk = 0;
        if (hf < 0.45) {
          const lo = xx > sx - trunkW ? xx : sx - trunkW;
          const hi = xx + 1 < sx + trunkW ? xx + 1 : sx + trunkW;
          const ov = hi > lo ? hi - lo : 0;
          trunk = (ov < 0 ? 0 : ov > 1 ? 1 : ov) * rowCov;
        }
        if (crown >= trunk) {
          cov = crown;
          const side = 0.85 + 0.2 * qx * sunSide;
          cr *= side;
          cg *= side;
          cb *= side;
        } else {
          cov = trunk;
          cr = c2r;
          cg = c2g;
          cb = c2b;
        }
      } else if (kind === 1) {
        const qx = (pxc - sx) / crownRx;
        const q = Math.sqrt(qx * qx + qy * qy);
        const cv = (1 - q) * bushR + 0.5;
        cov = (cv < 0 ? 0 : cv > 1 ? 1 : cv) * (pyc <= baseY + 0.5 ? 1 : 0);
        const side = 0.85 + 0.2 * qx * sunSide;
        cr *= side;
        cg *= side;
        cb *= side;
      } else if (kind === 2 || kind === 3) {
        const lo = xx > sx - poleW ? xx : sx - poleW;
        const hi = xx + 1 < sx + poleW ? xx + 1 : sx + poleW;
        const ov = hi > lo ? hi - lo : 0;
        cov = (ov < 0 ? 0 : ov > 1 ? 1 : ov) * rowCov;
        if (kind === 3 && hf > 0.75 && hf < 0.9) {
          cr = c2r;
          cg = c2g;
          cb = c2b;
        }
      } else {
        // Sign: a grey post with a square panel (side 2 * radius) at the top.
        const panelTop = topY;
        if (pyc <= panelBottom) {
          const lo = xx > sx - rpx ? xx : sx - rpx;
          const hi = xx + 1 < sx + rpx ? xx + 1 : sx + rpx;
          const ov = hi > lo ? hi - lo : 0;
          const vv = Math.min(panelBottom - yy, yy + 1 - panelTop);
          cov = (ov < 0 ? 0 : ov > 1 ? 1 : ov) * (vv < 0 ? 0 : vv > 1 ? 1 : vv);
          const border =
            Math.abs(pxc - sx) > rpx * 0.78 || pyc - panelTop < (panelBottom - panelTop) * 0.12 || panelBottom - pyc < (panelBottom - panelTop) * 0.12;
          if (border) {
            cr = c2r;
            cg = c2g;
            cb = c2b;
          }
        } else {
          const lo = xx > sx - postW ? xx : sx - postW;
          const hi = xx + 1 < sx + postW ? xx + 1 : sx + postW;
          const ov = hi > lo ? hi - lo : 0;
          cov = (ov < 0 ? 0 : ov > 1 ? 1 : ov) * rowCov;
          cr = 0.45 * light;
          cg = 0.45 * light;
          cb = 0.47 * light;
        }
      }
      cov *= 1 - hcov;
      if (cov <= 0.002) continue;
      cr = (cr + (hr - cr) * fogK) * brightness;
      cg = (cg + (hg - cg) * fogK) * brightness;
      cb = (cb + (hb - cb) * fogK) * brightness;
      const q = p * 3;
      const vr = (frame[q]! / 255) * (1 - cov) + cr * cov;
      const vg = (frame[q + 1]! / 255) * (1 - cov) + cg * cov;
      const vb = (frame[q + 2]! / 255) * (1 - cov) + cb * cov;
      const br = vr <= 0 ? 0 : vr >= 1 ? 255 : (vr * 255 + 0.5) | 0;
      const bg = vg <= 0 ? 0 : vg >= 1 ? 255 : (vg * 255 + 0.5) | 0;
      const bb = vb <= 0 ? 0 : vb >= 1 ? 255 : (vb * 255 + 0.5) | 0;
      frame[q] = br;
      frame[q + 1] = bg;
      frame[q + 2] = bb;
      if (obsT !== null) {
        obsT[q] = br * INV255;
        obsT[q + 1] = bg * INV255;
        obsT[q + 2] = bb * INV255;
      }
    }
  }
}

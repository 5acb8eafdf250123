/**
 * Casting the driver camera's samples (pixel corners with anti-aliasing, centres without): each
 * ray to the sky, the bonnet or the ground, with its depth, fog factor, map point and road-local
 * (s, d). castCorners runs the WebAssembly kernel (../corner-kernel.ts); castCornersTs is the same
 * arithmetic in TypeScript, step for step (tests compare the two bit for bit).
 */
import * as K from './constants.js';
import { elevation } from './pixel-math.js';
import type { CameraState } from './state.js';

// Module-local copies of the shared constants (see ground-row.ts: imported bindings are read
// through their module cell at every use).
const FAR = K.FAR,
  MAX_DEPTH = K.MAX_DEPTH,
  NEAR = K.NEAR,
  PENDING = K.PENDING,
  SKY = K.SKY;

/** Casts the frame's samples from the current pose; `hint` is a road sample index near the camera. */
export function castCorners(cam: CameraState, hint: number): void {
  if (!cam.kernelCast) {
    castCornersTs(cam, hint);
    return;
  }
  const p = cam.cornerParams;
  p[0] = cam.px;
  p[1] = cam.py;
  p[2] = cam.ph;
  p[3] = cam.F[0]!;
  p[4] = cam.F[1]!;
  p[5] = cam.F[2]!;
  p[6] = cam.R[0]!;
  p[7] = cam.R[1]!;
  p[8] = cam.R[2]!;
  p[9] = cam.D[0]!;
  p[10] = cam.D[1]!;
  p[11] = cam.D[2]!;
  p[12] = cam.fogDistance;
  p[13] = hint;
  p[14] = cam.antiAlias && !cam.referenceShading ? 1 : 0;
  cam.kernel.cast();
}

/** castCorners in TypeScript: what the kernel (corners.as.ts) computes, step for step. */
function castCornersTs(cam: CameraState, hint: number): void {
  const road = cam.road!;
  const band = road.band;
  const gw = cam.gw;
  const gh = cam.gh;
  const f = cam.focal;
  const cx = cam.width / 2;
  const cy = cam.height / 2;
  const off = cam.gOffset;
  const px = cam.px;
  const py = cam.py;
  const ph = cam.ph;
  const F = cam.F;
  const R = cam.R;
  const D = cam.D;
  const Fx = F[0]!,
    Fy = F[1]!,
    Fh = F[2]!;
  const Rx = R[0]!,
    Ry = R[1]!,
    Rh = R[2]!;
  const Dx = D[0]!,
    Dy = D[1]!,
    Dh = D[2]!;
  const cS = cam.cS,
    cD = cam.cD,
    cT = cam.cT,
    cX = cam.cX,
    cY = cam.cY,
    cE = cam.cE,
    cK = cam.cK,
    cF = cam.cF,
    cV = cam.cV;
  const fogD = cam.fogDistance;
  const hood = cam.cHood;
  const uCol = cam.uCol;
  let rowHint = hint;
  const RX = road.x,
    RY = road.y,
    RTX = road.tx,
    RTY = road.ty,
    RK = road.curvature;
  const rSp = road.spacing,
    rInvSp = road.invSpacing,
    rLast = road.n - 1;
  let pS = 0,
    pD = 0,
    pI = 0;
  const invPh = 1 / ph;
  const rowHood = cam.rowHood;
  const H = cam.height;
  // Samples that no pixel of the fast shading reads are skipped; the reference path casts all.
  const skipUnread = cam.antiAlias && !cam.referenceShading;
  // Bottom (near) rows first, so the road hint travels outwards from the car.
  for (let r = gh - 1; r >= 0; r--) {
    // A corner row between two pixel rows of solid bonnet is never read.
    if (skipUnread && (r === H || rowHood[r]) && (r === 0 || rowHood[r - 1])) {
      cam.rowSky[r] = 0;
      cam.rowPartial[r] = 0;
      continue;
    }
    const v = (r + off - cy) / f;
    const bx = Fx + v * Dx;
    const by = Fy + v * Dy;
    const bh = Fh + v * Dh;
    let last = -1;
    let firstInRow = -1;
    const base = r * gw;
    const uFirst = (off - cx) / f;
    const uLast = (gw - 1 + off - cx) / f;
    if (bh + uFirst * Rh >= 0 && bh + uLast * Rh >= 0) {
      // The whole row looks at the sky: elevation sines at the ends, linear in between.
      const e0 = elevation(bx + uFirst * Rx, by + uFirst * Ry, bh + uFirst * Rh);
      const e1 = elevation(bx + uLast * Rx, by + uLast * Ry, bh + uLast * Rh);
      const de = gw > 1 ? (e1 - e0) / (gw - 1) : 0;
      const uStep = 1 / f;
      // When the pixel row below is all sky as well, its shading reads only the first two
      // corners of this row (and so does the row above, which is sky too): write those; the
      // rest only if a ground row turns out to need them (completeSkyRow).
      const n = skipUnread && r + 1 < gh && cam.rowSky[r + 1] ? 2 : gw;
      for (let c = 0; c < n; c++) {
        cK[base + c] = SKY;
        cE[base + c] = e0 + c * de;
        cV[base + c] = bh + (uFirst + c * uStep) * Rh;
      }
      cam.rowSky[r] = 1;
      cam.rowPartial[r] = n < gw ? 1 : 0;
      cam.rowE0[r] = e0;
      cam.rowDe[r] = de;
      cam.rowBh[r] = bh;
      continue;
    }
    cam.rowPartial[r] = 0;
    cam.rowSky[r] = 0;
    for (let c = 0; c < gw; c++) {
      const i = base + c;
      if (hood[i]! > 3) {
        // Deep inside the bonnet: every pixel touching this corner is bonnet (coverage 1).
        cK[i] = SKY;
        cE[i] = 0;
        continue;
      }
      const u = uCol[c]!;
      const dh = bh + u * Rh;
      const dx = bx + u * Rx;
      const dy = by + u * Ry;
      cV[i] = dh;
      if (dh >= -1e-9) {
        cK[i] = SKY;
        cE[i] = elevation(dx, dy, dh);
        continue;
      }
      const t = -ph / dh;
      if (t > MAX_DEPTH) {
        cK[i] = FAR;
        cT[i] = MAX_DEPTH;
        cF[i] = MAX_DEPTH / (MAX_DEPTH + fogD);
        cX[i] = px + t * dx;
        cY[i] = py + t * dy;
        continue;
      }
      const x = px + t * dx;
      const y = py + t * dy;
      cT[i] = t;
      cX[i] = x;
      cY[i] = y;
      // t / (t + fogD), from dh directly (a division that does not wait for t's).
      cF[i] = ph / (ph - fogD * dh);
      if ((c & 1) === 1 && last >= 0 && c + 1 < gw) {
        // Every other corner on the road: interpolated after the row (see below).
        cK[i] = PENDING;
        continue;
      }
      let ok = false;
      if (last >= 0) {
        // Coherent with the previous corner of the row: walk from its answer (Road.project,
        // written out here: a call with float arguments costs more than the walk itself).
        let j = last;
        for (let iter = 0; iter < 12; iter++) {
          const ex = x - RX[j]!;
          const ey = y - RY[j]!;
          const tx = RTX[j]!;
          const ty = RTY[j]!;
          const u = ex * tx + ey * ty;
          const v = ey * tx - ex * ty;
          const k = RK[j]!;
          const den = 1 - k * v;
          if (den < 0.25) break;
          const sig = u / den;
          const step = Math.round(sig * rInvSp);
          if (step === 0) {
            pS = j * rSp + sig;
            pD = v - 0.5 * k * u * sig;
            pI = j;
            ok = true;
            break;
          }
          if (iter === 11) {
            ok = road.settleByBisection(x, y, j, step > 0 ? 1 : -1);
            pS = road.ps;
            pD = road.pd;
            pI = road.pi;
            break;
          }
          let jn = j + step;
          if (jn < 0) jn = 0;
          else if (jn > rLast) jn = rLast;
          if (jn === j) break;
          j = jn;
        }
      } else {
        const g = road.hintAt(cX, cY, i);
        if (g < 0) {
          cK[i] = FAR;
          continue;
        }
        const start = rowHint >= 0 ? rowHint : g;
        ok = road.projectAt(cX, cY, i, start);
        if (!ok && start !== g) ok = road.projectAt(cX, cY, i, g);
        pS = road.ps;
        pD = road.pd;
        pI = road.pi;
      }
      if (last >= 0 && !(ok && pD <= band && pD >= -band)) {
        // Lost the road from the previous corner: another part of the road may still be near.
        const g = road.hintAt(cX, cY, i);
        if (g >= 0 && (g > last + 30 || g < last - 30)) {
          ok = road.projectAt(cX, cY, i, g);
          pS = road.ps;
          pD = road.pd;
          pI = road.pi;
        }
      }
      if (ok && pD <= band && pD >= -band) {
        cK[i] = NEAR;
        cS[i] = pS;
        cD[i] = pD;
        last = pI;
        if (firstInRow < 0) firstInRow = last;
      } else {
        cK[i] = FAR;
        last = -1;
      }
    }
    // Pending corners: the row's ground hits lie on one straight line, so s and d between two
    // road corners follow the centreline's local circle to within kappa * spacing^2 / 8
    // (7 mm at 50 m ahead on the tightest bends); interpolate by position along that line.
    for (let c = 1; c < gw - 1; c += 2) {
      const i = base + c;
      if (cK[i] !== PENDING) continue;
      const a = i - 1;
      const b = i + 1;
      if (cK[a] === NEAR && cK[b] === NEAR) {
        // The ground point of ray u is a projective function of u: the middle corner lies at
        // 0.5 * dh(b) / dh(i) = -0.5 * dh(b) * t(i) / ph of the way from a to b.
        const lam = -0.5 * cV[b]! * cT[i]! * invPh;
        cS[i] = cS[a]! + lam * (cS[b]! - cS[a]!);
        cD[i] = cD[a]! + lam * (cD[b]! - cD[a]!);
        cK[i] = NEAR;
        continue;
      }
      // At the edge of the road band: project exactly.
      const g = road.hintAt(cX, cY, i);
      let start = g;
      if (cK[a] === NEAR) {
        start = (cS[a]! * rInvSp) | 0; // Road.indexAt, written out
        start = start < 0 ? 0 : start > rLast - 1 ? rLast - 1 : start;
      }
      let ok = g >= 0 && road.projectAt(cX, cY, i, start);
      if (!ok && g >= 0 && start !== g) ok = road.projectAt(cX, cY, i, g);
      if (ok && road.pd <= band && road.pd >= -band) {
        cK[i] = NEAR;
        cS[i] = road.ps;
        cD[i] = road.pd;
      } else {
        cK[i] = FAR;
      }
    }
    if (firstInRow >= 0) rowHint = firstInRow;
  }
}

/** Writes the corners castCorners left out of sky row r (see there). */
export function completeSkyRow(cam: CameraState, r: number): void {
  const gw = cam.gw;
  const base = r * gw;
  const e0 = cam.rowE0[r]!,
    de = cam.rowDe[r]!,
    bh = cam.rowBh[r]!;
  const Rh = cam.R[2]!;
  const uStep = 1 / cam.focal;
  const uFirst = (cam.gOffset - cam.width / 2) / cam.focal;
  for (let c = 2; c < gw; c++) {
    cam.cK[base + c] = SKY;
    cam.cE[base + c] = e0 + c * de;
    cam.cV[base + c] = bh + (uFirst + c * uStep) * Rh;
  }
  cam.rowPartial[r] = 0;
}

/**
 * The car's bonnet in the driver camera: its coverage per sample and pixel (a function of the
 * camera mount only, recomputed when the mount moves) and its template image per brightness,
 * from which the shading loops copy runs of solid bonnet pixels.
 */
import { CAR } from '../car-spec.js';
import { UNIT } from './constants.js';
import { coverage4 } from './pixel-math.js';
import type { CameraState } from './state.js';

/**
 * The bonnet's signed coverage value per sample (body frame; depends on the mount only). The
 * bonnet is a surface sloping from the windscreen base (CAR.hoodRearX, 0.15 m above the front
 * edge) down to the front edge (CAR.length / 2, CAR.hoodHeight), with rounded front corners.
 * The value is the distance (m) inside the bonnet's outline at the ray's hit, scaled to pixels.
 */
export function computeHood(cam: CameraState): void {
  // Unchanged mount (a new road, say): the bonnet's geometry is what it was.
  const key = cam.hoodKey;
  const bF = cam.bodyF,
    bR = cam.bodyR,
    bD = cam.bodyD,
    bP = cam.bodyPos;
  cam.bodyDirty = false;
  if (
    cam.hoodValid &&
    key[0] === bF[0] &&
    key[1] === bF[1] &&
    key[2] === bF[2] &&
    key[3] === bR[0] &&
    key[4] === bR[1] &&
    key[5] === bR[2] &&
    key[6] === bD[0] &&
    key[7] === bD[1] &&
    key[8] === bD[2] &&
    key[9] === bP[0] &&
    key[10] === bP[1] &&
    key[11] === bP[2]
  )
    return;
  key.set(bF, 0);
  key.set(bR, 3);
  key.set(bD, 6);
  key.set(bP, 9);
  const gw = cam.gw;
  const gh = cam.gh;
  const f = cam.focal;
  const cx = cam.width / 2;
  const cy = cam.height / 2;
  const off = cam.gOffset;
  const [Fx, Fy, Fz] = cam.bodyF as unknown as [number, number, number];
  const [Rx, Ry, Rz] = cam.bodyR as unknown as [number, number, number];
  const [Dx, Dy, Dz] = cam.bodyD as unknown as [number, number, number];
  const [ox, oy, oz] = cam.bodyPos as unknown as [number, number, number];
  const front = CAR.length / 2;
  const rear = CAR.hoodRearX;
  const halfW = CAR.width / 2 - 0.04;
  const frontY = CAR.hoodHeight - cam.groundOffset; // body frame: the chassis centre is the origin
  const slope = 0.15 / (front - rear); // rise per metre towards the windscreen
  const hood = cam.cHood;
  for (let r = 0; r < gh; r++) {
    const v = (r + off - cy) / f;
    for (let c = 0; c < gw; c++) {
      const u = (c + off - cx) / f;
      const dx = Fx + u * Rx + v * Dx;
      const dy = Fy + u * Ry + v * Dy;
      const dz = Fz + u * Rz + v * Dz;
      // Surface y(x) = frontY + slope * (front - x); ray o + k d.
      const den = dy + slope * dx;
      let val = -f;
      if (cam.hoodOn && den < -1e-9) {
        const k = (frontY + slope * (front - ox) - oy) / den;
        if (k > 0) {
          const x = ox + k * dx;
          const z = oz + k * dz;
          const along = (x - rear) / (front - rear); // 0 at the windscreen, 1 at the front
          const wHere = halfW - 0.25 * along * along * along;
          const zn = z / halfW;
          const frontEdge = front - 0.22 * zn * zn; // the edge curves back at the corners
          const inFront = frontEdge - x;
          const inSide = wHere - Math.abs(z);
          val = ((inFront < inSide ? inFront : inSide) / k) * f;
        }
      }
      hood[r * gw + c] = val;
    }
  }
  // Per-pixel coverage.
  const W = cam.width;
  const H = cam.height;
  const cov = cam.hoodCov;
  for (let r = 0; r < H; r++) {
    for (let c = 0; c < W; c++) {
      let a: number;
      if (cam.antiAlias) {
        const i = r * gw + c;
        a = coverage4(hood[i]!, hood[i + 1]!, hood[i + gw]!, hood[i + gw + 1]!);
      } else {
        a = hood[r * gw + c]! > 0 ? 1 : 0;
      }
      cov[r * W + c] = a;
    }
    let full = 1;
    for (let c = 0; c < W; c++) if (cov[r * W + c]! < 1) full = 0;
    cam.rowHood[r] = full;
  }
  // Runs of solid bonnet pixels: views into the bonnet's template image (filled per brightness
  // by hoodTemplate), copied in one call each by the shading loops.
  cam.hoodRun8.fill(null);
  cam.hoodRunF.fill(null);
  for (let r = 0; r < H; r++) {
    for (let c = 0; c < W;) {
      if (cov[r * W + c]! < 1) {
        c++;
        continue;
      }
      let e = c;
      while (e < W && cov[r * W + e]! >= 1) e++;
      const p = r * W + c;
      cam.hoodRun8[p] = cam.hoodBytes.subarray(p * 3, (r * W + e) * 3);
      cam.hoodRunF[p] = cam.hoodFloats.subarray(p * 3, (r * W + e) * 3);
      cam.hoodRunEnd[p] = e;
      c = e;
    }
  }
  let top = H;
  while (top > 0 && cam.rowHood[top - 1]) top--;
  cam.hoodTopRow = top;
  cam.hoodTemplateBrightness = NaN;
  cam.hoodValid = true;
  cam.bodyDirty = false;
}

/**
 * Fills the bonnet's template image (bytes and floats of every solid bonnet pixel) for the
 * frame's brightness, with the same arithmetic as the shading loops used per pixel.
 */
export function hoodTemplate(cam: CameraState, brightness: number): void {
  if (brightness === cam.hoodTemplateBrightness) return;
  const W = cam.width;
  const H = cam.height;
  const b255 = 255 * brightness;
  const hood0 = cam.hood[0]!,
    hood1 = cam.hood[1]!,
    hood2 = cam.hood[2]!;
  for (let r = 0; r < H; r++) {
    const hoodShade = 1 - 0.25 * (r / H);
    let zr: number, zg: number, zb: number;
    // Rows of solid bonnet and partly-bonnet ground rows grouped the products differently;
    // both groupings are kept so the bytes stay what they were.
    if (cam.rowHood[r]) {
      const shade = hoodShade * b255;
      zr = hood0 * shade;
      zg = hood1 * shade;
      zb = hood2 * shade;
    } else {
      zr = hood0 * hoodShade * b255;
      zg = hood1 * hoodShade * b255;
      zb = hood2 * hoodShade * b255;
    }
    const qr = zr <= 0 ? 0 : zr >= 255 ? 255 : (zr + 0.5) | 0;
    const qg = zg <= 0 ? 0 : zg >= 255 ? 255 : (zg + 0.5) | 0;
    const qb = zb <= 0 ? 0 : zb >= 255 ? 255 : (zb + 0.5) | 0;
    for (let c = 0; c < W; c++) {
      const o = (r * W + c) * 3;
      cam.hoodBytes[o] = qr;
      cam.hoodBytes[o + 1] = qg;
      cam.hoodBytes[o + 2] = qb;
      cam.hoodFloats[o] = UNIT[qr]!;
      cam.hoodFloats[o + 1] = UNIT[qg]!;
      cam.hoodFloats[o + 2] = UNIT[qb]!;
    }
  }
  cam.hoodTemplateBrightness = brightness;
}

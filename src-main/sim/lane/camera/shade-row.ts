/**
 * The anti-aliased fast path, one pixel row at a time: solid bonnet rows and sky rows copied
 * from template rows (or converted once per table entry), rows that see the ground handed to
 * shadeGroundRow (ground-row.ts).
 */
import * as K from './constants.js';
import { shadeGroundRow } from './ground-row.js';
import { completeSkyRow } from './rays.js';
import type { CameraState } from './state.js';

// Module-local copies of the shared constants: V8 reads an imported binding through its module
// cell at every use, a module-local const like a literal (the per-pixel loops below use them).
const INV255 = K.INV255,
  SKY_LUT = K.SKY_LUT,
  SKY_TOP = K.SKY_TOP,
  UNIT = K.UNIT;

/**
 * One pixel row of the anti-aliased shading, the hot path of every frame: the same image as
 * the general shadePixels() (tested to within rounding; see referenceShading), faster. Sky
 * rows and bonnet rows are copied from template rows where they can be; rows that see the
 * ground go to shadeGroundRow(). Bytes are rounded once and the float observation is written
 * from them in the same pass.
 */
export function shadeRowAA(cam: CameraState, r: number): void {
  const brightness = cam.brightnessNow[0]!;
  const W = cam.width;
  const gw = cam.gw;
  const out8 = cam.frame;
  const obsT = cam.obsTarget;
  const cE = cam.cE;
  const rowSky = cam.rowSky;
  const lut = cam.skyLut;
  const lutScale = SKY_LUT / SKY_TOP;
  const b255 = 255 * brightness;
  let p = r * W;
  if (cam.rowHood[r]) {
    // Solid bonnet: the row of the bonnet's template image.
    out8.set(cam.hoodRun8[p]!, p * 3);
    if (obsT !== null) obsT.set(cam.hoodRunF[p]!, p * 3);
    return;
  }
  if (rowSky[r] && rowSky[r + 1]) {
    const base = r * gw;
    const e0 = 0.25 * (cE[base]! + cE[base + 1]! + cE[base + gw]! + cE[base + gw + 1]!);
    const de = 0.5 * (cE[base + 1]! - cE[base]! + cE[base + gw + 1]! - cE[base + gw]!);
    const eEnd = e0 + (W - 1) * de;
    const kA = e0 <= 0 ? 0 : e0 >= SKY_TOP ? SKY_LUT : (e0 * lutScale) | 0;
    const kB = eEnd <= 0 ? 0 : eEnd >= SKY_TOP ? SKY_LUT : (eEnd * lutScale) | 0;
    if (kA === kB) {
      // One table entry over the whole row (the elevation is monotonic along it): copy that
      // entry's row, converted once per brightness.
      if (brightness !== cam.skyRowBrightness) {
        cam.skyRowBrightness = brightness;
        cam.skyRowReady.fill(0);
      }
      if (!cam.skyRowReady[kA]) fillSkyRow(cam, kA, b255);
      out8.set(cam.skyRow8[kA]!, p * 3);
      if (obsT !== null) obsT.set(cam.skyRowF[kA]!, p * 3);
      return;
    }
    // The table entry changes a few times per row at most: convert it to bytes only then.
    let kPrev = -1;
    let qr = 0,
      qg = 0,
      qb = 0;
    for (let c = 0; c < W; c++, p++) {
      const e = e0 + c * de;
      const k = e <= 0 ? 0 : e >= SKY_TOP ? SKY_LUT * 3 : ((e * lutScale) | 0) * 3;
      const o = p * 3;
      if (k !== kPrev) {
        kPrev = k;
        const zr = lut[k]! * b255,
          zg = lut[k + 1]! * b255,
          zb = lut[k + 2]! * b255;
        qr = zr <= 0 ? 0 : zr >= 255 ? 255 : (zr + 0.5) | 0;
        qg = zg <= 0 ? 0 : zg >= 255 ? 255 : (zg + 0.5) | 0;
        qb = zb <= 0 ? 0 : zb >= 255 ? 255 : (zb + 0.5) | 0;
      }
      out8[o] = qr;
      out8[o + 1] = qg;
      out8[o + 2] = qb;
      if (obsT !== null) {
        obsT[o] = qr * INV255;
        obsT[o + 1] = qg * INV255;
        obsT[o + 2] = qb * INV255;
      }
    }
    return;
  }
  if (cam.rowPartial[r]) completeSkyRow(cam, r);
  if (cam.rowPartial[r + 1]) completeSkyRow(cam, r + 1);
  shadeGroundRow(cam, r, p);
}

/** Fills the template row of sky table entry k (bytes and floats) for brightness b255 / 255. */
function fillSkyRow(cam: CameraState, k: number, b255: number): void {
  const lut = cam.skyLut;
  const zr = lut[k * 3]! * b255,
    zg = lut[k * 3 + 1]! * b255,
    zb = lut[k * 3 + 2]! * b255;
  const qr = zr <= 0 ? 0 : zr >= 255 ? 255 : (zr + 0.5) | 0;
  const qg = zg <= 0 ? 0 : zg >= 255 ? 255 : (zg + 0.5) | 0;
  const qb = zb <= 0 ? 0 : zb >= 255 ? 255 : (zb + 0.5) | 0;
  const row8 = cam.skyRow8[k]!;
  const rowF = cam.skyRowF[k]!;
  for (let o = 0; o < row8.length; o += 3) {
    row8[o] = qr;
    row8[o + 1] = qg;
    row8[o + 2] = qb;
    rowF[o] = UNIT[qr]!;
    rowF[o + 1] = UNIT[qg]!;
    rowF[o + 2] = UNIT[qb]!;
  }
  cam.skyRowReady[k] = 1;
}

/** Loading a scene into the driver camera: colours, markings, textures, props and lighting. */
import type { LaneScene, Rgb } from '../../../../src-shared/scene/lane-scene.js';
import { makeNoiseTile } from '../../../../src-shared/scene/texture.js';
import type { Road } from '../road.js';
import { MK_HI, MK_LO, PROP_KIND, PROP_STRIDE, SKY_LUT, STRIPE_CELL, STRIPE_INV, TILE } from './constants.js';
import type { CameraState } from './state.js';

/** Loads the scene's colours, markings, textures, props and lighting (once per episode). */
export function loadScene(cam: CameraState, scene: LaneScene, road: Road): void {
  cam.road = road;
  if (cam.kernel.setRoad(road)) cam.bindViews();
  const L = scene.lighting;
  const sunUp = Math.sin(L.sunElevation);
  const light = L.ambient + L.sunIntensity * Math.max(0, sunUp);
  const lit = (c: Rgb, out: Float64Array, k = light) => {
    out[0] = c[0] * k * L.tint[0];
    out[1] = c[1] * k * L.tint[1];
    out[2] = c[2] * k * L.tint[2];
  };
  lit(scene.surface.asphalt, cam.asphalt);
  lit(scene.surface.verge, cam.verge);
  lit(scene.surface.grass, cam.grass);
  // The bonnet reflects some sky: lit paint mixed towards the horizon colour.
  lit(scene.car.color, cam.hood, 0.55 + 0.35 * light);
  for (let i = 0; i < 3; i++) cam.hood[i] = 0.8 * cam.hood[i]! + 0.2 * scene.sky.horizon[i]! * 0.7;
  for (let i = 0; i < 3; i++) {
    cam.zenith[i] = scene.sky.zenith[i]!;
    cam.horizon[i] = scene.sky.horizon[i]!;
  }
  cam.fogDistance = scene.sky.fogDistance;
  for (let k = 0; k <= SKY_LUT; k++) {
    const t = k / SKY_LUT;
    const w = t * (2 - t); // ease-out: the haze band hugs the horizon
    for (let ch = 0; ch < 3; ch++) cam.skyLut[k * 3 + ch] = cam.horizon[ch]! + (cam.zenith[ch]! - cam.horizon[ch]!) * w;
  }
  cam.skyRowBrightness = NaN;
  cam.sunDir[0] = Math.cos(L.sunElevation) * Math.cos(L.sunAzimuth);
  cam.sunDir[1] = Math.cos(L.sunElevation) * Math.sin(L.sunAzimuth);
  cam.sunDir[2] = sunUp;
  cam.sunGlow = L.sunIntensity;
  const x = scene.cross;
  cam.asphaltLeft = x.asphaltLeft;
  cam.asphaltRight = x.asphaltRight;
  cam.vergeLeft = x.vergeLeft;
  cam.vergeRight = x.vergeRight;
  // Stripes: tyre tracks (darker bands 0.6 m wide at +-0.8 m from every lane's centre), then
  // the painted lines, each blended over what is below it.
  const rows: number[][] = [];
  const t = scene.surface.tyreTracks;
  if (t > 0.005) {
    for (let lane = 0; lane < x.laneCount; lane++) {
      for (const side of [-0.8, 0.8]) {
        const centre = lane * x.laneWidth + side;
        rows.push([centre - 0.3, centre + 0.3, cam.asphalt[0]! * (1 - t), cam.asphalt[1]! * (1 - t), cam.asphalt[2]! * (1 - t), 0, 1, 0, 1]);
      }
    }
  }
  for (const m of scene.markings) {
    rows.push([
      m.offset - m.width / 2,
      m.offset + m.width / 2,
      m.color[0] * light * L.tint[0],
      m.color[1] * light * L.tint[1],
      m.color[2] * light * L.tint[2],
      m.dash ? m.dash.length : 0,
      m.dash ? m.dash.period : 1,
      m.dash ? m.dash.phase : 0,
      m.dash ? 1 / m.dash.period : 1,
    ]);
  }
  if (rows.length > 30) rows.length = 30;
  cam.nStripes = rows.length;
  cam.nTrackStripes = Math.min(rows.length, t > 0.005 ? 2 * x.laneCount : 0);
  cam.trackBits = cam.nTrackStripes ? (1 << cam.nTrackStripes) - 1 : 0;
  cam.trackDarkening = t;
  cam.stripes = Float64Array.from(rows.flat());
  // The table spans the road band [-band, band]; near samples never leave it.
  cam.stripeD0 = -road.band - STRIPE_CELL;
  cam.stripeCells = Math.ceil((2 * road.band + 2 * STRIPE_CELL) * STRIPE_INV) + 2;
  cam.stripeMask = new Int32Array(cam.stripeCells);
  rows.forEach((row, k) => {
    const c0 = Math.max(0, Math.floor((row[MK_LO]! - cam.stripeD0) * STRIPE_INV));
    const c1 = Math.min(cam.stripeCells - 1, Math.floor((row[MK_HI]! - cam.stripeD0) * STRIPE_INV));
    for (let c = c0; c <= c1; c++) cam.stripeMask[c] = cam.stripeMask[c]! | (1 << k);
  });
  // Sparse table for O(1) range ORs: level L, cell c holds the OR of cells c .. c + 2^L - 1.
  const cells = cam.stripeCells;
  const levels = 32 - Math.clz32(cells);
  cam.stripeRange = new Int32Array(levels * cells);
  cam.stripeRange.set(cam.stripeMask, 0);
  for (let L = 1; L < levels; L++) {
    const half = 1 << (L - 1);
    for (let c = 0; c + (1 << L) <= cells; c++) {
      cam.stripeRange[L * cells + c] = cam.stripeRange[(L - 1) * cells + c]! | cam.stripeRange[(L - 1) * cells + c + half]!;
    }
  }
  const s = scene.surface;
  cam.asphaltTile = makeNoiseTile(s.asphaltTexture.seed, TILE);
  cam.vergeTile = makeNoiseTile(s.vergeTexture.seed, TILE);
  cam.grassTile = makeNoiseTile(s.grassTexture.seed, TILE);
  cam.asphaltInvTexel = 1 / s.asphaltTexture.texel;
  cam.vergeInvTexel = 1 / s.vergeTexture.texel;
  cam.grassInvTexel = 1 / s.grassTexture.texel;
  cam.asphaltAmp = s.asphaltTexture.amplitude;
  cam.vergeAmp = s.vergeTexture.amplitude;
  cam.grassAmp = s.grassTexture.amplitude;
  // Props, in s order.
  cam.nProps = scene.props.length;
  cam.props = new Float64Array(cam.nProps * PROP_STRIDE);
  scene.props.forEach((p, i) => {
    const o = i * PROP_STRIDE;
    cam.props.set(
      [
        p.s,
        p.x,
        p.y,
        p.height,
        p.radius,
        PROP_KIND[p.kind]!,
        p.color[0] * L.tint[0],
        p.color[1] * L.tint[1],
        p.color[2] * L.tint[2],
        p.color2[0] * L.tint[0],
        p.color2[1] * L.tint[1],
        p.color2[2] * L.tint[2],
      ],
      o,
    );
  });
  cam.sunSideX = Math.cos(L.sunAzimuth);
  cam.sunSideY = Math.sin(L.sunAzimuth);
  cam.lightProp = light;
  // The bonnet's colour may have changed (its geometry depends on the mount only).
  cam.hoodTemplateBrightness = NaN;
  cam.bodyDirty = true;
}

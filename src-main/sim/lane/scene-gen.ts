/**
 * Builds the scene of one road seed: centreline, cross-section, markings, colours and textures,
 * sky, lighting and props, as a pure function of (config, seed). Separate random streams for
 * geometry, style, lighting and props, so switching one randomization off leaves the others
 * unchanged.
 */
import type { LaneEnvConfig } from '../../../src-shared/config/envs/lane.js';
import type { LaneCrossSection, LaneMarking, LaneProp, LaneScene, NoiseTexture, Rgb } from '../../../src-shared/scene/lane-scene.js';
import { hash32 } from '../../../src-shared/scene/texture.js';
import { Rng } from '../../core/rng.js';
import { CAR } from './car-spec.js';
import { Road } from './road.js';
import { generateRoadPieces, sampleRoad } from './road-gen.js';

/** Where episodes start along the road (m), and road kept ahead of the car for the camera (m). */
export const START_S = 30;
export const VIEW_AHEAD = 150;
/** Sample spacing of the centreline (m). */
export const ROAD_SPACING = 1;

export interface LaneWorld {
  scene: LaneScene;
  road: Road;
}

const deg = Math.PI / 180;

function stream(seed: number, k: number): Rng {
  return new Rng(hash32(seed, k, 0x1a2e));
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
const rgb = (r: number, g: number, b: number): Rgb => [clamp01(r), clamp01(g), clamp01(b)];
const mix = (a: Rgb, b: Rgb, t: number): Rgb => rgb(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t);
const round = (v: number, q: number) => Math.round(v / q) * q;

/** Every value of `src` rounded to a multiple of q, as a plain array (a loop: Array.from with a callback is several times slower). */
function roundAll(src: ArrayLike<number>, q: number): number[] {
  const out = new Array<number>(src.length);
  for (let i = 0; i < src.length; i++) out[i] = Math.round(src[i]! / q) * q;
  return out;
}

/** The tightest radius actually used: drivable at the target speed (4 m/s^2) and wider than the road band. */
export function effectiveMinRadius(config: LaneEnvConfig, band: number): number {
  return Math.max(config.road.minRadiusM, config.targetSpeedMps ** 2 / 4, band + 6);
}

const WHITE: Rgb = [0.9, 0.9, 0.88];
const YELLOW: Rgb = [0.93, 0.72, 0.16];

function crossSection(config: LaneEnvConfig, rng: Rng): { cross: LaneCrossSection; shoulder: number; verge: number } {
  const [w0, w1] = config.road.laneWidthM;
  const [c0, c1] = config.road.laneCount;
  const laneWidth = round(rng.uniform(w0, w1 + 1e-9), 0.05);
  const laneCount = c0 + rng.int(c1 - c0 + 1);
  const shoulder = rng.uniform(0.25, 1.0);
  const verge = rng.uniform(0.6, 3.0);
  const left = laneWidth / 2 + (laneCount - 1) * laneWidth + shoulder;
  const right = -laneWidth / 2 - shoulder;
  return {
    cross: { laneWidth, laneCount, egoLane: 0, asphaltLeft: left, asphaltRight: right, vergeLeft: left + verge, vergeRight: right - verge },
    shoulder,
    verge,
  };
}

function dashPattern(rng: Rng): { length: number; period: number; phase: number } {
  const choice = rng.int(4);
  const [length, period] = choice === 0 ? [3, 12] : choice === 1 ? [3, 9] : choice === 2 ? [6, 12] : [1.5, 4.5];
  return { length, period, phase: round(rng.uniform(0, period), 0.01) };
}

function markings(cross: LaneCrossSection, rng: Rng, randomStyle: boolean): LaneMarking[] {
  const out: LaneMarking[] = [];
  const w = cross.laneWidth;
  const lineW = randomStyle ? round(rng.uniform(0.1, 0.16), 0.01) : 0.12;
  const wear = randomStyle ? rng.uniform(0, 0.35) : 0;
  const faded = (c: Rgb): Rgb => mix(c, [0.4, 0.4, 0.4], wear);
  const edgeStyle = (): 'solid' | 'dashed' | 'none' => {
    if (!randomStyle) return 'solid';
    const r = rng.next();
    return r < 0.7 ? 'solid' : r < 0.82 ? 'dashed' : 'none';
  };
  const rightStyle = edgeStyle();
  const leftStyle = edgeStyle();
  if (rightStyle !== 'none') {
    out.push({ offset: -w / 2 - lineW / 2, width: lineW, color: faded(WHITE), dash: rightStyle === 'dashed' ? dashPattern(rng) : null, role: 'edge-right' });
  }
  const leftEdge = w / 2 + (cross.laneCount - 1) * w;
  if (leftStyle !== 'none') {
    out.push({ offset: leftEdge + lineW / 2, width: lineW, color: faded(WHITE), dash: leftStyle === 'dashed' ? dashPattern(rng) : null, role: 'edge-left' });
  }
  if (cross.laneCount >= 2) {
    // The line next to the ego lane: the centre line of a two-way road.
    const r = randomStyle ? rng.next() : 0;
    const style = r < 0.4 ? 'dashed' : r < 0.65 ? 'solid' : r < 0.85 ? 'double' : 'none';
    const color = randomStyle && rng.next() < 0.4 ? YELLOW : WHITE;
    const at = w / 2;
    if (style === 'double') {
      const gap = rng.uniform(0.08, 0.16);
      const half = gap / 2 + lineW / 2;
      out.push({ offset: at - half, width: lineW, color: faded(color), dash: null, role: 'centre' });
      out.push({ offset: at + half, width: lineW, color: faded(color), dash: null, role: 'centre' });
    } else if (style !== 'none') {
      out.push({ offset: at, width: lineW, color: faded(color), dash: style === 'dashed' ? dashPattern(rng) : null, role: 'centre' });
    }
    for (let k = 1; k < cross.laneCount - 1; k++) {
      out.push({ offset: w / 2 + k * w, width: lineW, color: faded(WHITE), dash: dashPattern(rng), role: 'lane' });
    }
  }
  out.sort((a, b) => a.offset - b.offset);
  return out;
}

function texture(rng: Rng, texelLo: number, texelHi: number, ampLo: number, ampHi: number): NoiseTexture {
  return { seed: rng.nextU32() & 0x7fffffff, size: 64, texel: round(rng.uniform(texelLo, texelHi), 0.01), amplitude: round(rng.uniform(ampLo, ampHi), 0.001) };
}

function surfaceAndSky(rng: Rng, randomStyle: boolean): Pick<LaneScene, 'surface' | 'sky'> & { carColor: Rgb } {
  if (!randomStyle) {
    return {
      surface: {
        asphalt: [0.33, 0.33, 0.34],
        asphaltTexture: { seed: 11, size: 64, texel: 0.25, amplitude: 0.1 },
        tyreTracks: 0.08,
        verge: [0.5, 0.46, 0.38],
        vergeTexture: { seed: 12, size: 64, texel: 0.2, amplitude: 0.15 },
        grass: [0.3, 0.47, 0.19],
        grassTexture: { seed: 13, size: 64, texel: 0.6, amplitude: 0.22 },
      },
      sky: { zenith: [0.32, 0.52, 0.85], horizon: [0.75, 0.83, 0.92], fogDistance: 160 },
      carColor: [0.7, 0.12, 0.1],
    };
  }
  const g = rng.uniform(0.2, 0.5);
  const hue = rng.uniform(-0.03, 0.03);
  const asphalt = rgb(g + hue, g, g - hue);
  const vk = rng.int(3);
  const verge: Rgb =
    vk === 0
      ? rgb(rng.uniform(0.45, 0.62), rng.uniform(0.42, 0.55), rng.uniform(0.35, 0.45))
      : vk === 1
        ? rgb(rng.uniform(0.35, 0.5), rng.uniform(0.27, 0.38), rng.uniform(0.16, 0.25))
        : rgb(rng.uniform(0.25, 0.4), rng.uniform(0.4, 0.55), rng.uniform(0.15, 0.25));
  const gk = rng.next();
  const grass: Rgb =
    gk < 0.6
      ? rgb(rng.uniform(0.18, 0.35), rng.uniform(0.35, 0.55), rng.uniform(0.08, 0.2))
      : gk < 0.85
        ? rgb(rng.uniform(0.5, 0.62), rng.uniform(0.47, 0.56), rng.uniform(0.25, 0.33))
        : rgb(rng.uniform(0.35, 0.45), rng.uniform(0.3, 0.38), rng.uniform(0.15, 0.22));
  const overcast = rng.next() < 0.3;
  const grey = rng.uniform(0.58, 0.78);
  const blue = rgb(rng.uniform(0.2, 0.42), rng.uniform(0.42, 0.62), rng.uniform(0.75, 0.95));
  const zen: Rgb = overcast ? rgb(grey, grey + 0.01, grey + 0.03) : blue;
  const horizon = mix(zen, [0.92, 0.93, 0.95], rng.uniform(0.45, 0.8));
  const carColors: Rgb[] = [
    [0.7, 0.12, 0.1],
    [0.12, 0.2, 0.5],
    [0.85, 0.85, 0.85],
    [0.1, 0.1, 0.11],
    [0.45, 0.47, 0.5],
    [0.15, 0.35, 0.2],
  ];
  return {
    surface: {
      asphalt,
      asphaltTexture: texture(rng, 0.15, 0.4, 0.05, 0.2),
      tyreTracks: round(rng.uniform(0, 0.15), 0.001),
      verge,
      vergeTexture: texture(rng, 0.12, 0.35, 0.08, 0.25),
      grass,
      grassTexture: texture(rng, 0.3, 1.0, 0.1, 0.3),
    },
    sky: { zenith: zen, horizon, fogDistance: round(rng.uniform(70, 260), 1) },
    carColor: carColors[rng.int(carColors.length)]!,
  };
}

function lighting(rng: Rng, random: boolean): LaneScene['lighting'] {
  if (!random) return { sunAzimuth: 2.2, sunElevation: 45 * deg, sunIntensity: 0.55, ambient: 0.6, tint: [1, 1, 1] };
  const elev = rng.uniform(15, 70) * deg;
  const intensity = rng.uniform(0.35, 0.7);
  // Keep flat-ground brightness (ambient + intensity * sin(elev)) within [0.75, 1.15].
  const target = rng.uniform(0.75, 1.15);
  const ambient = Math.max(0.2, target - intensity * Math.sin(elev));
  const warm = rng.uniform(-1, 1);
  // warm > 0: yellowish light (low sun); warm < 0: bluish (shade, overcast).
  const tint: Rgb = warm > 0 ? rgb(1, 1 - 0.06 * warm, 1 - 0.14 * warm) : rgb(1 + 0.06 * warm, 1 + 0.02 * warm, 1);
  return {
    sunAzimuth: round(rng.uniform(-Math.PI, Math.PI), 1e-4),
    sunElevation: round(elev, 1e-4),
    sunIntensity: round(intensity, 1e-4),
    ambient: round(ambient, 1e-4),
    tint,
  };
}

function props(rng: Rng, road: Road, cross: LaneCrossSection, startS: number, enabled: boolean): LaneProp[] {
  if (!enabled) return [];
  const out: LaneProp[] = [];
  const pose = new Float64Array(3);
  const place = (kind: LaneProp['kind'], s: number, d: number, height: number, radius: number, color: Rgb, color2: Rgb) => {
    if (s < 2 || s > road.length - 2) return;
    road.poseAt(s, d, pose);
    const x = pose[0]!;
    const y = pose[1]!;
    // Refuse props that would stand on the road (posts: on the asphalt; others: on the verge
    // too), here or where another part of the road passes by.
    const [lo, hi] = kind === 'post' ? [cross.asphaltRight - 0.2, cross.asphaltLeft + 0.2] : [cross.vergeRight - 0.3 - radius, cross.vergeLeft + 0.3 + radius];
    if (road.projectAny(x, y) && road.pd > lo && road.pd < hi) return;
    out.push({
      kind,
      s: round(s, 0.01),
      d: round(d, 0.01),
      x: round(x, 0.001),
      y: round(y, 0.001),
      height: round(height, 0.01),
      radius: round(radius, 0.01),
      color,
      color2,
    });
  };
  const treeDensity = 0.08 * rng.next() ** 1.5; // trees per metre of road per side
  const bushDensity = rng.uniform(0, 0.12);
  const postSpacing = rng.next() < 0.6 ? rng.uniform(25, 50) : 0;
  const poleSide = rng.next() < 0.5 ? (rng.next() < 0.5 ? -1 : 1) : 0;
  const poleSpacing = rng.uniform(35, 60);
  const treeGreen = rgb(rng.uniform(0.1, 0.25), rng.uniform(0.25, 0.45), rng.uniform(0.05, 0.15));
  const trunk: Rgb = [0.3, 0.22, 0.15];
  const sideEdge = (side: number) => (side > 0 ? cross.vergeLeft : cross.vergeRight);
  for (const side of [-1, 1]) {
    const edge = sideEdge(side);
    // Trees in loose clusters: a Poisson process whose rate varies along the road.
    let s = rng.uniform(0, 20);
    const clusterScale = rng.uniform(15, 40); // m: trees come in groups along the road
    while (s < road.length) {
      const local = treeDensity * (0.3 + 1.4 * Math.abs(Math.sin(s / clusterScale)));
      s += local > 1e-3 ? -Math.log(1 - rng.next()) / local : 1e9;
      if (s >= road.length) break;
      const dist = rng.uniform(1.5, 25);
      const h = rng.uniform(4, 12);
      const tone = rng.uniform(0.8, 1.2);
      place('tree', s, edge + side * dist, h, h * rng.uniform(0.18, 0.3), rgb(treeGreen[0] * tone, treeGreen[1] * tone, treeGreen[2] * tone), trunk);
    }
    s = rng.uniform(0, 30);
    while (s < road.length && bushDensity > 1e-3) {
      s += -Math.log(1 - rng.next()) / bushDensity;
      if (s >= road.length) break;
      const h = rng.uniform(0.6, 1.6);
      place('bush', s, edge + side * rng.uniform(0.8, 8), h, h * rng.uniform(0.6, 1.0), rgb(treeGreen[0] * 1.2, treeGreen[1] * 1.1, treeGreen[2]), trunk);
    }
    if (postSpacing > 0) {
      const phase = rng.uniform(0, postSpacing);
      for (let p = phase; p < road.length; p += postSpacing) {
        const asphaltEdge = side > 0 ? cross.asphaltLeft : cross.asphaltRight;
        const vergeWidth = Math.abs(edge - asphaltEdge);
        place('post', p, asphaltEdge + side * Math.max(0.4, 0.5 * vergeWidth), 1.0, 0.06, [0.92, 0.92, 0.9], side > 0 ? [0.95, 0.6, 0.1] : [0.9, 0.1, 0.1]);
      }
    }
  }
  if (poleSide !== 0) {
    const edge = sideEdge(poleSide);
    const pole: Rgb = rgb(rng.uniform(0.35, 0.5), rng.uniform(0.3, 0.4), rng.uniform(0.25, 0.3));
    for (let p = rng.uniform(0, poleSpacing); p < road.length; p += poleSpacing) place('pole', p, edge + poleSide * 2.5, 8, 0.12, pole, pole);
  }
  // Curve-warning signs ahead of tight bends, on the right.
  const kWarn = 1 / 60;
  let lastSign = -1e9;
  for (let i = 0; i < road.n; i += 5) {
    const s = i * road.spacing;
    if (Math.abs(road.curvature[i]!) > kWarn && s - lastSign > 150) {
      lastSign = s;
      place('sign', s - 60, cross.vergeRight - 0.8, 2.2, 0.35, [0.95, 0.8, 0.1], [0.1, 0.1, 0.1]);
    }
  }
  // Keep the start clear of clutter right in front of the camera, and sort along the road.
  return out.filter((p) => !(p.s > startS - 3 && p.s < startS + 6 && Math.abs(p.d) < 6)).sort((a, b) => a.s - b.s);
}

/** Builds the scene and the queryable road of a seed. */
export function buildLaneWorld(config: LaneEnvConfig, seed: number): LaneWorld {
  const geoRng = stream(seed, 1);
  const styleRng = stream(seed, 2);
  const lightRng = stream(seed, 3);
  const propRng = stream(seed, 4);
  const crossRng = stream(seed, 5);
  const { cross } = crossSection(config, crossRng);
  const band = Math.max(cross.vergeLeft, -cross.vergeRight) + 1;
  const minRadius = effectiveMinRadius(config, band);
  const pieces = generateRoadPieces(geoRng, {
    length: config.road.lengthM,
    minRadius,
    curviness: config.road.curviness,
    maxHeading: config.road.maxHeadingDeg * deg,
    leadIn: START_S + 20,
  });
  const total = pieces.reduce((a, p) => a + p.length, 0);
  const samples = sampleRoad(pieces, Math.min(total, config.road.lengthM), ROAD_SPACING);
  const road = new Road(samples, band);
  const { surface, sky, carColor } = surfaceAndSky(styleRng, config.randomize.style);
  const marks = markings(cross, styleRng, config.randomize.style);
  const light = lighting(lightRng, config.randomize.lighting);
  const c = config.camera;
  const scene: LaneScene = {
    version: 1,
    seed,
    road: {
      length: samples.length,
      pieces: pieces.map((p) => ({ length: p.length, k0: p.k0, k1: p.k1 })),
      spacing: samples.spacing,
      x: roundAll(samples.x, 0.001),
      y: roundAll(samples.y, 0.001),
      heading: roundAll(samples.heading, 1e-6),
      curvature: roundAll(samples.curvature, 1e-7),
    },
    cross,
    markings: marks,
    surface,
    sky,
    lighting: light,
    props: props(propRng, road, cross, START_S, config.randomize.props),
    camera: { width: c.width, height: c.height, hFovDeg: c.hFovDeg, forward: c.forwardM, heightAboveGround: c.heightM, pitchDeg: c.pitchDeg, hood: c.hood },
    car: {
      length: CAR.length,
      width: CAR.width,
      height: CAR.bodyHeight,
      hoodHeight: CAR.hoodHeight,
      wheelbase: CAR.wheelbase,
      track: CAR.track,
      wheelRadius: CAR.wheelRadius,
      color: carColor,
    },
    startS: START_S,
  };
  return { scene, road };
}

/** The scene description only (what the contract's scene.lane channel returns). */
export function buildLaneScene(config: LaneEnvConfig, seed: number): LaneScene {
  return buildLaneWorld(config, seed).scene;
}

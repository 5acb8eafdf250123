/**
 * The scene description of one `lane` episode: road geometry, cross-section, markings, surface
 * colours and textures, sky, lighting, roadside props, the agent's camera mount and the car's
 * dimensions. The simulator's headless camera shades its pixels from exactly this object, and
 * the three.js view draws the same object, so the app can show what the agent sees.
 *
 * Frames and units: see ./frames.ts (map x east / y north, metres, radians; world = (x, h, -y)).
 * Colours are sRGB triples in [0, 1] (three.js: `color.setRGB(r, g, b, SRGBColorSpace)`), before
 * lighting; the camera multiplies them by `lighting.ambient + lighting.sunIntensity * sin(elev)`
 * and `lighting.tint`, then fades to `sky.horizon` with distance (fog).
 */
import { z } from 'zod';

export const Rgb = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1), z.number().min(0).max(1)]);
export type Rgb = z.infer<typeof Rgb>;

/** One piece of the centreline: curvature changes linearly from k0 to k1 over `length` (a clothoid; an arc when equal). */
export const RoadPiece = z.object({ length: z.number().positive(), k0: z.number(), k1: z.number() });
export type RoadPiece = z.infer<typeof RoadPiece>;

export const LaneRoad = z.object({
  /** Total centreline length (m); s runs from 0 to length. The centreline is the ego lane's centre. */
  length: z.number().positive(),
  /** Exact definition: pieces in order from s = 0, starting at map (0, 0) heading 0 (east). */
  pieces: z.array(RoadPiece),
  /** Samples every `spacing` metres (index i at s = i * spacing): map x, y (m), heading (rad), curvature (1/m). */
  spacing: z.number().positive(),
  x: z.array(z.number()),
  y: z.array(z.number()),
  heading: z.array(z.number()),
  curvature: z.array(z.number()),
});
export type LaneRoad = z.infer<typeof LaneRoad>;

/** Lateral layout, as offsets d (m) from the ego lane's centreline, positive to the left. */
export const LaneCrossSection = z.object({
  laneWidth: z.number().positive(),
  laneCount: z.number().int().min(1),
  /** Index of the ego lane counted from the right (0 = rightmost; traffic keeps right). */
  egoLane: z.number().int().min(0),
  /** Asphalt spans [asphaltRight, asphaltLeft] (asphaltRight < 0 < asphaltLeft). */
  asphaltLeft: z.number(),
  asphaltRight: z.number(),
  /** The verge (shoulder gravel / mown strip) spans [vergeRight, asphaltRight] and [asphaltLeft, vergeLeft]; grass beyond. */
  vergeLeft: z.number(),
  vergeRight: z.number(),
});
export type LaneCrossSection = z.infer<typeof LaneCrossSection>;

/** A painted line parallel to the centreline. */
export const LaneMarking = z.object({
  /** Offset of the line's centre (m, + left). */
  offset: z.number(),
  /** Line width (m). */
  width: z.number().positive(),
  color: Rgb,
  /** null: solid; else a dash of `length` m starting every `period` m, first dash at s = phase. */
  dash: z.object({ length: z.number().positive(), period: z.number().positive(), phase: z.number() }).nullable(),
  /** What the line is, for people: "edge-right", "edge-left", "centre", "lane". */
  role: z.string(),
});
export type LaneMarking = z.infer<typeof LaneMarking>;

/** A tileable noise texture (see makeNoiseTile in ./texture.ts) mapped onto a surface. */
export const NoiseTexture = z.object({
  seed: z.number().int(),
  /** Texels per tile side (a power of two). */
  size: z.number().int(),
  /** Metres per texel. */
  texel: z.number().positive(),
  /** Colour = base * (1 + amplitude * noise), noise in [-1, 1]. */
  amplitude: z.number().min(0).max(1),
});
export type NoiseTexture = z.infer<typeof NoiseTexture>;

export const LaneSurface = z.object({
  asphalt: Rgb,
  /** Asphalt texture, mapped by (s, d). */
  asphaltTexture: NoiseTexture,
  /** Darkening (0..1) of the tyre tracks, 0.6 m wide bands at d = lane centre +- 0.8 m on every lane. */
  tyreTracks: z.number().min(0).max(1),
  verge: Rgb,
  vergeTexture: NoiseTexture,
  grass: Rgb,
  /** Grass texture, mapped by map (x, y). */
  grassTexture: NoiseTexture,
});
export type LaneSurface = z.infer<typeof LaneSurface>;

export const LaneSky = z.object({
  zenith: Rgb,
  horizon: Rgb,
  /** Distance (m) at which the ground is half faded to `horizon`: fade = dist / (dist + fogDistance). */
  fogDistance: z.number().positive(),
});
export type LaneSky = z.infer<typeof LaneSky>;

export const LaneLighting = z.object({
  /** Sun direction: azimuth (rad, map CCW from +x) and elevation (rad above the horizon). */
  sunAzimuth: z.number(),
  sunElevation: z.number(),
  sunIntensity: z.number().min(0),
  ambient: z.number().min(0),
  /** Colour of the light (multiplies every lit colour). */
  tint: Rgb,
});
export type LaneLighting = z.infer<typeof LaneLighting>;

export const PropKind = z.enum(['tree', 'bush', 'pole', 'post', 'sign']);
export type PropKind = z.infer<typeof PropKind>;

/**
 * A roadside object standing on the ground. Shapes (also what the camera draws, as sprites):
 * tree = trunk (radius/5 wide, 40% of height) + round crown (radius) on top; bush = a round
 * shape of `radius` and `height`; pole = a thin cylinder; post = a delineator post (white,
 * `color2` reflector band near the top); sign = post + square panel of side 2 * radius at the top.
 */
export const LaneProp = z.object({
  kind: PropKind,
  /** Position along the road (m) and lateral offset (m, + left), and the same point in the map. */
  s: z.number(),
  d: z.number(),
  x: z.number(),
  y: z.number(),
  height: z.number().positive(),
  radius: z.number().positive(),
  color: Rgb,
  color2: Rgb,
});
export type LaneProp = z.infer<typeof LaneProp>;

/** The agent's camera, mounted on the car (body frame: forward +x, up +y, right +z). */
export const LaneCameraSpec = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Horizontal field of view (degrees); square pixels. */
  hFovDeg: z.number().positive(),
  /** Mount point: metres ahead of the car's centre, and height above the ground at rest. */
  forward: z.number(),
  heightAboveGround: z.number().positive(),
  /** Downward pitch of the optical axis (degrees). */
  pitchDeg: z.number(),
  /** Whether the car's bonnet is drawn at the bottom of the image. */
  hood: z.boolean(),
});
export type LaneCameraSpec = z.infer<typeof LaneCameraSpec>;

/** The car's body, for drawing (the physics uses the same numbers). */
export const LaneCarSpec = z.object({
  length: z.number().positive(),
  width: z.number().positive(),
  /** Height of the body's top above the ground at rest (m). */
  height: z.number().positive(),
  /** Height of the bonnet's front edge above the ground (m), seen at the bottom of the camera image. */
  hoodHeight: z.number().positive(),
  wheelbase: z.number().positive(),
  track: z.number().positive(),
  wheelRadius: z.number().positive(),
  color: Rgb,
});
export type LaneCarSpec = z.infer<typeof LaneCarSpec>;

export const LaneScene = z.object({
  version: z.literal(1),
  /** The road seed this scene was generated from (train and test seeds come from disjoint ranges). */
  seed: z.number().int(),
  road: LaneRoad,
  cross: LaneCrossSection,
  markings: z.array(LaneMarking),
  surface: LaneSurface,
  sky: LaneSky,
  lighting: LaneLighting,
  props: z.array(LaneProp),
  camera: LaneCameraSpec,
  car: LaneCarSpec,
  /** Where episodes start (m along the road). */
  startS: z.number(),
});
export type LaneScene = z.infer<typeof LaneScene>;

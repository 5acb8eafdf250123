/**
 * The agent's driver-view camera, rendered headless in TypeScript with no GPU: every pixel's
 * ray is cast onto the flat ground (or the sky, or the car's bonnet) and shaded from the scene
 * description (road-local s and d give asphalt, markings, verge; map x, y give grass).
 *
 * How it stays fast (~4k pixels per frame; 64x64 takes ~0.08 ms on one of this machine's
 * shared cores, see bench/RESULTS.md):
 * - Rays are evaluated at pixel CORNERS, (W+1) x (H+1): direction = F + u * R + v * D is linear
 *   in the corner's (u, v), so a ray costs a few multiply-adds and one division (the fog factor
 *   t / (t + fogDistance) comes from the ray's vertical component with one more, not from t).
 * - Samples no pixel of the fast shading reads are not cast: sky rows between two sky pixel
 *   rows keep only their first two corners (the sky is linear along a row), rows between two
 *   rows of solid bonnet none (referenceShading casts every sample; a test checks that no
 *   image depends on the skipped ones).
 * - Road-local (s, d) of each ground hit comes from Road.projectAt, started from the previous
 *   corner's answer (neighbouring corners are neighbours on the road, so it settles in 0-1
 *   steps); a coarse grid answers "far from any road" in one lookup for most grass. Every
 *   other corner of a row on the road is interpolated between its neighbours (ground points
 *   of a row lie on a line, at a projective ratio known from the rays' vertical components).
 * - The corner casting runs as a WebAssembly kernel (corner-kernel.ts, compiled from the
 *   AssemblyScript corners.as.ts): castCornersTs() step for step, bitwise the same (tested),
 *   ~1.7x faster than V8's code for the TypeScript (no typed-array bounds checks, values kept
 *   in registers). The per-sample arrays are views into the kernel's memory, at staggered
 *   offsets modulo 4 KiB so the shading loop's reads of one index in several arrays do not
 *   compete for the same cache sets.
 * - Anti-aliasing is analytic: a pixel's footprint on the road is the [min, max] of its four
 *   corners' s and d, and every region and line is box-filtered by the overlap of that
 *   interval (dashes by the integral of the dash pattern along s). Thin distant lines fade to
 *   their true average instead of flickering. Textures fade with footprint like mipmaps.
 * - Solid bonnet pixels and sky rows of one sky-table entry are copied from template images
 *   (bytes and floats), rebuilt only when the brightness, the scene or the mount changes.
 * - Props are drawn as sprites, far to near, clipped at their base (the ground in front of
 *   a prop is nearer, the ground behind it is hidden); a prop visits only the rows above the
 *   bonnet and the columns its shape can cover.
 * - The hot loops (castCornersTs, shadeRowAA/shadeGroundRow) make no calls with float
 *   arguments (V8 boxes those when it does not inline the callee: points go to Road as array
 *   indices, the frame's brightness sits in a Float64Array) and load no properties.
 * Allocation-free after construction and setScene().
 */
import type { LaneScene, Rgb } from '../../../src-shared/scene/lane-scene.js';
import { makeNoiseTile } from '../../../src-shared/scene/texture.js';
import { CAR } from './car-spec.js';
import { CornerKernel } from './corner-kernel.js';
import type { Road } from './road.js';

const SKY = 0;
const NEAR = 1;
const FAR = 2;
/** A corner between two corners of its row, to be interpolated from them (castCorners only). */
const PENDING = 3;
/** Ground hits farther than this (m) are treated as far grass (fully fogged in practice). */
const MAX_DEPTH = 3000;
const TILE = 64;
const TILE_MASK = TILE - 1;

/** Marking rows in the flat marking table. */
const MK_LO = 0;
const MK_HI = 1;
const MK_R = 2;
const MK_G = 3;
const MK_B = 4;
const MK_DLEN = 5; // 0 = solid
const MK_DPER = 6;
const MK_DPH = 7;
const MK_DINV = 8; // 1 / period
const MK_STRIDE = 9;

/** Sky gradient: elevation sine at which the sky reaches its zenith colour, and the table size. */
const SKY_TOP = 0.6;
const SKY_LUT = 128;

/** Width (m) of the d-cells of the stripe lookup. */
const STRIPE_CELL = 0.25;
const STRIPE_INV = 1 / STRIPE_CELL;

const PROP_KIND: Record<string, number> = { tree: 0, bush: 1, pole: 2, post: 3, sign: 4 };
const PROP_STRIDE = 12; // s, x, y, height, radius, kind, r, g, b, r2, g2, b2

export interface CameraSpecLike {
  width: number;
  height: number;
  hFovDeg: number;
  antiAlias: boolean;
  /** Draw the car's bonnet. */
  hood: boolean;
}

export class DriverCamera {
  readonly width: number;
  readonly height: number;
  /** The last rendered image: RGB bytes, row-major from the top-left, width * height * 3. */
  readonly frame: Uint8Array;
  /** The same bytes; writes clamp to [0, 255] and round (half to even) in one step. */
  private readonly frameClamped: Uint8ClampedArray;
  /**
   * When set (width * height * 3 floats or more), render() also writes the image as floats
   * byte / 255 here, in the same pass (the pixels observation), so no second pass is needed.
   */
  obsTarget: Float32Array | null = null;
  /**
   * Render with the general reference path: every sample cast (no skipped sky or bonnet rows)
   * and anti-aliased frames shaded per pixel (shadePixels) instead of by the inlined fast path
   * (shadeRowAA); for tests that the two agree. Slower.
   */
  referenceShading = false;
  /** Focal length (pixels). */
  readonly focal: number;
  readonly antiAlias: boolean;
  readonly hoodOn: boolean;
  /** Sample grid: corners (W+1 x H+1) with anti-aliasing, pixel centres (W x H) without. */
  private readonly gw: number;
  private readonly gh: number;
  private readonly gOffset: number;
  private cS!: Float64Array;
  private cD!: Float64Array;
  private cT!: Float64Array;
  private cX!: Float64Array;
  private cY!: Float64Array;
  private cE!: Float64Array;
  /** Fog factor per ground sample: depth / (depth + fogDistance). Pixels average their corners' factors (fog is not linear in depth). */
  private cF!: Float64Array;
  /** The ray's (unnormalized) vertical component per sample: linear across the image, so mixed pixels get their exact sky fraction. */
  private cV!: Float64Array;
  private cK!: Uint8Array;
  private cHood!: Float64Array;
  private readonly hoodCov: Float32Array;
  /** Per pixel row: 1 when every pixel of the row is fully bonnet. */
  private rowHood!: Uint8Array;
  /** Per sample row: 1 when the whole row looks at the sky; then rowE0/rowE1 are the elevation sines at its ends. */
  private rowSky!: Uint8Array;
  /** Per sample row: 1 when castCorners wrote only its first two corners (a sky row between sky rows); its line: elevation e0 + c * de, vertical ray component rowBh + u * R[2]. */
  private rowPartial!: Uint8Array;
  private rowE0!: Float64Array;
  private rowDe!: Float64Array;
  private rowBh!: Float64Array;
  /** Per sample column: the ray's right component u = (column - cx) / focal. */
  private uCol!: Float64Array;
  /** Sky colour by elevation: SKY_LUT entries of r, g, b for e = 0 .. SKY_TOP. */
  private readonly skyLut = new Float64Array((SKY_LUT + 1) * 3);
  private hoodValid = false;
  /** The body-frame pose (bodyF, bodyR, bodyD, bodyPos) the bonnet was last computed for. */
  private readonly hoodKey = new Float64Array(12).fill(NaN);
  /** Solid bonnet pixels as bytes and as observation floats, for the brightness hoodTemplateBrightness. */
  private readonly hoodBytes: Uint8Array;
  private readonly hoodFloats: Float32Array;
  private hoodTemplateBrightness = NaN;
  /** Per sky table entry: a pixel row of that colour (bytes, floats), filled on first use per brightness (skyRowBrightness). */
  private readonly skyRow8: Uint8Array[] = [];
  private readonly skyRowF: Float32Array[] = [];
  private readonly skyRowReady = new Uint8Array(SKY_LUT + 1);
  private skyRowBrightness = NaN;
  /** The first of the bottom rows that are solid bonnet (height when none). */
  private hoodTopRow = 0;
  /** Per pixel that starts a run of solid bonnet pixels in its row: the run's template views and its end column (exclusive). */
  private readonly hoodRun8: (Uint8Array | null)[];
  private readonly hoodRunF: (Float32Array | null)[];
  private readonly hoodRunEnd: Int16Array;

  // Camera pose, map frame (x, y, height): position and the optical basis forward/right/down.
  px = 0;
  py = 0;
  ph = 1.4;
  readonly F = new Float64Array(3);
  readonly R = new Float64Array(3);
  readonly D = new Float64Array(3);
  // The same basis in the car's body frame (x forward, y up, z right) and the camera position there, for the bonnet.
  readonly bodyF = new Float64Array([1, 0, 0]);
  readonly bodyR = new Float64Array([0, 0, 1]);
  readonly bodyD = new Float64Array([0, -1, 0]);
  readonly bodyPos = new Float64Array([0.3, 0.7, 0]);
  /** Set when the body-frame basis or position changed (jitter), so the bonnet mask is recomputed. */
  bodyDirty = true;

  // Scene-derived shading data.
  private road: Road | undefined;
  private readonly asphalt = new Float64Array(3);
  private readonly verge = new Float64Array(3);
  private readonly grass = new Float64Array(3);
  private readonly zenith = new Float64Array(3);
  private readonly horizon = new Float64Array(3);
  private readonly hood = new Float64Array(3);
  private readonly sunDir = new Float64Array(3);
  private sunGlow = 0;
  private asphaltLeft = 0;
  private asphaltRight = 0;
  private vergeLeft = 0;
  private vergeRight = 0;
  private fogDistance = 150;
  /** Tyre tracks then painted lines ("stripes"), MK_STRIDE numbers each; at most 30. */
  private stripes = new Float64Array(0);
  private nStripes = 0;
  /** Bit k of stripeMask[cell] is set when stripe k overlaps d-cell `cell` (STRIPE_CELL m wide from stripeD0). */
  private stripeMask = new Int32Array(0);
  /** Sparse table over stripeMask (see setScene) so a footprint's stripes are found in O(1). */
  private stripeRange = new Int32Array(0);
  private stripeD0 = 0;
  private stripeCells = 0;
  /** Stripes 0 .. nTrackStripes-1 are tyre tracks (plain darkening); the rest are painted lines. */
  private nTrackStripes = 0;
  private trackBits = 0;
  private trackDarkening = 0;
  private asphaltTile: Float32Array = new Float32Array(TILE * TILE);
  private vergeTile: Float32Array = new Float32Array(TILE * TILE);
  private grassTile: Float32Array = new Float32Array(TILE * TILE);
  private asphaltInvTexel = 4;
  private vergeInvTexel = 4;
  private grassInvTexel = 2;
  private asphaltAmp = 0;
  private vergeAmp = 0;
  private grassAmp = 0;
  private props = new Float64Array(0);
  private nProps = 0;
  private sunSideX = 0;
  private sunSideY = 0;
  private lightProp = 1;

  constructor(spec: CameraSpecLike) {
    this.width = spec.width;
    this.height = spec.height;
    this.antiAlias = spec.antiAlias;
    this.hoodOn = spec.hood;
    this.focal = spec.width / 2 / Math.tan((spec.hFovDeg * Math.PI) / 360);
    this.frame = new Uint8Array(spec.width * spec.height * 3);
    this.frameClamped = new Uint8ClampedArray(this.frame.buffer);
    this.gw = spec.antiAlias ? spec.width + 1 : spec.width;
    this.gh = spec.antiAlias ? spec.height + 1 : spec.height;
    this.gOffset = spec.antiAlias ? 0 : 0.5;
    // The per-sample and per-row arrays live in the corner kernel's memory (corner-kernel.ts).
    this.kernel = new CornerKernel(this.gw, this.gh, spec.width, spec.height, this.focal, this.gOffset);
    this.bindViews();
    this.hoodCov = new Float32Array(spec.width * spec.height);
    this.hoodBytes = new Uint8Array(spec.width * spec.height * 3);
    this.hoodFloats = new Float32Array(spec.width * spec.height * 3);
    this.hoodRun8 = new Array<Uint8Array | null>(spec.width * spec.height).fill(null);
    this.hoodRunF = new Array<Float32Array | null>(spec.width * spec.height).fill(null);
    this.hoodRunEnd = new Int16Array(spec.width * spec.height);
    const rowLen = spec.width * 3;
    const sky8 = new Uint8Array((SKY_LUT + 1) * rowLen);
    const skyF = new Float32Array((SKY_LUT + 1) * rowLen);
    for (let k = 0; k <= SKY_LUT; k++) {
      this.skyRow8.push(sky8.subarray(k * rowLen, (k + 1) * rowLen));
      this.skyRowF.push(skyF.subarray(k * rowLen, (k + 1) * rowLen));
    }
    for (let c = 0; c < this.gw; c++) this.uCol[c] = (c + this.gOffset - spec.width / 2) / this.focal;
  }

  /** The kernel's per-frame parameter block (see castCorners). */
  private cornerParams!: Float64Array;
  /** The corner kernel and its memory's views (see bindViews). */
  private readonly kernel: CornerKernel;
  /**
   * Cast the corners with the WebAssembly kernel (true, the default) or with castCornersTs()
   * (the same arithmetic in TypeScript; tests compare the two bit for bit).
   */
  kernelCast = true;

  /** Points the per-sample and per-row arrays at the kernel's memory (again after it grew). */
  private bindViews(): void {
    const v = this.kernel.views();
    this.cS = v.cS;
    this.cD = v.cD;
    this.cT = v.cT;
    this.cX = v.cX;
    this.cY = v.cY;
    this.cE = v.cE;
    this.cF = v.cF;
    this.cV = v.cV;
    this.cHood = v.cHood;
    this.cK = v.cK;
    this.rowSky = v.rowSky;
    this.rowPartial = v.rowPartial;
    this.rowE0 = v.rowE0;
    this.rowDe = v.rowDe;
    this.rowBh = v.rowBh;
    this.rowHood = v.rowHood;
    this.uCol = v.uCol;
    this.cornerParams = v.params;
  }

  /** Loads the scene's colours, markings, textures, props and lighting (once per episode). */
  setScene(scene: LaneScene, road: Road): void {
    this.road = road;
    if (this.kernel.setRoad(road)) this.bindViews();
    const L = scene.lighting;
    const sunUp = Math.sin(L.sunElevation);
    const light = L.ambient + L.sunIntensity * Math.max(0, sunUp);
    const lit = (c: Rgb, out: Float64Array, k = light) => {
      out[0] = c[0] * k * L.tint[0];
      out[1] = c[1] * k * L.tint[1];
      out[2] = c[2] * k * L.tint[2];
    };
    lit(scene.surface.asphalt, this.asphalt);
    lit(scene.surface.verge, this.verge);
    lit(scene.surface.grass, this.grass);
    // The bonnet reflects some sky: lit paint mixed towards the horizon colour.
    lit(scene.car.color, this.hood, 0.55 + 0.35 * light);
    for (let i = 0; i < 3; i++) this.hood[i] = 0.8 * this.hood[i]! + 0.2 * scene.sky.horizon[i]! * 0.7;
    for (let i = 0; i < 3; i++) {
      this.zenith[i] = scene.sky.zenith[i]!;
      this.horizon[i] = scene.sky.horizon[i]!;
    }
    this.fogDistance = scene.sky.fogDistance;
    for (let k = 0; k <= SKY_LUT; k++) {
      const t = k / SKY_LUT;
      const w = t * (2 - t); // ease-out: the haze band hugs the horizon
      for (let ch = 0; ch < 3; ch++) this.skyLut[k * 3 + ch] = this.horizon[ch]! + (this.zenith[ch]! - this.horizon[ch]!) * w;
    }
    this.skyRowBrightness = NaN;
    this.sunDir[0] = Math.cos(L.sunElevation) * Math.cos(L.sunAzimuth);
    this.sunDir[1] = Math.cos(L.sunElevation) * Math.sin(L.sunAzimuth);
    this.sunDir[2] = sunUp;
    this.sunGlow = L.sunIntensity;
    const x = scene.cross;
    this.asphaltLeft = x.asphaltLeft;
    this.asphaltRight = x.asphaltRight;
    this.vergeLeft = x.vergeLeft;
    this.vergeRight = x.vergeRight;
    // Stripes: tyre tracks (darker bands 0.6 m wide at +-0.8 m from every lane's centre), then
    // the painted lines, each blended over what is below it.
    const rows: number[][] = [];
    const t = scene.surface.tyreTracks;
    if (t > 0.005) {
      for (let lane = 0; lane < x.laneCount; lane++) {
        for (const side of [-0.8, 0.8]) {
          const centre = lane * x.laneWidth + side;
          rows.push([centre - 0.3, centre + 0.3, this.asphalt[0]! * (1 - t), this.asphalt[1]! * (1 - t), this.asphalt[2]! * (1 - t), 0, 1, 0, 1]);
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
    this.nStripes = rows.length;
    this.nTrackStripes = Math.min(rows.length, t > 0.005 ? 2 * x.laneCount : 0);
    this.trackBits = this.nTrackStripes ? (1 << this.nTrackStripes) - 1 : 0;
    this.trackDarkening = t;
    this.stripes = Float64Array.from(rows.flat());
    // The table spans the road band [-band, band]; near samples never leave it.
    this.stripeD0 = -road.band - STRIPE_CELL;
    this.stripeCells = Math.ceil((2 * road.band + 2 * STRIPE_CELL) * STRIPE_INV) + 2;
    this.stripeMask = new Int32Array(this.stripeCells);
    rows.forEach((row, k) => {
      const c0 = Math.max(0, Math.floor((row[MK_LO]! - this.stripeD0) * STRIPE_INV));
      const c1 = Math.min(this.stripeCells - 1, Math.floor((row[MK_HI]! - this.stripeD0) * STRIPE_INV));
      for (let c = c0; c <= c1; c++) this.stripeMask[c] = this.stripeMask[c]! | (1 << k);
    });
    // Sparse table for O(1) range ORs: level L, cell c holds the OR of cells c .. c + 2^L - 1.
    const cells = this.stripeCells;
    const levels = 32 - Math.clz32(cells);
    this.stripeRange = new Int32Array(levels * cells);
    this.stripeRange.set(this.stripeMask, 0);
    for (let L = 1; L < levels; L++) {
      const half = 1 << (L - 1);
      for (let c = 0; c + (1 << L) <= cells; c++) {
        this.stripeRange[L * cells + c] = this.stripeRange[(L - 1) * cells + c]! | this.stripeRange[(L - 1) * cells + c + half]!;
      }
    }
    const s = scene.surface;
    this.asphaltTile = makeNoiseTile(s.asphaltTexture.seed, TILE);
    this.vergeTile = makeNoiseTile(s.vergeTexture.seed, TILE);
    this.grassTile = makeNoiseTile(s.grassTexture.seed, TILE);
    this.asphaltInvTexel = 1 / s.asphaltTexture.texel;
    this.vergeInvTexel = 1 / s.vergeTexture.texel;
    this.grassInvTexel = 1 / s.grassTexture.texel;
    this.asphaltAmp = s.asphaltTexture.amplitude;
    this.vergeAmp = s.vergeTexture.amplitude;
    this.grassAmp = s.grassTexture.amplitude;
    // Props, in s order.
    this.nProps = scene.props.length;
    this.props = new Float64Array(this.nProps * PROP_STRIDE);
    scene.props.forEach((p, i) => {
      const o = i * PROP_STRIDE;
      this.props.set([p.s, p.x, p.y, p.height, p.radius, PROP_KIND[p.kind]!, p.color[0] * L.tint[0], p.color[1] * L.tint[1], p.color[2] * L.tint[2], p.color2[0] * L.tint[0], p.color2[1] * L.tint[1], p.color2[2] * L.tint[2]], o);
    });
    this.sunSideX = Math.cos(L.sunAzimuth);
    this.sunSideY = Math.sin(L.sunAzimuth);
    this.lightProp = light;
    // The bonnet's colour may have changed (its geometry depends on the mount only).
    this.hoodTemplateBrightness = NaN;
    this.bodyDirty = true;
  }

  /**
   * Renders the frame from the current pose (px, py, ph, F, R, D, body*). `hint` is a road sample
   * index near the camera (the car's); `brightness` multiplies the image (1 = as lit).
   */
  render(hint: number, brightness = 1): Uint8Array {
    if (!this.road) throw new Error('DriverCamera.render before setScene');
    if (this.bodyDirty || !this.hoodValid) this.computeHood();
    // Passed as a field: V8 boxes float arguments of calls it does not inline.
    this.brightnessNow[0] = brightness;
    this.castCorners(hint);
    if (this.antiAlias && !this.referenceShading) {
      this.hoodTemplate(brightness);
      for (let r = 0; r < this.height; r++) this.shadeRowAA(r);
    } else this.shadePixels();
    this.drawProps(hint);
    return this.frame;
  }

  /**
   * The bonnet's signed coverage value per sample (body frame; depends on the mount only). The
   * bonnet is a surface sloping from the windscreen base (CAR.hoodRearX, 0.15 m above the front
   * edge) down to the front edge (CAR.length / 2, CAR.hoodHeight), with rounded front corners.
   * The value is the distance (m) inside the bonnet's outline at the ray's hit, scaled to pixels.
   */
  private computeHood(): void {
    // Unchanged mount (a new road, say): the bonnet's geometry is what it was.
    const key = this.hoodKey;
    const bF = this.bodyF, bR = this.bodyR, bD = this.bodyD, bP = this.bodyPos;
    this.bodyDirty = false;
    if (
      this.hoodValid &&
      key[0] === bF[0] && key[1] === bF[1] && key[2] === bF[2] &&
      key[3] === bR[0] && key[4] === bR[1] && key[5] === bR[2] &&
      key[6] === bD[0] && key[7] === bD[1] && key[8] === bD[2] &&
      key[9] === bP[0] && key[10] === bP[1] && key[11] === bP[2]
    ) return;
    key.set(bF, 0);
    key.set(bR, 3);
    key.set(bD, 6);
    key.set(bP, 9);
    const gw = this.gw;
    const gh = this.gh;
    const f = this.focal;
    const cx = this.width / 2;
    const cy = this.height / 2;
    const off = this.gOffset;
    const [Fx, Fy, Fz] = this.bodyF as unknown as [number, number, number];
    const [Rx, Ry, Rz] = this.bodyR as unknown as [number, number, number];
    const [Dx, Dy, Dz] = this.bodyD as unknown as [number, number, number];
    const [ox, oy, oz] = this.bodyPos as unknown as [number, number, number];
    const front = CAR.length / 2;
    const rear = CAR.hoodRearX;
    const halfW = CAR.width / 2 - 0.04;
    const frontY = CAR.hoodHeight - this.groundOffset; // body frame: the chassis centre is the origin
    const slope = 0.15 / (front - rear); // rise per metre towards the windscreen
    const hood = this.cHood;
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
        if (this.hoodOn && den < -1e-9) {
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
    const W = this.width;
    const H = this.height;
    const cov = this.hoodCov;
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) {
        let a: number;
        if (this.antiAlias) {
          const i = r * gw + c;
          a = coverage4(hood[i]!, hood[i + 1]!, hood[i + gw]!, hood[i + gw + 1]!);
        } else {
          a = hood[r * gw + c]! > 0 ? 1 : 0;
        }
        cov[r * W + c] = a;
      }
      let full = 1;
      for (let c = 0; c < W; c++) if (cov[r * W + c]! < 1) full = 0;
      this.rowHood[r] = full;
    }
    // Runs of solid bonnet pixels: views into the bonnet's template image (filled per brightness
    // by hoodTemplate), copied in one call each by the shading loops.
    this.hoodRun8.fill(null);
    this.hoodRunF.fill(null);
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; ) {
        if (cov[r * W + c]! < 1) {
          c++;
          continue;
        }
        let e = c;
        while (e < W && cov[r * W + e]! >= 1) e++;
        const p = r * W + c;
        this.hoodRun8[p] = this.hoodBytes.subarray(p * 3, (r * W + e) * 3);
        this.hoodRunF[p] = this.hoodFloats.subarray(p * 3, (r * W + e) * 3);
        this.hoodRunEnd[p] = e;
        c = e;
      }
    }
    let top = H;
    while (top > 0 && this.rowHood[top - 1]) top--;
    this.hoodTopRow = top;
    this.hoodTemplateBrightness = NaN;
    this.hoodValid = true;
    this.bodyDirty = false;
  }

  /**
   * Fills the bonnet's template image (bytes and floats of every solid bonnet pixel) for the
   * frame's brightness, with the same arithmetic as the shading loops used per pixel.
   */
  private hoodTemplate(brightness: number): void {
    if (brightness === this.hoodTemplateBrightness) return;
    const W = this.width;
    const H = this.height;
    const b255 = 255 * brightness;
    const hood0 = this.hood[0]!, hood1 = this.hood[1]!, hood2 = this.hood[2]!;
    for (let r = 0; r < H; r++) {
      const hoodShade = 1 - 0.25 * (r / H);
      let zr: number, zg: number, zb: number;
      // Rows of solid bonnet and partly-bonnet ground rows grouped the products differently;
      // both groupings are kept so the bytes stay what they were.
      if (this.rowHood[r]) {
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
        this.hoodBytes[o] = qr;
        this.hoodBytes[o + 1] = qg;
        this.hoodBytes[o + 2] = qb;
        this.hoodFloats[o] = UNIT[qr]!;
        this.hoodFloats[o + 1] = UNIT[qg]!;
        this.hoodFloats[o + 2] = UNIT[qb]!;
      }
    }
    this.hoodTemplateBrightness = brightness;
  }

  /** The brightness factor of the frame being rendered (see render). */
  private readonly brightnessNow = new Float64Array(1);

  /** Height of the chassis centre above the ground at rest (m); set by the env. */
  groundOffset = 0.7;

  private castCorners(hint: number): void {
    if (!this.kernelCast) {
      this.castCornersTs(hint);
      return;
    }
    const p = this.cornerParams;
    p[0] = this.px;
    p[1] = this.py;
    p[2] = this.ph;
    p[3] = this.F[0]!;
    p[4] = this.F[1]!;
    p[5] = this.F[2]!;
    p[6] = this.R[0]!;
    p[7] = this.R[1]!;
    p[8] = this.R[2]!;
    p[9] = this.D[0]!;
    p[10] = this.D[1]!;
    p[11] = this.D[2]!;
    p[12] = this.fogDistance;
    p[13] = hint;
    p[14] = this.antiAlias && !this.referenceShading ? 1 : 0;
    this.kernel.cast();
  }

  /** castCorners in TypeScript: what the kernel (corners.as.ts) computes, step for step. */
  private castCornersTs(hint: number): void {
    const road = this.road!;
    const band = road.band;
    const gw = this.gw;
    const gh = this.gh;
    const f = this.focal;
    const cx = this.width / 2;
    const cy = this.height / 2;
    const off = this.gOffset;
    const px = this.px;
    const py = this.py;
    const ph = this.ph;
    const F = this.F;
    const R = this.R;
    const D = this.D;
    const Fx = F[0]!, Fy = F[1]!, Fh = F[2]!;
    const Rx = R[0]!, Ry = R[1]!, Rh = R[2]!;
    const Dx = D[0]!, Dy = D[1]!, Dh = D[2]!;
    const cS = this.cS, cD = this.cD, cT = this.cT, cX = this.cX, cY = this.cY, cE = this.cE, cK = this.cK, cF = this.cF, cV = this.cV;
    const fogD = this.fogDistance;
    const hood = this.cHood;
    const uCol = this.uCol;
    let rowHint = hint;
    const RX = road.x, RY = road.y, RTX = road.tx, RTY = road.ty, RK = road.curvature;
    const rSp = road.spacing, rInvSp = road.invSpacing, rLast = road.n - 1;
    let pS = 0, pD = 0, pI = 0;
    const invPh = 1 / ph;
    const rowHood = this.rowHood;
    const H = this.height;
    // Samples that no pixel of the fast shading reads are skipped; the reference path casts all.
    const skipUnread = this.antiAlias && !this.referenceShading;
    // Bottom (near) rows first, so the road hint travels outwards from the car.
    for (let r = gh - 1; r >= 0; r--) {
      // A corner row between two pixel rows of solid bonnet is never read.
      if (skipUnread && (r === H || rowHood[r]) && (r === 0 || rowHood[r - 1])) {
        this.rowSky[r] = 0;
        this.rowPartial[r] = 0;
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
        const n = skipUnread && r + 1 < gh && this.rowSky[r + 1] ? 2 : gw;
        for (let c = 0; c < n; c++) {
          cK[base + c] = SKY;
          cE[base + c] = e0 + c * de;
          cV[base + c] = bh + (uFirst + c * uStep) * Rh;
        }
        this.rowSky[r] = 1;
        this.rowPartial[r] = n < gw ? 1 : 0;
        this.rowE0[r] = e0;
        this.rowDe[r] = de;
        this.rowBh[r] = bh;
        continue;
      }
      this.rowPartial[r] = 0;
      this.rowSky[r] = 0;
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
            if (step === 0 || iter === 11) {
              pS = j * rSp + sig;
              pD = v - 0.5 * k * u * sig;
              pI = j;
              ok = step === 0;
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
  private completeSkyRow(r: number): void {
    const gw = this.gw;
    const base = r * gw;
    const e0 = this.rowE0[r]!, de = this.rowDe[r]!, bh = this.rowBh[r]!;
    const Rh = this.R[2]!;
    const uStep = 1 / this.focal;
    const uFirst = (this.gOffset - this.width / 2) / this.focal;
    for (let c = 2; c < gw; c++) {
      this.cK[base + c] = SKY;
      this.cE[base + c] = e0 + c * de;
      this.cV[base + c] = bh + (uFirst + c * uStep) * Rh;
    }
    this.rowPartial[r] = 0;
  }

  /**
   * One pixel row of the anti-aliased shading, the hot path of every frame: the same image as
   * the general shadePixels() (tested to within rounding; see referenceShading), faster. Sky
   * rows and bonnet rows are copied from template rows where they can be; rows that see the
   * ground go to shadeGroundRow(). Bytes are rounded once and the float observation is written
   * from them in the same pass.
   */
  private shadeRowAA(r: number): void {
    const brightness = this.brightnessNow[0]!;
    const W = this.width;
    const gw = this.gw;
    const out8 = this.frame;
    const obsT = this.obsTarget;
    const cE = this.cE;
    const rowSky = this.rowSky;
    const lut = this.skyLut;
    const lutScale = SKY_LUT / SKY_TOP;
    const b255 = 255 * brightness;
    let p = r * W;
    if (this.rowHood[r]) {
      // Solid bonnet: the row of the bonnet's template image.
      out8.set(this.hoodRun8[p]!, p * 3);
      if (obsT !== null) obsT.set(this.hoodRunF[p]!, p * 3);
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
        if (brightness !== this.skyRowBrightness) {
          this.skyRowBrightness = brightness;
          this.skyRowReady.fill(0);
        }
        if (!this.skyRowReady[kA]) this.fillSkyRow(kA, b255);
        out8.set(this.skyRow8[kA]!, p * 3);
        if (obsT !== null) obsT.set(this.skyRowF[kA]!, p * 3);
        return;
      }
      // The table entry changes a few times per row at most: convert it to bytes only then.
      let kPrev = -1;
      let qr = 0, qg = 0, qb = 0;
      for (let c = 0; c < W; c++, p++) {
        const e = e0 + c * de;
        const k = e <= 0 ? 0 : e >= SKY_TOP ? SKY_LUT * 3 : ((e * lutScale) | 0) * 3;
        const o = p * 3;
        if (k !== kPrev) {
          kPrev = k;
          const zr = lut[k]! * b255, zg = lut[k + 1]! * b255, zb = lut[k + 2]! * b255;
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
    if (this.rowPartial[r]) this.completeSkyRow(r);
    if (this.rowPartial[r + 1]) this.completeSkyRow(r + 1);
    this.shadeGroundRow(r, p);
  }

  /** Fills the template row of sky table entry k (bytes and floats) for brightness b255 / 255. */
  private fillSkyRow(k: number, b255: number): void {
    const lut = this.skyLut;
    const zr = lut[k * 3]! * b255, zg = lut[k * 3 + 1]! * b255, zb = lut[k * 3 + 2]! * b255;
    const qr = zr <= 0 ? 0 : zr >= 255 ? 255 : (zr + 0.5) | 0;
    const qg = zg <= 0 ? 0 : zg >= 255 ? 255 : (zg + 0.5) | 0;
    const qb = zb <= 0 ? 0 : zb >= 255 ? 255 : (zb + 0.5) | 0;
    const row8 = this.skyRow8[k]!;
    const rowF = this.skyRowF[k]!;
    for (let o = 0; o < row8.length; o += 3) {
      row8[o] = qr;
      row8[o + 1] = qg;
      row8[o + 2] = qb;
      rowF[o] = UNIT[qr]!;
      rowF[o + 1] = UNIT[qg]!;
      rowF[o + 2] = UNIT[qb]!;
    }
    this.skyRowReady[k] = 1;
  }

  /**
   * One pixel row of shadeRowAA() that sees the ground. The ground, grass, fog and pixel
   * writes are written out inline (V8 boxes float arguments of calls it does not inline, which
   * cost more than the work), with fast paths for footprints on one material and no painted
   * line (asphalt with tyre tracks, verge, grass in the road band) and for the horizon over far
   * grass; everything else takes the general box-filtered sum of ground() or mixedPixel().
   */
  private shadeGroundRow(r: number, p0: number): void {
    const brightness = this.brightnessNow[0]!;
    const W = this.width;
    const H = this.height;
    const gw = this.gw;
    const out8 = this.frame;
    const obsT = this.obsTarget;
    const cK = this.cK, cS = this.cS, cD = this.cD, cT = this.cT, cX = this.cX, cY = this.cY, cE = this.cE, cF = this.cF, cV = this.cV;
    const hoodCov = this.hoodCov;
    const hr = this.horizon[0]!, hg = this.horizon[1]!, hb = this.horizon[2]!;
    const invF = 1 / this.focal;
    const out = this.shadeOut;
    const lut = this.skyLut;
    const lutScale = SKY_LUT / SKY_TOP;
    const hood0 = this.hood[0]!, hood1 = this.hood[1]!, hood2 = this.hood[2]!;
    const aL = this.asphaltLeft, aR = this.asphaltRight, vL = this.vergeLeft, vR = this.vergeRight;
    const ar = this.asphalt[0]!, ag = this.asphalt[1]!, ab = this.asphalt[2]!;
    const vr = this.verge[0]!, vg = this.verge[1]!, vb = this.verge[2]!;
    const gr = this.grass[0]!, gg = this.grass[1]!, gb = this.grass[2]!;
    const aTile = this.asphaltTile, vTile = this.vergeTile, gTile = this.grassTile;
    const aInv = this.asphaltInvTexel, vInv = this.vergeInvTexel, gInv = this.grassInvTexel;
    const aAmp = this.asphaltAmp, vAmp = this.vergeAmp, gAmp = this.grassAmp;
    const sMask = this.stripeMask;
    const sRange = this.stripeRange;
    const sCells = this.stripeCells;
    const sD0 = this.stripeD0;
    const mk = this.stripes;
    const trackBits = this.trackBits;
    const trackDark = this.trackDarkening;
    const b255 = 255 * brightness;
    const hoodShade = 1 - 0.25 * (r / H);
    let p = p0;
    const hoodR = hood0 * hoodShade, hoodG = hood1 * hoodShade, hoodB = hood2 * hoodShade;
    for (let c = 0; c < W; c++, p++) {
      const hc = hoodCov[p]!;
      const o = p * 3;
      if (hc >= 1) {
        // A run of solid bonnet pixels: copied from the bonnet's template image.
        out8.set(this.hoodRun8[p]!, o);
        if (obsT !== null) obsT.set(this.hoodRunF[p]!, o);
        const e = this.hoodRunEnd[p]!;
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
        const k0 = cK[i0]!, k1 = cK[i1]!, k2 = cK[i2]!, k3 = cK[i3]!;
        if (k0 === NEAR && k1 === NEAR && k2 === NEAR && k3 === NEAR) {
          const d0 = cD[i0]!, d1 = cD[i1]!, d2 = cD[i2]!, d3 = cD[i3]!;
          const dl01 = d0 < d1 ? d0 : d1, dl23 = d2 < d3 ? d2 : d3;
          const dh01 = d0 > d1 ? d0 : d1, dh23 = d2 > d3 ? d2 : d3;
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
            fk = x2 < 0.25 ? 2 * fa * fb * inv * (1 + x2 * (1 / 3 + x2 * (1 / 5 + x2 * (1 / 7 + x2 * (1 / 9 + x2 / 11))))) : Math.log(fa / fb) / (1 / fb - 1 / fa);
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
            const s0 = cS[i0]!, s1 = cS[i1]!, s2 = cS[i2]!, s3 = cS[i3]!;
            const sl01 = s0 < s1 ? s0 : s1, sl23 = s2 < s3 ? s2 : s3;
            const sh01 = s0 > s1 ? s0 : s1, sh23 = s2 > s3 ? s2 : s3;
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
            const s0 = cS[i0]!, s1 = cS[i1]!, s2 = cS[i2]!, s3 = cS[i3]!;
            const sl01 = s0 < s1 ? s0 : s1, sl23 = s2 < s3 ? s2 : s3;
            const sh01 = s0 > s1 ? s0 : s1, sh23 = s2 > s3 ? s2 : s3;
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
                  const per = mk[ob + MK_DPER]!, ph = mk[ob + MK_DPH]!, dinv = mk[ob + MK_DINV]!;
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
            fk = x2 < 0.25 ? 2 * fa * fb * inv * (1 + x2 * (1 / 3 + x2 * (1 / 5 + x2 * (1 / 7 + x2 * (1 / 9 + x2 / 11))))) : Math.log(fa / fb) / (1 / fb - 1 / fa);
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
          let g0 = gr * k, g1 = gg * k, g2 = gb * k;
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
          const v0 = cV[i0]!, v1 = cV[i1]!, v2 = cV[i2]!, v3 = cV[i3]!;
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
          const g0 = gr * kg, g1 = gg * kg, g2 = gb * kg;
          cr = wSky * lut[ks]! + wG * (g0 + (hr - g0) * kf);
          cg = wSky * lut[ks + 1]! + wG * (g1 + (hg - g1) * kf);
          cb = wSky * lut[ks + 2]! + wG * (g2 + (hb - g2) * kf);
        } else {
          this.mixedPixel(i0, i1, i2, i3, out);
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
      const zr = cr * b255, zg = cg * b255, zb = cb * b255;
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
  private shadePixels(): void {
    const brightness = this.brightnessNow[0]!;
    const W = this.width;
    const H = this.height;
    const gw = this.gw;
    const aa = this.antiAlias;
    const out8 = this.frameClamped;
    const cK = this.cK, cS = this.cS, cD = this.cD, cT = this.cT, cX = this.cX, cY = this.cY, cE = this.cE, cF = this.cF;
    const hoodCov = this.hoodCov;
    const hood = this.hood;
    const hr = this.horizon[0]!, hg = this.horizon[1]!, hb = this.horizon[2]!;
    const invF = 1 / this.focal;
    const out = this.shadeOut;
    const rowHood = this.rowHood;
    const rowSky = this.rowSky;
    const lut = this.skyLut;
    const lutScale = SKY_LUT / SKY_TOP;
    const hood0 = hood[0]!, hood1 = hood[1]!, hood2 = hood[2]!;
    // Plain-asphalt fast path data.
    const aL = this.asphaltLeft, aR = this.asphaltRight;
    const ar = this.asphalt[0]!, ag = this.asphalt[1]!, ab = this.asphalt[2]!;
    const aTile = this.asphaltTile;
    const aInv = this.asphaltInvTexel;
    const aAmp = this.asphaltAmp;
    const sMask = this.stripeMask;
    const sRange = this.stripeRange;
    const sCells = this.stripeCells;
    const sD0 = this.stripeD0;
    const stripes = this.stripes;
    const trackBits = this.trackBits;
    const trackDark = this.trackDarkening;
    const b255 = 255 * brightness;
    const obsT = this.obsTarget;
    let p = 0;
    for (let r = 0; r < H; r++) {
      if (rowHood[r]) {
        const shade = (1 - 0.25 * (r / H)) * b255;
        const br = hood0 * shade, bg = hood1 * shade, bb = hood2 * shade;
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
      if (this.rowPartial[r]) this.completeSkyRow(r);
      if (this.rowPartial[r + 1]) this.completeSkyRow(r + 1);
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
            this.sky(cE[i]!, out);
          } else if (k === FAR) {
            this.grassAt(cX[i]!, cY[i]!, cT[i]! * invF, out);
            fog(out, cF[i]!, hr, hg, hb);
          } else {
            this.ground(cS[i]!, cS[i]!, cD[i]!, cD[i]!, cX[i]!, cY[i]!, cT[i]! * invF, out);
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
            const d0 = cD[i0]!, d1 = cD[i1]!, d2 = cD[i2]!, d3 = cD[i3]!;
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
              const s0 = cS[i0]!, s1 = cS[i1]!, s2 = cS[i2]!, s3 = cS[i3]!;
              const x = 0.25 * (cX[i0]! + cX[i1]! + cX[i2]! + cX[i3]!);
              const y = 0.25 * (cY[i0]! + cY[i1]! + cY[i2]! + cY[i3]!);
              this.ground(min4(s0, s1, s2, s3), max4(s0, s1, s2, s3), dlo, dhi, x, y, t * invF, out);
              fog(out, fogMean(cF[i0]! + cF[i1]!, cF[i2]! + cF[i3]!), hr, hg, hb);
              cr = out[0]!;
              cg = out[1]!;
              cb = out[2]!;
            }
          } else if (k0 === FAR && cK[i1] === FAR && cK[i2] === FAR && cK[i3] === FAR) {
            const t = 0.25 * (cT[i0]! + cT[i1]! + cT[i2]! + cT[i3]!);
            this.grassAt(0.25 * (cX[i0]! + cX[i1]! + cX[i2]! + cX[i3]!), 0.25 * (cY[i0]! + cY[i1]! + cY[i2]! + cY[i3]!), t * invF, out);
            fog(out, fogMean(cF[i0]! + cF[i1]!, cF[i2]! + cF[i3]!), hr, hg, hb);
            cr = out[0]!;
            cg = out[1]!;
            cb = out[2]!;
          } else {
            this.mixedPixel(i0, i1, i2, i3, out);
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

  /** A pixel whose corners see different things: shade each class from its corners, weight by count. */
  private mixedPixel(i0: number, i1: number, i2: number, i3: number, out: Float64Array): void {
    const cK = this.cK, cS = this.cS, cD = this.cD, cT = this.cT, cX = this.cX, cY = this.cY, cE = this.cE, cF = this.cF;
    const hr = this.horizon[0]!, hg = this.horizon[1]!, hb = this.horizon[2]!;
    const invF = 1 / this.focal;
    let nSky = 0, nNear = 0, nFar = 0;
    let e = 0, tN = 0, tF = 0, xN = 0, yN = 0, xF = 0, yF = 0, fN = 0, fF = 0;
    let slo = Infinity, shi = -Infinity, dlo = Infinity, dhi = -Infinity;
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
      const cV = this.cV;
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
    let cr = 0, cg = 0, cb = 0;
    const tmp = this.mixOut;
    if (nSky) {
      const es = e / nSky;
      const k = es <= 0 ? 0 : es >= SKY_TOP ? SKY_LUT * 3 : ((es * (SKY_LUT / SKY_TOP)) | 0) * 3;
      const lut = this.skyLut;
      cr += wSky * lut[k]!;
      cg += wSky * lut[k + 1]!;
      cb += wSky * lut[k + 2]!;
    }
    if (nFar) {
      const t = tF / nFar;
      const w = (wGround * nFar) / nGround;
      const x = xF / nFar;
      const y = yF / nFar;
      const gInv = this.grassInvTexel;
      const tex = this.grassTile[((Math.floor(y * gInv) & TILE_MASK) << 6) | (Math.floor(x * gInv) & TILE_MASK)]!;
      const fx = t * invF * gInv;
      const kg = 1 + this.grassAmp * tex * (1 / (1 + fx * fx));
      const kf = fF / nFar;
      const gr = this.grass[0]! * kg, gg = this.grass[1]! * kg, gb = this.grass[2]! * kg;
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
      const a = this.groundArgs;
      a[0] = slo;
      a[1] = shi;
      a[2] = dlo;
      a[3] = dhi;
      a[4] = xN / nNear;
      a[5] = yN / nNear;
      a[6] = t * invF;
      this.groundFromArgs(tmp);
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

  private readonly mixOut = new Float64Array(3);
  private readonly shadeOut = new Float64Array(3);

  /** Sky colour for a ray with elevation sine e (0 at the horizon). */
  private sky(e: number, out: Float64Array): void {
    const k = e <= 0 ? 0 : e >= SKY_TOP ? SKY_LUT * 3 : ((e * (SKY_LUT / SKY_TOP)) | 0) * 3;
    const lut = this.skyLut;
    out[0] = lut[k]!;
    out[1] = lut[k + 1]!;
    out[2] = lut[k + 2]!;
  }

  /** Grass (textured by map position) for a footprint of `fp` metres per pixel. */
  private grassAt(x: number, y: number, fp: number, out: Float64Array): void {
    const inv = this.grassInvTexel;
    const tex = this.grassTile[((Math.floor(y * inv) & TILE_MASK) << 6) | (Math.floor(x * inv) & TILE_MASK)]!;
    const k = 1 + this.grassAmp * tex * fade(fp * inv);
    out[0] = this.grass[0]! * k;
    out[1] = this.grass[1]! * k;
    out[2] = this.grass[2]! * k;
  }

  /**
   * Ground colour over a footprint [slo, shi] x [dlo, dhi] in road coordinates (box filter);
   * (x, y) is the footprint's centre in the map, fp its size in metres per pixel.
   */
  private ground(slo: number, shi: number, dlo: number, dhi: number, x: number, y: number, fp: number, out: Float64Array): void {
    const a = this.groundArgs;
    a[0] = slo;
    a[1] = shi;
    a[2] = dlo;
    a[3] = dhi;
    a[4] = x;
    a[5] = y;
    a[6] = fp;
    this.groundFromArgs(out);
  }

  /** Arguments of groundFromArgs: slo, shi, dlo, dhi, x, y, fp (see ground()). */
  private readonly groundArgs = new Float64Array(7);

  /** ground() with its arguments in groundArgs (no float arguments: the hot callers stay allocation-free). */
  private groundFromArgs(out: Float64Array): void {
    const a = this.groundArgs;
    const slo = a[0]!, shi = a[1]!, dlo = a[2]!, dhi = a[3]!, x = a[4]!, y = a[5]!, fp = a[6]!;
    const sm = 0.5 * (slo + shi);
    const dm = 0.5 * (dlo + dhi);
    const w = dhi - dlo;
    const aL = this.asphaltLeft, aR = this.asphaltRight, vL = this.vergeLeft, vR = this.vergeRight;
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
    let r = 0, g = 0, b = 0;
    if (cA > 0) {
      const inv = this.asphaltInvTexel;
      const tex = this.asphaltTile[((Math.floor(dm * inv) & TILE_MASK) << 6) | (Math.floor(sm * inv) & TILE_MASK)]!;
      const ar = this.asphalt[0]!, ag = this.asphalt[1]!, ab = this.asphalt[2]!;
      const k = cA * (1 + this.asphaltAmp * tex * fade(fp * inv));
      r += ar * k;
      g += ag * k;
      b += ab * k;
    }
    if (cV > 0) {
      const inv = this.vergeInvTexel;
      const tex = this.vergeTile[((Math.floor(dm * inv) & TILE_MASK) << 6) | (Math.floor(sm * inv) & TILE_MASK)]!;
      const k = cV * (1 + this.vergeAmp * tex * fade(fp * inv));
      r += this.verge[0]! * k;
      g += this.verge[1]! * k;
      b += this.verge[2]! * k;
    }
    if (cG > 1e-9) {
      const inv = this.grassInvTexel;
      const tex = this.grassTile[((Math.floor(y * inv) & TILE_MASK) << 6) | (Math.floor(x * inv) & TILE_MASK)]!;
      const k = cG * (1 + this.grassAmp * tex * fade(fp * inv));
      r += this.grass[0]! * k;
      g += this.grass[1]! * k;
      b += this.grass[2]! * k;
    }
    // Tyre tracks and painted lines over the surface: only those whose d-cells the footprint touches.
    let c0 = Math.floor((dlo - this.stripeD0) * STRIPE_INV);
    let c1 = Math.floor((dhi - this.stripeD0) * STRIPE_INV);
    if (c0 < 0) c0 = 0;
    if (c1 >= this.stripeCells) c1 = this.stripeCells - 1;
    let mask = 0;
    if (c1 >= c0) {
      const L = 31 - Math.clz32(c1 - c0 + 1);
      mask = this.stripeRange[L * this.stripeCells + c0]! | this.stripeRange[L * this.stripeCells + c1 - (1 << L) + 1]!;
    }
    if (mask !== 0) {
      const mk = this.stripes;
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

  /** Props as sprites, far to near, within the fog's reach ahead of the car. */
  private drawProps(hint: number): void {
    const n = this.nProps;
    if (!n) return;
    const road = this.road!;
    const sCar = hint * road.spacing;
    const reach = Math.min(400, this.fogDistance * 6);
    const P = this.props;
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
      this.drawProp(o);
    }
  }

  private drawProp(o: number): void {
    const brightness = this.brightnessNow[0]!;
    const P = this.props;
    const f = this.focal;
    const W = this.width;
    const H = this.height;
    const ex = P[o + 1]! - this.px;
    const ey = P[o + 2]! - this.py;
    const eh = -this.ph;
    const F = this.F, R = this.R, D = this.D;
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
    const fogK = depth / (depth + this.fogDistance);
    const light = this.lightProp;
    const sunSide = this.sunSideX * -this.R[1]! + this.sunSideY * this.R[0]!; // > 0: sun on the camera's left
    const hr = this.horizon[0]!, hg = this.horizon[1]!, hb = this.horizon[2]!;
    const c1r = P[o + 6]! * light, c1g = P[o + 7]! * light, c1b = P[o + 8]! * light;
    const c2r = P[o + 9]! * light, c2g = P[o + 10]! * light, c2b = P[o + 11]! * light;
    const x0 = Math.max(0, Math.floor(sx - halfSpan - 1));
    const x1 = Math.min(W - 1, Math.ceil(sx + halfSpan + 1));
    const y0 = Math.max(0, Math.floor(topY - 1));
    // Rows of solid bonnet hide whatever stands behind them.
    const y1 = Math.min(this.hoodTopRow - 1, Math.ceil(baseY));
    const frame = this.frame;
    const hoodCov = this.hoodCov;
    const obsT = this.obsTarget;
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
        let cr = c1r, cg = c1g, cb = c1b;
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
            const border = Math.abs(pxc - sx) > rpx * 0.78 || pyc - panelTop < (panelBottom - panelTop) * 0.12 || panelBottom - pyc < (panelBottom - panelTop) * 0.12;
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
}

/**
 * byte * INV255 rounds to the same float32 as byte / 255 for every byte (checked for all 256;
 * the pixel-observation test compares every value): a multiply instead of a table load.
 */
const INV255 = 1 / 255;

/** byte -> byte / 255 as float32 (exact by construction). */
const UNIT = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/** Writes one pixel (values in 0..255; the clamped array rounds and clamps) and, if given, its floats byte / 255. */
function put(out8: Uint8ClampedArray, obs: Float32Array | null, o: number, r: number, g: number, b: number): void {
  out8[o] = r;
  out8[o + 1] = g;
  out8[o + 2] = b;
  if (obs !== null) {
    obs[o] = UNIT[out8[o]!]!;
    obs[o + 1] = UNIT[out8[o + 1]!]!;
    obs[o + 2] = UNIT[out8[o + 2]!]!;
  }
}

/** Sine of the elevation of direction (dx, dy, dh). */
function elevation(dx: number, dy: number, dh: number): number {
  return dh / Math.sqrt(dx * dx + dy * dy + dh * dh);
}

/**
 * True when a footprint spanning road offsets d2..d3 (its near corners) lies wholly on the grass
 * beyond a verge and no painted line or track is registered in its d-cells (groundFromArgs's mask),
 * so that function would give plain grass there.
 */
function grassBandEdge(d2: number, d3: number, vR: number, vL: number, sD0: number, cells: number, range: Int32Array): boolean {
  const dlo = d2 < d3 ? d2 : d3;
  const dhi = d2 > d3 ? d2 : d3;
  if (!(dlo > vL || dhi < vR)) return false;
  let c0 = Math.floor((dlo - sD0) * STRIPE_INV);
  let c1 = Math.floor((dhi - sD0) * STRIPE_INV);
  if (c0 < 0) c0 = 0;
  if (c1 >= cells) c1 = cells - 1;
  if (c1 < c0) return true;
  const L = 31 - Math.clz32(c1 - c0 + 1);
  return (range[L * cells + c0]! | range[L * cells + c1 - (1 << L) + 1]!) === 0;
}

function overlap(a0: number, a1: number, b0: number, b1: number): number {
  const lo = a0 > b0 ? a0 : b0;
  const hi = a1 < b1 ? a1 : b1;
  return hi > lo ? hi - lo : 0;
}

function min4(a: number, b: number, c: number, d: number): number {
  const x = a < b ? a : b;
  const y = c < d ? c : d;
  return x < y ? x : y;
}

function max4(a: number, b: number, c: number, d: number): number {
  const x = a > b ? a : b;
  const y = c > d ? c : d;
  return x > y ? x : y;
}

/** Texture contrast left at a footprint of `texels` texels per pixel (a cheap mipmap). */
function fade(texels: number): number {
  return 1 / (1 + texels * texels);
}

/**
 * Mean fog factor over a pixel from the sums of its top and bottom corners' factors. Depth
 * grows like 1 / (rows below the horizon), so f = t / (t + D) is 1 / (1 + k y) down the pixel
 * and its exact mean between edge values a (top) and b (bottom) is ln(a / b) / (1/b - 1/a);
 * where they are close (most of the image) the plain average is as good and cheaper.
 */
function fogMean(topSum: number, bottomSum: number): number {
  const a = 0.5 * topSum;
  const b = 0.5 * bottomSum;
  // Within 15% the plain average is off by under 0.002 (half a grey level).
  if (a < 1.15 * b && b < 1.15 * a) return 0.5 * (a + b);
  if (a <= 0 || b <= 0) return 0.5 * (a + b);
  return Math.log(a / b) / (1 / b - 1 / a);
}

/** Fades `out` towards the horizon colour by fog factor k (0 none, 1 all). */
function fog(out: Float64Array, k: number, hr: number, hg: number, hb: number): void {
  out[0] = out[0]! + (hr - out[0]!) * k;
  out[1] = out[1]! + (hg - out[1]!) * k;
  out[2] = out[2]! + (hb - out[2]!) * k;
}

/** Fraction of [s0, s1] covered by dashes (length `len` every `per` m from `ph`; inv = 1 / per). */
function dashCov(s0: number, s1: number, len: number, per: number, ph: number, inv: number): number {
  if (s1 - s0 < 1e-6) {
    const x = s0 - ph;
    return x - Math.floor(x * inv) * per < len ? 1 : 0;
  }
  return (dashInt(s1, len, per, ph, inv) - dashInt(s0, len, per, ph, inv)) / (s1 - s0);
}

function dashInt(s: number, len: number, per: number, ph: number, inv: number): number {
  const x = s - ph;
  const k = Math.floor(x * inv);
  const r = x - k * per;
  return k * len + (r < len ? r : len);
}

/** Fraction of a pixel where a value given at its 4 corners is positive (linear approximation). */
function coverage4(a: number, b: number, c: number, d: number): number {
  if (a > 0 && b > 0 && c > 0 && d > 0) return 1;
  if (a <= 0 && b <= 0 && c <= 0 && d <= 0) return 0;
  const pos = (a > 0 ? a : 0) + (b > 0 ? b : 0) + (c > 0 ? c : 0) + (d > 0 ? d : 0);
  const all = Math.abs(a) + Math.abs(b) + Math.abs(c) + Math.abs(d);
  return all > 0 ? pos / all : 0.5;
}

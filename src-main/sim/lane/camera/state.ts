import { CornerKernel } from '../corner-kernel.js';
import type { Road } from '../road.js';
import { SKY_LUT, TILE } from './constants.js';

/** What the camera is built with: image size, horizontal field of view, anti-aliasing, bonnet. */
export interface CameraSpecLike {
  width: number;
  height: number;
  hFovDeg: number;
  antiAlias: boolean;
  /** Draw the car's bonnet. */
  hood: boolean;
}

/**
 * The driver camera's state: its image, pose, per-sample arrays (views into the corner kernel's
 * memory), bonnet and sky templates and the scene's shading data. The modules of this folder
 * (rays, bonnet, shade-row, ground-row, ground, reference, props, load-scene) work on it as
 * functions of `cam`; DriverCamera (driver-camera.ts) is the class users see. Fields read only
 * by those modules are internal: set them through DriverCamera's documented members.
 */
export class CameraState {
  readonly width: number;
  readonly height: number;
  /** The last rendered image: RGB bytes, row-major from the top-left, width * height * 3. */
  readonly frame: Uint8Array;
  /** The same bytes; writes clamp to [0, 255] and round (half to even) in one step. */
  readonly frameClamped: Uint8ClampedArray;
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
  readonly gw: number;
  readonly gh: number;
  readonly gOffset: number;
  cS!: Float64Array;
  cD!: Float64Array;
  cT!: Float64Array;
  cX!: Float64Array;
  cY!: Float64Array;
  cE!: Float64Array;
  /** Fog factor per ground sample: depth / (depth + fogDistance). Pixels average their corners' factors (fog is not linear in depth). */
  cF!: Float64Array;
  /** The ray's (unnormalized) vertical component per sample: linear across the image, so mixed pixels get their exact sky fraction. */
  cV!: Float64Array;
  cK!: Uint8Array;
  cHood!: Float64Array;
  readonly hoodCov: Float32Array;
  /** Per pixel row: 1 when every pixel of the row is fully bonnet. */
  rowHood!: Uint8Array;
  /** Per sample row: 1 when the whole row looks at the sky; then rowE0/rowE1 are the elevation sines at its ends. */
  rowSky!: Uint8Array;
  /** Per sample row: 1 when castCorners wrote only its first two corners (a sky row between sky rows); its line: elevation e0 + c * de, vertical ray component rowBh + u * R[2]. */
  rowPartial!: Uint8Array;
  rowE0!: Float64Array;
  rowDe!: Float64Array;
  rowBh!: Float64Array;
  /** Per sample column: the ray's right component u = (column - cx) / focal. */
  uCol!: Float64Array;
  /** Sky colour by elevation: SKY_LUT entries of r, g, b for e = 0 .. SKY_TOP. */
  readonly skyLut = new Float64Array((SKY_LUT + 1) * 3);
  hoodValid = false;
  /** The body-frame pose (bodyF, bodyR, bodyD, bodyPos) the bonnet was last computed for. */
  readonly hoodKey = new Float64Array(12).fill(NaN);
  /** Solid bonnet pixels as bytes and as observation floats, for the brightness hoodTemplateBrightness. */
  readonly hoodBytes: Uint8Array;
  readonly hoodFloats: Float32Array;
  hoodTemplateBrightness = NaN;
  /** Per sky table entry: a pixel row of that colour (bytes, floats), filled on first use per brightness (skyRowBrightness). */
  readonly skyRow8: Uint8Array[] = [];
  readonly skyRowF: Float32Array[] = [];
  readonly skyRowReady = new Uint8Array(SKY_LUT + 1);
  skyRowBrightness = NaN;
  /** The first of the bottom rows that are solid bonnet (height when none). */
  hoodTopRow = 0;
  /** Per pixel that starts a run of solid bonnet pixels in its row: the run's template views and its end column (exclusive). */
  readonly hoodRun8: (Uint8Array | null)[];
  readonly hoodRunF: (Float32Array | null)[];
  readonly hoodRunEnd: Int16Array;

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
  road: Road | undefined;
  readonly asphalt = new Float64Array(3);
  readonly verge = new Float64Array(3);
  readonly grass = new Float64Array(3);
  readonly zenith = new Float64Array(3);
  readonly horizon = new Float64Array(3);
  readonly hood = new Float64Array(3);
  readonly sunDir = new Float64Array(3);
  sunGlow = 0;
  asphaltLeft = 0;
  asphaltRight = 0;
  vergeLeft = 0;
  vergeRight = 0;
  fogDistance = 150;
  /** Tyre tracks then painted lines ("stripes"), MK_STRIDE numbers each; at most 30. */
  stripes = new Float64Array(0);
  nStripes = 0;
  /** Bit k of stripeMask[cell] is set when stripe k overlaps d-cell `cell` (STRIPE_CELL m wide from stripeD0). */
  stripeMask = new Int32Array(0);
  /** Sparse table over stripeMask (see setScene) so a footprint's stripes are found in O(1). */
  stripeRange = new Int32Array(0);
  stripeD0 = 0;
  stripeCells = 0;
  /** Stripes 0 .. nTrackStripes-1 are tyre tracks (plain darkening); the rest are painted lines. */
  nTrackStripes = 0;
  trackBits = 0;
  trackDarkening = 0;
  asphaltTile: Float32Array = new Float32Array(TILE * TILE);
  vergeTile: Float32Array = new Float32Array(TILE * TILE);
  grassTile: Float32Array = new Float32Array(TILE * TILE);
  asphaltInvTexel = 4;
  vergeInvTexel = 4;
  grassInvTexel = 2;
  asphaltAmp = 0;
  vergeAmp = 0;
  grassAmp = 0;
  props = new Float64Array(0);
  nProps = 0;
  sunSideX = 0;
  sunSideY = 0;
  lightProp = 1;

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
  cornerParams!: Float64Array;
  /** The corner kernel and its memory's views (see bindViews). */
  readonly kernel: CornerKernel;
  /**
   * Cast the corners with the WebAssembly kernel (true, the default) or with castCornersTs()
   * (the same arithmetic in TypeScript; tests compare the two bit for bit).
   */
  kernelCast = true;

  /** Points the per-sample and per-row arrays at the kernel's memory (again after it grew). */
  bindViews(): void {
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

  /** The brightness factor of the frame being rendered (see render). */
  readonly brightnessNow = new Float64Array(1);

  /** Height of the chassis centre above the ground at rest (m); set by the env. */
  groundOffset = 0.7;

  readonly mixOut = new Float64Array(3);
  readonly shadeOut = new Float64Array(3);

  /** Arguments of groundFromArgs: slo, shi, dlo, dhi, x, y, fp (see ground()). */
  readonly groundArgs = new Float64Array(7);
}

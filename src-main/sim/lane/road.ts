/**
 * A sampled centreline with fast queries: pose and curvature at s, and the road-local
 * coordinates (s along the centreline, d lateral, + left) of a map point. Projection walks
 * from a hint index using the local circle at a sample (exact to ~1 cm for |d| < 15 m at the
 * tightest bends), and a coarse grid gives a hint for any point and rules out points far from
 * the road in one lookup. Allocation-free after construction.
 */
import type { RoadSamples } from './road-gen.js';

/** Grid cell size (m) of the coarse projection hint grid. */
const CELL = 8;

export class Road {
  readonly spacing: number;
  readonly invSpacing: number;
  readonly length: number;
  readonly n: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly heading: Float64Array;
  readonly curvature: Float64Array;
  /** Unit tangent (cos, sin of the heading) per sample. */
  readonly tx: Float64Array;
  readonly ty: Float64Array;
  /** Points farther than this from the centreline (m) count as "far" (grass) for shading. */
  readonly band: number;
  // Hint grid: per cell, the index of the sample nearest the cell centre, or -1 if no sample is within band + cell diagonal.
  private readonly gx0: number;
  private readonly gy0: number;
  private readonly gnx: number;
  private readonly gny: number;
  private readonly grid: Int32Array;

  private readonly scratchX = new Float64Array(1);
  private readonly scratchY = new Float64Array(1);

  /** Results of the last project(): s (m), d (m, + left), and the sample index it settled on. */
  ps = 0;
  pd = 0;
  pi = 0;

  constructor(samples: RoadSamples, band: number) {
    this.spacing = samples.spacing;
    this.invSpacing = 1 / samples.spacing;
    this.length = samples.length;
    this.x = samples.x;
    this.y = samples.y;
    this.heading = samples.heading;
    this.curvature = samples.curvature;
    this.n = samples.x.length;
    this.band = band;
    this.tx = new Float64Array(this.n);
    this.ty = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) {
      this.tx[i] = Math.cos(this.heading[i]!);
      this.ty[i] = Math.sin(this.heading[i]!);
    }
    // Grid over the bounding box plus a margin.
    const reach = band + CELL;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < this.n; i++) {
      minX = Math.min(minX, this.x[i]!);
      maxX = Math.max(maxX, this.x[i]!);
      minY = Math.min(minY, this.y[i]!);
      maxY = Math.max(maxY, this.y[i]!);
    }
    this.gx0 = minX - reach - CELL;
    this.gy0 = minY - reach - CELL;
    this.gnx = Math.ceil((maxX - this.gx0 + reach + CELL) / CELL) + 1;
    this.gny = Math.ceil((maxY - this.gy0 + reach + CELL) / CELL) + 1;
    this.grid = new Int32Array(this.gnx * this.gny).fill(-1);
    const best = new Float32Array(this.gnx * this.gny).fill(Infinity);
    const r = Math.ceil(reach / CELL) + 1;
    const limit2 = (band + CELL * Math.SQRT1_2 + this.spacing) ** 2;
    const stride = Math.max(1, Math.floor(2 / this.spacing));
    // Locals: this loop runs ~10^5 times per road (a new road every episode).
    const X = this.x,
      Y = this.y,
      grid = this.grid,
      gx0 = this.gx0,
      gy0 = this.gy0,
      gnx = this.gnx,
      gny = this.gny;
    for (let i = 0; i < this.n; i += stride) {
      const xi = X[i]!;
      const yi = Y[i]!;
      const cx = Math.floor((xi - gx0) / CELL);
      const cy = Math.floor((yi - gy0) / CELL);
      const j0 = cy - r < 0 ? 0 : cy - r;
      const j1 = cy + r >= gny ? gny - 1 : cy + r;
      const k0 = cx - r < 0 ? 0 : cx - r;
      const k1 = cx + r >= gnx ? gnx - 1 : cx + r;
      for (let j = j0; j <= j1; j++) {
        const ey = gy0 + (j + 0.5) * CELL - yi;
        for (let k = k0; k <= k1; k++) {
          const ex = gx0 + (k + 0.5) * CELL - xi;
          const dist2 = ex * ex + ey * ey;
          const c = j * gnx + k;
          if (dist2 < limit2 && dist2 < best[c]!) {
            best[c] = dist2;
            grid[c] = i;
          }
        }
      }
    }
  }

  /** The hint grid (for a copy elsewhere, e.g. the camera's wasm kernel): origin (m), size in cells, cell -> sample or -1. */
  hintGrid(): { gx0: number; gy0: number; gnx: number; gny: number; grid: Int32Array } {
    return { gx0: this.gx0, gy0: this.gy0, gnx: this.gnx, gny: this.gny, grid: this.grid };
  }

  /** A sample index near (x, y) to start project() from, or -1 when the point is certainly farther than `band` from the road. */
  hint(x: number, y: number): number {
    this.scratchX[0] = x;
    this.scratchY[0] = y;
    return this.hintAt(this.scratchX, this.scratchY, 0);
  }

  /**
   * hint() for the point (xs[i], ys[i]). Hot loops (the camera) pass points this way: V8 boxes
   * float arguments of calls it does not inline, integer and array arguments it does not.
   */
  hintAt(xs: Float64Array, ys: Float64Array, i: number): number {
    const x = xs[i]!;
    const y = ys[i]!;
    const fx = (x - this.gx0) * (1 / CELL);
    const fy = (y - this.gy0) * (1 / CELL);
    if (!(fx >= 0 && fy >= 0 && fx < this.gnx && fy < this.gny)) return -1;
    return this.grid[(fy | 0) * this.gnx + (fx | 0)]!;
  }

  /**
   * Road-local coordinates of map point (x, y), walking from sample `start`. Sets ps, pd, pi and
   * returns true, or returns false when the point is not within the road's reach (beyond the
   * ends, or past the centre of a bend's circle); then ps/pd are not meaningful.
   */
  project(x: number, y: number, start: number): boolean {
    this.scratchX[0] = x;
    this.scratchY[0] = y;
    return this.projectAt(this.scratchX, this.scratchY, 0, start);
  }

  /**
   * project() for the point (xs[i], ys[i]) (see hintAt). The camera's corner kernel
   * (corners.as.ts) mirrors it operation for operation.
   *
   * The walk settles where a sample's local circle puts the point within half a sample of it.
   * Rarely it does not settle in 12 steps: a point almost exactly half-way between two samples
   * that both put it past the half-way mark (the walk goes back and forth), or a start far away
   * on a bend. Then (and only then, so settled walks are unchanged) settleByBisection brackets
   * the foot point and bisects to it. Giving up there used to report a point on the road as off
   * it: a spurious "lane" disengagement at offset ~0.
   */
  projectAt(xs: Float64Array, ys: Float64Array, p: number, start: number): boolean {
    const x = xs[p]!;
    const y = ys[p]!;
    const X = this.x;
    const Y = this.y;
    const TX = this.tx;
    const TY = this.ty;
    const K = this.curvature;
    const last = this.n - 1;
    let i = start;
    for (let iter = 0; iter < 12; iter++) {
      const ex = x - X[i]!;
      const ey = y - Y[i]!;
      const tx = TX[i]!;
      const ty = TY[i]!;
      const u = ex * tx + ey * ty;
      const v = ey * tx - ex * ty;
      const k = K[i]!;
      const den = 1 - k * v;
      if (den < 0.25) return false;
      const sig = u / den;
      const step = Math.round(sig * this.invSpacing);
      if (step === 0) {
        this.ps = i * this.spacing + sig;
        this.pd = v - 0.5 * k * u * sig;
        this.pi = i;
        return true;
      }
      if (iter === 11) return this.settleByBisection(x, y, i, step > 0 ? 1 : -1);
      let j = i + step;
      if (j < 0) j = 0;
      else if (j > last) j = last;
      if (j === i) return false; // beyond an end of the road
      i = j;
    }
    return false;
  }

  /**
   * The foot point of (x, y) from sample i, when the point lies ahead of it (dir 1) or behind it
   * (dir -1) along the tangent: steps of 1, 2, 4, ... samples in that direction until the point
   * lies on the other side of a sample (a bracket: ahead of sample a, not ahead of sample b),
   * bisection down to adjacent samples, then the local circle of the nearer one. False beyond an
   * end of the road or past the centre of a bend's circle, as the walk. Public for the camera,
   * which writes the walk out inline.
   */
  settleByBisection(x: number, y: number, i: number, dir: number): boolean {
    const last = this.n - 1;
    let inner = i;
    let outer = i;
    for (let w = 1; ; w *= 2) {
      let j = i + dir * w;
      if (j < 0) j = 0;
      else if (j > last) j = last;
      if (this.ahead(x, y, j) !== dir > 0) {
        outer = j;
        break;
      }
      if (j === 0 || j === last) return false; // beyond an end of the road
      inner = j;
    }
    let a = dir > 0 ? inner : outer;
    let b = dir > 0 ? outer : inner;
    while (b - a > 1) {
      const m = (a + b) >> 1;
      if (this.ahead(x, y, m)) a = m;
      else b = m;
    }
    for (let c = a; c <= b; c++) {
      const ex = x - this.x[c]!;
      const ey = y - this.y[c]!;
      const tx = this.tx[c]!;
      const ty = this.ty[c]!;
      const u = ex * tx + ey * ty;
      const v = ey * tx - ex * ty;
      const k = this.curvature[c]!;
      const den = 1 - k * v;
      if (den < 0.25) return false;
      const sig = u / den;
      if (c === b || Math.round(sig * this.invSpacing) === 0) {
        this.ps = c * this.spacing + sig;
        this.pd = v - 0.5 * k * u * sig;
        this.pi = c;
        return true;
      }
    }
    return false;
  }

  /** Whether (x, y) lies at or ahead of sample i along its tangent. */
  private ahead(x: number, y: number, i: number): boolean {
    return (x - this.x[i]!) * this.tx[i]! + (y - this.y[i]!) * this.ty[i]! >= 0;
  }

  /** Projects with the grid hint; false when far from the road. */
  projectAny(x: number, y: number): boolean {
    const h = this.hint(x, y);
    return h >= 0 && this.project(x, y, h);
  }

  /** Sample index at or below s (clamped). */
  indexAt(s: number): number {
    const i = Math.floor(s * this.invSpacing);
    return i < 0 ? 0 : i > this.n - 2 ? this.n - 2 : i;
  }

  /** Curvature (1/m) at s, linearly interpolated. */
  curvatureAt(s: number): number {
    const i = this.indexAt(s);
    const f = Math.min(1, Math.max(0, s * this.invSpacing - i));
    return this.curvature[i]! + f * (this.curvature[i + 1]! - this.curvature[i]!);
  }

  /** Centreline pose at s into out = [x, y, heading] (map frame), then shifted d metres to the left. */
  poseAt(s: number, d: number, out: Float64Array): Float64Array {
    const i = this.indexAt(s);
    const u = s - i * this.spacing;
    // Advance along the local circle from sample i (exact for arcs).
    const h0 = this.heading[i]!;
    const k = this.curvature[i]!;
    const dh = k * u;
    let px: number;
    let py: number;
    if (Math.abs(dh) < 1e-9) {
      px = this.x[i]! + u * Math.cos(h0);
      py = this.y[i]! + u * Math.sin(h0);
    } else {
      px = this.x[i]! + (Math.sin(h0 + dh) - Math.sin(h0)) / k;
      py = this.y[i]! - (Math.cos(h0 + dh) - Math.cos(h0)) / k;
    }
    // Heading: interpolate the sampled headings (exact for clothoids to second order).
    const f = u * this.invSpacing;
    const h = h0 + f * (this.heading[i + 1]! - h0);
    out[0] = px - d * Math.sin(h);
    out[1] = py + d * Math.cos(h);
    out[2] = h;
    return out;
  }
}

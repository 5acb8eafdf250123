/**
 * A fixed camera over the arm's table, rendered headless in TypeScript with no GPU: every
 * pixel's ray is cast against the scene's boxes (the base, the links, the cube) and the table,
 * and shaded with one directional light, plus a shadow of every box cast straight down onto the
 * table (a depth cue: it shows how high the paddle is above the table).
 *
 * Deterministic: only +, -, *, / and sqrt per frame (IEEE-exact in every JS engine), in a fixed
 * order, so the same poses give the same bytes (tested). The camera's own frame (a few sin/cos
 * of constants) is computed once at construction.
 *
 * How it stays cheap: a ray's direction is linear in the pixel's (u, v), and so is its direction
 * in a box's frame, so per frame each box gets its ray origin and three direction vectors in its
 * own frame, and a pixel costs a slab test per box (a few multiply-adds and 3 divisions).
 * The target is not drawn: the goal reaches the policy as a vector after the image.
 * Allocation-free after construction.
 */
import { BASE_LINK, CUBE, LINKS, TABLE } from './model.js';

export interface ArmCameraSpec {
  width: number;
  height: number;
}

/** Where the camera stands and looks (m, the arm's world frame: z up), and its vertical field of view. */
export const ARM_CAMERA_VIEW = {
  eye: [0.3, 0.45, 0.75] as const,
  lookAt: [-0.05, 0.0, 0.05] as const,
  vFovDeg: 42,
};

/** Unit vector towards the light (from above, in front of and to the left of the arm). */
const LIGHT = normalize([0.35, 0.25, 0.9]);
const AMBIENT = 0.4;
const DIFFUSE = 0.6;
/** Brightness of table under a shadow (fraction of lit). */
const SHADOW = 0.55;
const FLOOR_RGB = [58, 62, 70] as const;
const SKY_RGB = [170, 186, 204] as const;
/**
 * Per box, in its own frame: the camera ray's origin (3) and direction base, per-u and per-v
 * parts (9); the shadow ray's origin at the table's (0, 0) (3), its direction (3), the half
 * extents (3), and the world x and y axes (6: the shadow origin moves along them).
 */
const BOX_STRIDE = 27;

function normalize(v: readonly number[]): [number, number, number] {
  const n = Math.sqrt(v[0]! * v[0]! + v[1]! * v[1]! + v[2]! * v[2]!);
  return [v[0]! / n, v[1]! / n, v[2]! / n];
}

function hexRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export class ArmCamera {
  readonly width: number;
  readonly height: number;
  /** The last frame: height * width * 3 bytes, RGB, rows from the top. */
  readonly rgb: Uint8Array;
  /** Boxes drawn: the base, the links, then the cube when there is one (the pose order of ArmWorld.writePoses). */
  readonly nBoxes: number;
  private readonly half: Float64Array;
  private readonly colour: Float64Array;
  /** Per box and frame: ray data in the box frame (see BOX_STRIDE). */
  private readonly box: Float64Array;
  /** Per box and frame: the shade factor of each of its 6 faces (-x, +x, -y, +y, -z, +z). */
  private readonly faceShade: Float64Array;
  /** Per box and frame: the pixel rectangle it may cover [x0, x1, y0, y1] (inclusive), and its world x-y extent [x0, x1, y0, y1] (m). */
  private readonly screenRect: Int32Array;
  private readonly footprint: Float64Array;
  // The camera frame: forward, right and down, scaled so dir = f + u * r + v * d for u, v in [-1, 1].
  private readonly f: Float64Array;
  private readonly r: Float64Array;
  private readonly d: Float64Array;

  constructor(spec: ArmCameraSpec, withCube: boolean) {
    this.width = spec.width;
    this.height = spec.height;
    this.rgb = new Uint8Array(spec.width * spec.height * 3);
    const specs = [BASE_LINK, ...LINKS];
    const halves = specs.map((s) => s.halfExtents);
    const colours = specs.map((s) => hexRgb(s.colour));
    if (withCube) {
      halves.push([CUBE.halfSize, CUBE.halfSize, CUBE.halfSize]);
      colours.push(hexRgb(CUBE.colour));
    }
    this.nBoxes = halves.length;
    this.half = Float64Array.from(halves.flat());
    this.colour = Float64Array.from(colours.flat());
    this.box = new Float64Array(this.nBoxes * BOX_STRIDE);
    this.faceShade = new Float64Array(this.nBoxes * 6);
    this.screenRect = new Int32Array(this.nBoxes * 4);
    this.footprint = new Float64Array(this.nBoxes * 4);

    const { eye, lookAt, vFovDeg } = ARM_CAMERA_VIEW;
    const fw = normalize([lookAt[0] - eye[0], lookAt[1] - eye[1], lookAt[2] - eye[2]]);
    // right = forward x up(z), down = forward x right.
    const rt = normalize([fw[1], -fw[0], 0]);
    const dn = [fw[1] * rt[2] - fw[2] * rt[1], fw[2] * rt[0] - fw[0] * rt[2], fw[0] * rt[1] - fw[1] * rt[0]];
    const tv = Math.tan((vFovDeg * Math.PI) / 360);
    const th = (tv * spec.width) / spec.height;
    this.f = Float64Array.from(fw);
    this.r = Float64Array.from(rt.map((x) => x * th));
    this.d = Float64Array.from(dn.map((x) => x * tv));
  }

  /**
   * Renders the boxes at `poses` (7 numbers per box: x, y, z, qx, qy, qz, qw, in the order of
   * ArmWorld.writePoses) into `rgb`, and returns it.
   */
  render(poses: ArrayLike<number>): Uint8Array {
    this.prepareBoxes(poses);
    const W = this.width;
    const H = this.height;
    const [ex, ey, ez] = ARM_CAMERA_VIEW.eye;
    const { f, r, d, rgb } = this;
    const tableX0 = TABLE.centre[0] - TABLE.size[0] / 2;
    const tableX1 = TABLE.centre[0] + TABLE.size[0] / 2;
    const tableY0 = TABLE.centre[1] - TABLE.size[1] / 2;
    const tableY1 = TABLE.centre[1] + TABLE.size[1] / 2;
    const [tr, tg, tb] = hexRgb(TABLE.colour);
    const tableShade = AMBIENT + DIFFUSE * LIGHT[2];
    let o = 0;
    for (let y = 0; y < H; y++) {
      const v = (2 * y + 1) / H - 1;
      for (let x = 0; x < W; x++) {
        const u = (2 * x + 1) / W - 1;
        const dx = f[0]! + u * r[0]! + v * d[0]!;
        const dy = f[1]! + u * r[1]! + v * d[1]!;
        const dz = f[2]! + u * r[2]! + v * d[2]!;
        // Nearest box along the ray.
        let best = Infinity;
        let bestBox = -1;
        let bestFace = 0;
        const sr = this.screenRect;
        for (let b = 0; b < this.nBoxes; b++) {
          if (x < sr[b * 4]! || x > sr[b * 4 + 1]! || y < sr[b * 4 + 2]! || y > sr[b * 4 + 3]!) continue;
          const hit = this.slab(b, 0, u, v);
          if (hit >= 0 && this.tHit < best) {
            best = this.tHit;
            bestBox = b;
            bestFace = hit;
          }
        }
        // The table (z = 0), if it is nearer.
        let cr: number, cg: number, cb: number;
        const tTable = dz < 0 ? -ez / dz : Infinity;
        if (bestBox >= 0 && best < tTable) {
          const s = this.faceShade[bestBox * 6 + bestFace]!;
          cr = this.colour[bestBox * 3]! * s;
          cg = this.colour[bestBox * 3 + 1]! * s;
          cb = this.colour[bestBox * 3 + 2]! * s;
        } else if (tTable < Infinity) {
          const px = ex + tTable * dx;
          const py = ey + tTable * dy;
          if (px >= tableX0 && px <= tableX1 && py >= tableY0 && py <= tableY1) {
            const s = this.inShadow(px, py) ? tableShade * SHADOW : tableShade;
            cr = tr * s;
            cg = tg * s;
            cb = tb * s;
          } else {
            cr = FLOOR_RGB[0];
            cg = FLOOR_RGB[1];
            cb = FLOOR_RGB[2];
          }
        } else {
          cr = SKY_RGB[0];
          cg = SKY_RGB[1];
          cb = SKY_RGB[2];
        }
        rgb[o++] = cr >= 255 ? 255 : (cr + 0.5) | 0;
        rgb[o++] = cg >= 255 ? 255 : (cg + 0.5) | 0;
        rgb[o++] = cb >= 255 ? 255 : (cb + 0.5) | 0;
      }
    }
    return rgb;
  }

  /** Ray parameter of the last slab() hit. */
  private tHit = 0;

  /**
   * Slab test of box b against the camera ray of (u, v) (mode 0) or the vertical shadow ray
   * from the table point (u, v) = (x, y) (mode 1). Returns the entry face (0..5), or -1 for a
   * miss; the entry distance goes to tHit.
   */
  private slab(b: number, mode: 0 | 1, u: number, v: number): number {
    const k = b * BOX_STRIDE;
    const bx = this.box;
    let ox: number, oy: number, oz: number, dx: number, dy: number, dz: number;
    if (mode === 0) {
      ox = bx[k]!;
      oy = bx[k + 1]!;
      oz = bx[k + 2]!;
      dx = bx[k + 3]! + u * bx[k + 6]! + v * bx[k + 9]!;
      dy = bx[k + 4]! + u * bx[k + 7]! + v * bx[k + 10]!;
      dz = bx[k + 5]! + u * bx[k + 8]! + v * bx[k + 11]!;
    } else {
      // Origin R^T ((u, v, 0) - p) = R^T (-p) + u R^T x + v R^T y.
      ox = bx[k + 12]! + u * bx[k + 21]! + v * bx[k + 24]!;
      oy = bx[k + 13]! + u * bx[k + 22]! + v * bx[k + 25]!;
      oz = bx[k + 14]! + u * bx[k + 23]! + v * bx[k + 26]!;
      dx = bx[k + 15]!;
      dy = bx[k + 16]!;
      dz = bx[k + 17]!;
    }
    const hx = bx[k + 18]!;
    const hy = bx[k + 19]!;
    const hz = bx[k + 20]!;
    let tMin = -Infinity;
    let tMax = Infinity;
    let face = -1;
    // x slab
    if (dx !== 0) {
      const inv = 1 / dx;
      let t0 = (-hx - ox) * inv;
      let t1 = (hx - ox) * inv;
      let f0 = 0;
      if (t0 > t1) {
        const t = t0;
        t0 = t1;
        t1 = t;
        f0 = 1;
      }
      if (t0 > tMin) {
        tMin = t0;
        face = f0;
      }
      if (t1 < tMax) tMax = t1;
    } else if (ox < -hx || ox > hx) return -1;
    if (dy !== 0) {
      const inv = 1 / dy;
      let t0 = (-hy - oy) * inv;
      let t1 = (hy - oy) * inv;
      let f0 = 2;
      if (t0 > t1) {
        const t = t0;
        t0 = t1;
        t1 = t;
        f0 = 3;
      }
      if (t0 > tMin) {
        tMin = t0;
        face = f0;
      }
      if (t1 < tMax) tMax = t1;
    } else if (oy < -hy || oy > hy) return -1;
    if (dz !== 0) {
      const inv = 1 / dz;
      let t0 = (-hz - oz) * inv;
      let t1 = (hz - oz) * inv;
      let f0 = 4;
      if (t0 > t1) {
        const t = t0;
        t0 = t1;
        t1 = t;
        f0 = 5;
      }
      if (t0 > tMin) {
        tMin = t0;
        face = f0;
      }
      if (t1 < tMax) tMax = t1;
    } else if (oz < -hz || oz > hz) return -1;
    if (tMax < tMin || tMax <= 0 || tMin <= 0 || face < 0) return -1;
    this.tHit = tMin;
    return face;
  }

  /** Whether a box lies straight above the table point (x, y). */
  private inShadow(x: number, y: number): boolean {
    const fp = this.footprint;
    for (let b = 0; b < this.nBoxes; b++) {
      if (x < fp[b * 4]! || x > fp[b * 4 + 1]! || y < fp[b * 4 + 2]! || y > fp[b * 4 + 3]!) continue;
      if (this.slab(b, 1, x, y) >= 0) return true;
    }
    return false;
  }

  /** Per box: the camera and shadow rays in the box's frame, and its faces' shading. */
  private prepareBoxes(poses: ArrayLike<number>): void {
    const [ex, ey, ez] = ARM_CAMERA_VIEW.eye;
    const { f, r, d } = this;
    for (let b = 0; b < this.nBoxes; b++) {
      const p = b * 7;
      const px = poses[p]!,
        py = poses[p + 1]!,
        pz = poses[p + 2]!;
      const qx = poses[p + 3]!,
        qy = poses[p + 4]!,
        qz = poses[p + 5]!,
        qw = poses[p + 6]!;
      // Rotation matrix R (box -> world), rows m0.., from the unit quaternion.
      const m00 = 1 - 2 * (qy * qy + qz * qz),
        m01 = 2 * (qx * qy - qz * qw),
        m02 = 2 * (qx * qz + qy * qw);
      const m10 = 2 * (qx * qy + qz * qw),
        m11 = 1 - 2 * (qx * qx + qz * qz),
        m12 = 2 * (qy * qz - qx * qw);
      const m20 = 2 * (qx * qz - qy * qw),
        m21 = 2 * (qy * qz + qx * qw),
        m22 = 1 - 2 * (qx * qx + qy * qy);
      const k = b * BOX_STRIDE;
      const bx = this.box;
      // R^T w = (m00 wx + m10 wy + m20 wz, m01 wx + ..., m02 wx + ...).
      const cx = ex - px,
        cy = ey - py,
        cz = ez - pz;
      bx[k] = m00 * cx + m10 * cy + m20 * cz;
      bx[k + 1] = m01 * cx + m11 * cy + m21 * cz;
      bx[k + 2] = m02 * cx + m12 * cy + m22 * cz;
      // Camera ray direction: base f, and its per-u and per-v parts.
      bx[k + 3] = m00 * f[0]! + m10 * f[1]! + m20 * f[2]!;
      bx[k + 4] = m01 * f[0]! + m11 * f[1]! + m21 * f[2]!;
      bx[k + 5] = m02 * f[0]! + m12 * f[1]! + m22 * f[2]!;
      bx[k + 6] = m00 * r[0]! + m10 * r[1]! + m20 * r[2]!;
      bx[k + 7] = m01 * r[0]! + m11 * r[1]! + m21 * r[2]!;
      bx[k + 8] = m02 * r[0]! + m12 * r[1]! + m22 * r[2]!;
      bx[k + 9] = m00 * d[0]! + m10 * d[1]! + m20 * d[2]!;
      bx[k + 10] = m01 * d[0]! + m11 * d[1]! + m21 * d[2]!;
      bx[k + 11] = m02 * d[0]! + m12 * d[1]! + m22 * d[2]!;
      bx[k + 12] = -(m00 * px + m10 * py + m20 * pz);
      bx[k + 13] = -(m01 * px + m11 * py + m21 * pz);
      bx[k + 14] = -(m02 * px + m12 * py + m22 * pz);
      // Shadow ray direction: world +z in the box frame (the third row of R).
      bx[k + 15] = m20;
      bx[k + 16] = m21;
      bx[k + 17] = m22;
      bx[k + 18] = this.half[b * 3]!;
      bx[k + 19] = this.half[b * 3 + 1]!;
      bx[k + 20] = this.half[b * 3 + 2]!;
      bx[k + 21] = m00;
      bx[k + 22] = m01;
      bx[k + 23] = m02;
      bx[k + 24] = m10;
      bx[k + 25] = m11;
      bx[k + 26] = m12;
      // Face normals in the world: +-(column j of R); shade = ambient + diffuse * max(0, n . light).
      const s = this.faceShade;
      const lx = m00 * LIGHT[0] + m10 * LIGHT[1] + m20 * LIGHT[2];
      const ly = m01 * LIGHT[0] + m11 * LIGHT[1] + m21 * LIGHT[2];
      const lz = m02 * LIGHT[0] + m12 * LIGHT[1] + m22 * LIGHT[2];
      s[b * 6] = AMBIENT + DIFFUSE * Math.max(0, -lx);
      s[b * 6 + 1] = AMBIENT + DIFFUSE * Math.max(0, lx);
      s[b * 6 + 2] = AMBIENT + DIFFUSE * Math.max(0, -ly);
      s[b * 6 + 3] = AMBIENT + DIFFUSE * Math.max(0, ly);
      s[b * 6 + 4] = AMBIENT + DIFFUSE * Math.max(0, -lz);
      s[b * 6 + 5] = AMBIENT + DIFFUSE * Math.max(0, lz);
      this.bound(b, px, py, pz, [m00, m01, m02, m10, m11, m12, m20, m21, m22]);
    }
  }

  /** The box's world x-y extent and the pixel rectangle its 8 corners project into (1 pixel of margin). */
  private bound(b: number, px: number, py: number, pz: number, m: readonly number[]): void {
    const hx = this.half[b * 3]!,
      hy = this.half[b * 3 + 1]!,
      hz = this.half[b * 3 + 2]!;
    const fp = this.footprint;
    const ax = Math.abs(m[0]!) * hx + Math.abs(m[1]!) * hy + Math.abs(m[2]!) * hz;
    const ay = Math.abs(m[3]!) * hx + Math.abs(m[4]!) * hy + Math.abs(m[5]!) * hz;
    fp[b * 4] = px - ax;
    fp[b * 4 + 1] = px + ax;
    fp[b * 4 + 2] = py - ay;
    fp[b * 4 + 3] = py + ay;
    const [ex, ey, ez] = ARM_CAMERA_VIEW.eye;
    const { f, r, d } = this;
    // r and d are scaled by the half-extents of the view: u = (c . r) / (c . f) / |r|^2.
    const rr = r[0]! * r[0]! + r[1]! * r[1]! + r[2]! * r[2]!;
    const dd = d[0]! * d[0]! + d[1]! * d[1]! + d[2]! * d[2]!;
    let u0 = Infinity,
      u1 = -Infinity,
      v0 = Infinity,
      v1 = -Infinity;
    for (let c = 0; c < 8; c++) {
      const sx = c & 1 ? hx : -hx;
      const sy = c & 2 ? hy : -hy;
      const sz = c & 4 ? hz : -hz;
      const cx = px + m[0]! * sx + m[1]! * sy + m[2]! * sz - ex;
      const cy = py + m[3]! * sx + m[4]! * sy + m[5]! * sz - ey;
      const cz = pz + m[6]! * sx + m[7]! * sy + m[8]! * sz - ez;
      const depth = cx * f[0]! + cy * f[1]! + cz * f[2]!;
      if (depth <= 0) {
        // A corner behind the camera: the box may cover anything.
        u0 = v0 = -Infinity;
        u1 = v1 = Infinity;
        break;
      }
      const u = (cx * r[0]! + cy * r[1]! + cz * r[2]!) / (depth * rr);
      const v = (cx * d[0]! + cy * d[1]! + cz * d[2]!) / (depth * dd);
      if (u < u0) u0 = u;
      if (u > u1) u1 = u;
      if (v < v0) v0 = v;
      if (v > v1) v1 = v;
    }
    const W = this.width;
    const H = this.height;
    const sr = this.screenRect;
    sr[b * 4] = Math.max(0, Math.floor(((u0 + 1) * W) / 2) - 1);
    sr[b * 4 + 1] = Math.min(W - 1, Math.ceil(((u1 + 1) * W) / 2) + 1);
    sr[b * 4 + 2] = Math.max(0, Math.floor(((v0 + 1) * H) / 2) - 1);
    sr[b * 4 + 3] = Math.min(H - 1, Math.ceil(((v1 + 1) * H) / 2) + 1);
  }
}

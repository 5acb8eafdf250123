/**
 * The driver camera's corner casting (DriverCamera.castCornersTs: each pixel corner's ray to the
 * ground, its depth, fog and road coordinates) as a WebAssembly kernel compiled from
 * AssemblyScript (corners.as.ts, built by `npm run build:wasm` into corners-wasm.ts). It is the
 * TypeScript method's arithmetic step for step, so the samples are bitwise the same (a test
 * compares them over many frames); in wasm the loop runs without typed-array bounds checks and
 * with its values in registers: ~17 us instead of ~30 us per 64x64 frame here.
 *
 * The kernel works on its own linear memory: the camera's per-sample and per-row arrays are
 * views into it (views(), rebuilt when a longer road makes the memory grow), and the road's
 * samples and hint grid are copied in once per road (setRoad()).
 */
import type { Road } from './road.js';
import { CORNERS_WASM_BASE64 } from './corners-wasm.js';

/** The parts of the WebAssembly API used here (the Node typings of this project do not declare them). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface KernelExports {
  memory: WasmMemory;
  setLayout(...args: number[]): void;
  setRoad(...args: number[]): void;
  castCorners(): void;
}

/** Numbers in the per-frame parameter block (see corners.as.ts castCorners). */
export const CORNER_PARAMS = 15;

let compiled: object | undefined;

function kernelModule(): object {
  if (!compiled) {
    const bin = atob(CORNERS_WASM_BASE64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    compiled = new Wasm.Module(bytes);
  }
  return compiled;
}

/** The camera's arrays in the kernel's memory. */
export interface CornerViews {
  cS: Float64Array;
  cD: Float64Array;
  cT: Float64Array;
  cX: Float64Array;
  cY: Float64Array;
  cE: Float64Array;
  cF: Float64Array;
  cV: Float64Array;
  cHood: Float64Array;
  cK: Uint8Array;
  rowSky: Uint8Array;
  rowPartial: Uint8Array;
  rowE0: Float64Array;
  rowDe: Float64Array;
  rowBh: Float64Array;
  rowHood: Uint8Array;
  uCol: Float64Array;
  params: Float64Array;
}

const PAGE = 65536;

export class CornerKernel {
  private readonly k: KernelExports;
  private readonly n: number;
  private readonly gw: number;
  private readonly gh: number;
  private readonly height: number;
  // Byte offsets.
  private readonly oParams: number;
  private readonly oUCol: number;
  private readonly oRowE0: number;
  private readonly oRowDe: number;
  private readonly oRowBh: number;
  private readonly oRowSky: number;
  private readonly oRowPartial: number;
  private readonly oRowHood: number;
  private readonly oSamples: number[];
  private readonly oK: number;
  /** Where the road's copy starts (bytes). */
  private readonly oRoad: number;
  private current: CornerViews | undefined;
  private roadKey: Road | undefined;

  constructor(gw: number, gh: number, width: number, height: number, focal: number, offset: number) {
    this.k = new Wasm.Instance(kernelModule(), {}).exports as KernelExports;
    const n = gw * gh;
    this.n = n;
    this.gw = gw;
    this.gh = gh;
    this.height = height;
    let at = 64;
    const take = (bytes: number, align = 8): number => {
      at = Math.ceil(at / align) * align;
      const o = at;
      at += bytes;
      return o;
    };
    this.oParams = take(CORNER_PARAMS * 8);
    this.oUCol = take(gw * 8);
    this.oRowE0 = take(gh * 8);
    this.oRowDe = take(gh * 8);
    this.oRowBh = take(gh * 8);
    this.oRowSky = take(gh);
    this.oRowPartial = take(gh);
    this.oRowHood = take(height);
    // The per-sample arrays start at different offsets modulo 4 KiB: the shading loop reads the
    // same index of several at once, and equal page offsets make those reads compete for the
    // same cache sets (measured: the 160x80 shading ran ~1.5x slower in some processes).
    at = Math.ceil(at / 4096) * 4096;
    const span = Math.ceil((n * 8) / 4096) * 4096 + 448;
    this.oSamples = [];
    for (let a = 0; a < 9; a++) {
      this.oSamples.push(at);
      at += span;
    }
    this.oK = take(n);
    this.oRoad = Math.ceil(at / 64) * 64;
    this.ensure(this.oRoad);
    const s = this.oSamples;
    this.k.setLayout(
      gw,
      gh,
      width,
      height,
      focal,
      offset,
      s[0]!,
      s[1]!,
      s[2]!,
      s[3]!,
      s[4]!,
      s[5]!,
      s[6]!,
      s[7]!,
      s[8]!,
      this.oK,
      this.oRowSky,
      this.oRowPartial,
      this.oRowE0,
      this.oRowDe,
      this.oRowBh,
      this.oRowHood,
      this.oUCol,
      this.oParams,
    );
  }

  /** The camera's arrays (views into the kernel's memory; fetch again after setRoad() returns true). */
  views(): CornerViews {
    if (this.current && this.current.cS.buffer === this.k.memory.buffer) return this.current;
    const buf = this.k.memory.buffer;
    const n = this.n;
    const f = (o: number, len: number) => new Float64Array(buf, o, len);
    const s = this.oSamples;
    this.current = {
      cS: f(s[0]!, n),
      cD: f(s[1]!, n),
      cT: f(s[2]!, n),
      cX: f(s[3]!, n),
      cY: f(s[4]!, n),
      cE: f(s[5]!, n),
      cF: f(s[6]!, n),
      cV: f(s[7]!, n),
      cHood: f(s[8]!, n),
      cK: new Uint8Array(buf, this.oK, n),
      rowSky: new Uint8Array(buf, this.oRowSky, this.gh),
      rowPartial: new Uint8Array(buf, this.oRowPartial, this.gh),
      rowE0: f(this.oRowE0, this.gh),
      rowDe: f(this.oRowDe, this.gh),
      rowBh: f(this.oRowBh, this.gh),
      rowHood: new Uint8Array(buf, this.oRowHood, this.height),
      uCol: f(this.oUCol, this.gw),
      params: f(this.oParams, CORNER_PARAMS),
    };
    return this.current;
  }

  /**
   * Copies the road's samples and hint grid into the kernel. Returns true when the memory grew,
   * so earlier views() are detached and must be fetched again.
   */
  setRoad(road: Road): boolean {
    if (road === this.roadKey) return false;
    this.roadKey = road;
    const m = road.n;
    const g = road.hintGrid();
    let at = this.oRoad;
    const oX = at;
    const oY = (at += m * 8);
    const oTX = (at += m * 8);
    const oTY = (at += m * 8);
    const oK = (at += m * 8);
    const oGrid = (at += m * 8);
    at += g.grid.length * 4;
    const grew = this.ensure(at);
    const buf = this.k.memory.buffer;
    new Float64Array(buf, oX, m).set(road.x);
    new Float64Array(buf, oY, m).set(road.y);
    new Float64Array(buf, oTX, m).set(road.tx);
    new Float64Array(buf, oTY, m).set(road.ty);
    new Float64Array(buf, oK, m).set(road.curvature);
    new Int32Array(buf, oGrid, g.grid.length).set(g.grid);
    this.k.setRoad(m, road.spacing, road.invSpacing, road.band, oX, oY, oTX, oTY, oK, oGrid, g.gx0, g.gy0, g.gnx, g.gny);
    return grew;
  }

  /** castCorners on the parameters in views().params. */
  cast(): void {
    this.k.castCorners();
  }

  /** Grows the memory to at least `bytes`; true when it grew. */
  private ensure(bytes: number): boolean {
    const have = this.k.memory.buffer.byteLength;
    if (bytes <= have) return false;
    this.k.memory.grow(Math.ceil((bytes - have) / PAGE));
    return true;
  }
}

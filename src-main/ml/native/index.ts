/**
 * Loads the optional native kernels (build/native/dlnative.node, built by
 * `npm run build:native` from dlnative.c). Absent or unloadable -> null with a reason, and the
 * engine uses tfjs's own wasm kernels. DRIVE_LAB_NATIVE=off disables it; DRIVE_LAB_NATIVE=<path>
 * loads that file; DRIVE_LAB_BLAS_THREADS=n sets the most threads large products use;
 * DRIVE_LAB_DNNL=off makes convolutions use im2col + OpenBLAS even when oneDNN is built in.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon's API version this code speaks (DLNATIVE_API in dlnative.c). */
export const NATIVE_API_VERSION = 6;

type F32 = Float32Array;

export interface NativeKernels {
  /** out[t] = act(op(a[t]) op(b[t]) + bias); batchA/batchB are 1 (broadcast) or the batch. act: 0 linear, 1 relu, 2 tanh, 3 sigmoid. */
  matMul(
    a: F32,
    b: F32,
    transA: number,
    transB: number,
    batchA: number,
    batchB: number,
    m: number,
    n: number,
    k: number,
    bias: F32 | null,
    act: number,
    out: F32,
  ): void;
  conv2d(x: F32, filter: F32, bias: F32 | null, act: number, out: F32, ...dims: ConvDimsTuple): void;
  /** dx = act(conv^T(dy) + bias): a conv's input gradient (bias null, act 0), or conv2dTranspose with bias and activation fused. */
  conv2dBackpropInput(dy: F32, filter: F32, bias: F32 | null, act: number, dx: F32, ...dims: ConvDimsTuple): void;
  conv2dBackpropFilter(x: F32, dy: F32, dw: F32, ...dims: ConvDimsTuple): void;
  /** dz = dy * act'(y), y the activation's output. act: 0 linear, 1 relu, 2 tanh, 3 sigmoid. */
  actGrad(dy: F32, y: F32, act: number, dz: F32, n: number): void;
  /** out[c] = sum over rows of x[r, c]. */
  colSum(x: F32, rows: number, cols: number, out: F32): void;
  /** One Adam step (tfjs arithmetic); in place (outputs = value, m, v) or into separate arrays. */
  adam(
    value: F32,
    m: F32,
    v: F32,
    grad: F32,
    n: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    bc1: number,
    bc2: number,
    outValue: F32,
    outM: F32,
    outV: F32,
  ): void;
  /** out = tau * source + (1 - tau) * target; out may be target (in place). */
  lerp(target: F32, source: F32, n: number, tau: number, out: F32): void;
  /**
   * Fixes the threads of products and convolutions over 2^25 multiply-adds (default: one thread
   * or all cores, whichever measures faster, re-checked as the machine's load changes; smaller
   * ones always use one); 0 returns to that default.
   */
  setThreads(n: number): void;
  getThreads(): number;
  blasInfo(): string;
  /** Which library runs the convolutions: "oneDNN x.y.z (implementation)" or "im2col + OpenBLAS". */
  convEngine(): string;
  /** true: oneDNN (when built with it); false: im2col + OpenBLAS. Returns whether oneDNN is used. */
  setConvEngine(useDnnl: number): boolean;
  apiVersion(): number;
}

/** n, h, w, ci, fh, fw, sh, sw, dh, dw, padTop, padLeft, outH, outW, co */
export type ConvDimsTuple = [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];

export interface NativeLoad {
  kernels: NativeKernels | null;
  /** One line: what was loaded, or why not. */
  detail: string;
}

const FILE = join('build', 'native', 'dlnative.node');

/** build/native/dlnative.node in this folder or the nearest ancestor (sources, bundle, tests). */
function findAddon(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const p = join(dir, FILE);
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

let cached: NativeLoad | undefined;

export function loadNative(): NativeLoad {
  if (cached) return cached;
  cached = tryLoad();
  return cached;
}

/** "OpenBLAS OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ... (Cooperlake)" -> "OpenBLAS 0.3.21, Cooperlake". */
function describeBlas(info: string): string {
  const version = /OpenBLAS\s+(\d[\w.]*)/.exec(info)?.[1];
  const core = /\(([^)]+)\)\s*$/.exec(info)?.[1];
  return version ? `OpenBLAS ${version}${core ? `, ${core}` : ''}` : info;
}

function tryLoad(): NativeLoad {
  const env = process.env.DRIVE_LAB_NATIVE;
  if (env === 'off' || env === '0') return { kernels: null, detail: 'native kernels disabled (DRIVE_LAB_NATIVE=off)' };
  const path = env && env !== 'on' ? env : findAddon();
  if (!path) return { kernels: null, detail: 'native kernels not built (npm run build:native)' };
  try {
    // oneDNN's OpenMP threads sleep between convolutions instead of spinning: on a 2-core
    // machine a spinning thread steals the core JavaScript needs. Read by libgomp when it loads.
    process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
    const kernels = createRequire(import.meta.url)(path) as NativeKernels;
    const v = kernels.apiVersion();
    if (v !== NATIVE_API_VERSION) return { kernels: null, detail: `native kernels are stale (API ${v}, need ${NATIVE_API_VERSION}): npm run build:native` };
    const threads = Number(process.env.DRIVE_LAB_BLAS_THREADS);
    if (Number.isInteger(threads) && threads > 0) kernels.setThreads(threads);
    return {
      kernels,
      detail: `native kernels (${describeBlas(kernels.blasInfo())}, ${Number.isInteger(threads) && threads > 0 ? `${threads} threads` : `1 thread for small products, 1-${kernels.getThreads()} by measured speed for large ones`}; convolutions: ${kernels.convEngine().replace(/ \(.*\)$/, '')})`,
    };
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);
    return { kernels: null, detail: `native kernels failed to load: ${msg}` };
  }
}

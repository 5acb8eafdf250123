/**
 * Small fused ops the layers and optimizers use, each one kernel instead of several:
 *
 * - DlActGrad  {dy, y} -> dz = dy * act'(y), from the activation's output (relu, tanh, sigmoid)
 * - DlBiasGrad {dz [rows, cols]} -> column sums [cols] (tfjs-wasm's Sum over axis 0 transposes first)
 * - DlAdam     {value, m, v, grad} -> [value', m', v'] (one Adam step, tfjs's arithmetic)
 * - DlLerp     {target, source} -> tau * source + (1 - tau) * target (Polyak averaging)
 * - DlAdamMulti / DlLerpMulti: the same for many variables in one kernel call (one engine
 *   dispatch for a whole network instead of one per weight)
 *
 * On wasm they run in the native addon when it is loaded, else as JavaScript loops over the
 * wasm heap. On other backends (cpu, tensorflow) the same math runs as ordinary tfjs ops.
 * Not differentiable: they are used inside gradients and optimizer steps only.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { NativeKernels } from '../native/index.js';
import { wasmF32, type TensorInfo } from './wasm-util.js';

export const ACT_GRAD = 'DlActGrad';
export const BIAS_GRAD = 'DlBiasGrad';
export const ADAM = 'DlAdam';
export const LERP = 'DlLerp';
export const ADAM_MULTI = 'DlAdamMulti';
export const LERP_MULTI = 'DlLerpMulti';

export type GradActivation = 'linear' | 'relu' | 'tanh' | 'sigmoid';
const ACT_CODE: Record<GradActivation, number> = { linear: 0, relu: 1, tanh: 2, sigmoid: 3 };

export interface AdamAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** 1 - beta1^t and 1 - beta2^t for step t (1-based). */
  bc1: number;
  bc2: number;
}

export interface CustomGradInvocation {
  inputs: Record<string, tf.Tensor>;
  /** The forward pass (not taped); `save` keeps tensors for the gradient. */
  forwardFunc: (backend: tf.KernelBackend, save: (tensors: tf.Tensor[]) => void) => tf.Tensor;
  /** Called once per backward pass; returns one lazy gradient per input name (only the ones the tape needs are called). */
  backwardsFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
}

/**
 * Runs an op with its own gradient as one tape node. This is the engine entry tf.customGrad
 * uses; called directly, the gradient of each input is computed only if the tape asks for it
 * (tf.customGrad computes them all). Tensors made in backwardsFunc itself live until the end of
 * the backward pass.
 */
export function runWithGradient(inv: CustomGradInvocation): tf.Tensor {
  const engine = tf.engine() as unknown as { runKernelFunc(p: CustomGradInvocation): tf.Tensor };
  return engine.runKernelFunc(inv);
}

function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

function run(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor | tf.Tensor[] {
  return tf.engine().runKernel(name, inputs, attrs) as tf.Tensor | tf.Tensor[];
}

/** dz = dy * act'(y), where y = act(z) is the activation's output. */
export function actGrad<T extends tf.Tensor>(dy: T, y: T, activation: GradActivation): T {
  if (activation === 'linear') return dy;
  if (hasKernel(ACT_GRAD)) return run(ACT_GRAD, { dy, y }, { activation }) as T;
  return tf.tidy(() => {
    if (activation === 'relu') return tf.mul(dy, tf.step(y));
    if (activation === 'tanh') return tf.mul(dy, tf.sub(1, tf.square(y)));
    return tf.mul(dy, tf.mul(y, tf.sub(1, y)));
  }) as T;
}

/** Column sums of a [rows, cols] matrix: a dense layer's bias gradient. */
export function biasGrad(dz: tf.Tensor2D): tf.Tensor1D {
  if (hasKernel(BIAS_GRAD)) return run(BIAS_GRAD, { dz }, {}) as tf.Tensor1D;
  return tf.sum(dz, 0);
}

/** One Adam step; returns [value', m', v'] (new tensors; the caller assigns them). */
export function adamStep(value: tf.Tensor, m: tf.Tensor, v: tf.Tensor, grad: tf.Tensor, a: AdamAttrs): [tf.Tensor, tf.Tensor, tf.Tensor] {
  if (hasKernel(ADAM)) return run(ADAM, { value, m, v, grad }, { ...a }) as [tf.Tensor, tf.Tensor, tf.Tensor];
  return tf.tidy(() => {
    const m2 = tf.add(tf.mul(m, a.beta1), tf.mul(grad, 1 - a.beta1));
    const v2 = tf.add(tf.mul(v, a.beta2), tf.mul(tf.square(grad), 1 - a.beta2));
    const step = tf.div(tf.div(m2, a.bc1), tf.add(tf.sqrt(tf.div(v2, a.bc2)), a.eps));
    return [tf.add(tf.mul(step, -a.lr), value), m2, v2] as [tf.Tensor, tf.Tensor, tf.Tensor];
  });
}

/** Adam steps for many variables at once: returns [value', m', v'] per variable. */
export function adamSteps(
  vars: Array<{ value: tf.Tensor; m: tf.Tensor; v: tf.Tensor; grad: tf.Tensor }>,
  a: AdamAttrs,
): Array<[tf.Tensor, tf.Tensor, tf.Tensor]> {
  if (vars.length > 1 && hasKernel(ADAM_MULTI)) {
    const flat = run(ADAM_MULTI, vars.flatMap((x) => [x.value, x.m, x.v, x.grad]) as unknown as tf.NamedTensorMap, { ...a }) as tf.Tensor[];
    return vars.map((_, i) => [flat[3 * i]!, flat[3 * i + 1]!, flat[3 * i + 2]!]);
  }
  return vars.map((x) => adamStep(x.value, x.m, x.v, x.grad, a));
}

/** The addon registerCustomWasmKernels was given (null: JavaScript loops), for the in-place paths. */
let inPlaceNative: NativeKernels | null = null;
let inPlaceReady = false;

/** Whether every tensor owns its wasm memory (nothing else would see an in-place write). */
function ownsMemory(backend: BackendWasm, tensors: tf.Tensor[]): boolean {
  const seen = new Set<object>();
  for (const t of tensors) {
    if (t.isDisposed || t.dtype !== 'float32' || backend.refCount(t.dataId) !== 1 || seen.has(t.dataId)) return false;
    seen.add(t.dataId);
  }
  return true;
}

/**
 * After writing a tensor's memory in place: tfjs-wasm's XNNPACK kernels cache weights they have
 * packed by tensor id (conv filters, matMul operands), assuming tensors never change. Disposing
 * and re-registering the id in the wasm module runs its disposal callbacks (dropping those
 * caches) without freeing the memory.
 */
function invalidateWasmCaches(backend: BackendWasm, t: tf.Tensor): void {
  const d = backend.dataIdMap.get(t.dataId) as unknown as { id: number; memoryOffset: number };
  const tfjs = (backend.wasm as unknown as { tfjs: { disposeData(id: number): void; registerTensor(id: number, size: number, offset: number): void } }).tfjs;
  tfjs.disposeData(d.id);
  tfjs.registerTensor(d.id, t.size, d.memoryOffset);
}

/**
 * Adam steps written straight into the variables and moments (wasm only): no new tensors, no
 * kernel dispatch, no assign. Done only when each of them owns its memory (refcount 1), so the
 * write is invisible to everything but the variable (and wasm's weight caches are dropped);
 * otherwise returns false and does nothing.
 */
export function adamStepsInPlace(vars: Array<{ value: tf.Variable; m: tf.Variable; v: tf.Variable; grad: tf.Tensor }>, a: AdamAttrs): boolean {
  if (!inPlaceReady || tf.getBackend() !== 'wasm') return false;
  const backend = tf.backend() as BackendWasm;
  if (
    !ownsMemory(
      backend,
      vars.flatMap((x) => [x.value, x.m, x.v]),
    )
  )
    return false;
  const state = new Set(vars.flatMap((x) => [x.value.dataId, x.m.dataId, x.v.dataId]));
  if (vars.some((x) => x.grad.dtype !== 'float32' || x.grad.size !== x.value.size || state.has(x.grad.dataId))) return false;
  const f = Math.fround;
  for (const x of vars) {
    const [p, m, v, g] = [x.value, x.m, x.v, x.grad].map((t) => wasmF32(backend, t)) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const n = p.length;
    if (inPlaceNative) {
      inPlaceNative.adam(p, m, v, g, n, a.lr, a.beta1, a.beta2, a.eps, a.bc1, a.bc2, p, m, v);
      continue;
    }
    const [b1, b2, c1, c2, lr, eps, bc1, bc2] = [f(a.beta1), f(a.beta2), f(1 - a.beta1), f(1 - a.beta2), f(a.lr), f(a.eps), f(a.bc1), f(a.bc2)];
    for (let i = 0; i < n; i++) {
      const gi = g[i]!;
      const mi = f(f(b1 * m[i]!) + f(c1 * gi));
      const vi = f(f(b2 * v[i]!) + f(c2 * f(gi * gi)));
      m[i] = mi;
      v[i] = vi;
      p[i] = p[i]! - f(lr * f(f(mi / bc1) / f(f(Math.sqrt(f(vi / bc2))) + eps)));
    }
  }
  for (const x of vars) for (const t of [x.value, x.m, x.v]) invalidateWasmCaches(backend, t);
  return true;
}

/** targets[i] <- tau * sources[i] + (1 - tau) * targets[i] in place (wasm; same conditions as adamStepsInPlace). */
export function lerpsInPlace(targets: tf.Variable[], sources: tf.Tensor[], tau: number): boolean {
  if (!inPlaceReady || tf.getBackend() !== 'wasm') return false;
  const backend = tf.backend() as BackendWasm;
  if (!ownsMemory(backend, targets)) return false;
  const own = new Set(targets.map((t) => t.dataId));
  if (sources.some((s, i) => s.dtype !== 'float32' || s.size !== targets[i]!.size || own.has(s.dataId))) return false;
  const keep = 1 - tau;
  targets.forEach((target, i) => {
    const t = wasmF32(backend, target);
    const s = wasmF32(backend, sources[i]!);
    if (inPlaceNative) inPlaceNative.lerp(t, s, t.length, tau, t);
    else for (let j = 0; j < t.length; j++) t[j] = tau * s[j]! + keep * t[j]!;
    invalidateWasmCaches(backend, target);
  });
  return true;
}

/** tau * sources[i] + (1 - tau) * targets[i] for every i. */
export function lerps(targets: tf.Tensor[], sources: tf.Tensor[], tau: number): tf.Tensor[] {
  if (targets.length > 1 && hasKernel(LERP_MULTI)) {
    return run(LERP_MULTI, targets.flatMap((t, i) => [t, sources[i]!]) as unknown as tf.NamedTensorMap, { tau }) as tf.Tensor[];
  }
  return targets.map((t, i) => lerp(t, sources[i]!, tau));
}

/** tau * source + (1 - tau) * target. */
export function lerp(target: tf.Tensor, source: tf.Tensor, tau: number): tf.Tensor {
  if (hasKernel(LERP)) return run(LERP, { target, source }, { tau }) as tf.Tensor;
  return tf.tidy(() => tf.add(tf.mul(source, tau), tf.mul(target, 1 - tau)));
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap };

function size(shape: number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}

function register(name: string, kernelFunc: (args: KernelArgs) => TensorInfo | TensorInfo[]): void {
  if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}

/** Registers the fused ops (and a faster Concat) for wasm; `native` runs them in the addon. */
export function registerCustomWasmKernels(native: NativeKernels | null): string[] {
  inPlaceNative = native;
  inPlaceReady = true;
  register(ACT_GRAD, ({ inputs, backend, attrs }) => {
    const b = backend as BackendWasm;
    const { dy, y } = inputs as { dy: TensorInfo; y: TensorInfo };
    const act = ACT_CODE[attrs.activation as GradActivation];
    const n = size(dy.shape);
    const out = b.makeOutput(dy.shape, 'float32');
    const [g, yv, o] = [wasmF32(b, dy), wasmF32(b, y), wasmF32(b, out)];
    if (native) native.actGrad(g, yv, act, o, n);
    else if (act === 1) for (let i = 0; i < n; i++) o[i] = yv[i]! > 0 ? g[i]! : 0;
    else if (act === 2) for (let i = 0; i < n; i++) o[i] = g[i]! * (1 - yv[i]! * yv[i]!);
    else if (act === 3) for (let i = 0; i < n; i++) o[i] = g[i]! * yv[i]! * (1 - yv[i]!);
    else o.set(g);
    return out;
  });
  register(BIAS_GRAD, ({ inputs, backend }) => {
    const b = backend as BackendWasm;
    const { dz } = inputs as { dz: TensorInfo };
    const rows = dz.shape[0]!;
    const cols = dz.shape[1]!;
    const out = b.makeOutput([cols], 'float32');
    const [x, o] = [wasmF32(b, dz), wasmF32(b, out)];
    if (native) native.colSum(x, rows, cols, o);
    else {
      o.fill(0);
      for (let r = 0; r < rows; r++) for (let c = 0, base = r * cols; c < cols; c++) o[c]! += x[base + c]!;
    }
    return out;
  });
  const adamWasm = (b: BackendWasm, value: TensorInfo, m: TensorInfo, v: TensorInfo, grad: TensorInfo, a: AdamAttrs): TensorInfo[] => {
    const n = size(value.shape);
    const outs = [b.makeOutput(value.shape, 'float32'), b.makeOutput(value.shape, 'float32'), b.makeOutput(value.shape, 'float32')];
    const [p, mv, vv, g] = [wasmF32(b, value), wasmF32(b, m), wasmF32(b, v), wasmF32(b, grad)];
    const [op, om, ov] = outs.map((o) => wasmF32(b, o)) as [Float32Array, Float32Array, Float32Array];
    if (native) native.adam(p, mv, vv, g, n, a.lr, a.beta1, a.beta2, a.eps, a.bc1, a.bc2, op, om, ov);
    else {
      // Math.fround keeps the float32 rounding of the native and tfjs versions.
      const f = Math.fround;
      const [b1, b2, c1, c2, lr, eps, bc1, bc2] = [f(a.beta1), f(a.beta2), f(1 - a.beta1), f(1 - a.beta2), f(a.lr), f(a.eps), f(a.bc1), f(a.bc2)];
      for (let i = 0; i < n; i++) {
        const gi = g[i]!;
        const mi = f(f(b1 * mv[i]!) + f(c1 * gi));
        const vi = f(f(b2 * vv[i]!) + f(c2 * f(gi * gi)));
        om[i] = mi;
        ov[i] = vi;
        op[i] = p[i]! - f(lr * f(f(mi / bc1) / f(f(Math.sqrt(f(vi / bc2))) + eps)));
      }
    }
    return outs;
  };
  register(ADAM, ({ inputs, backend, attrs }) => {
    const { value, m, v, grad } = inputs as { value: TensorInfo; m: TensorInfo; v: TensorInfo; grad: TensorInfo };
    return adamWasm(backend as BackendWasm, value, m, v, grad, attrs as unknown as AdamAttrs);
  });
  register(ADAM_MULTI, ({ inputs, backend, attrs }) => {
    const list = Object.values(inputs) as TensorInfo[];
    const outs: TensorInfo[] = [];
    for (let i = 0; i + 3 < list.length; i += 4)
      outs.push(...adamWasm(backend as BackendWasm, list[i]!, list[i + 1]!, list[i + 2]!, list[i + 3]!, attrs as unknown as AdamAttrs));
    return outs;
  });
  const lerpWasm = (b: BackendWasm, target: TensorInfo, source: TensorInfo, tau: number): TensorInfo => {
    const n = size(target.shape);
    const out = b.makeOutput(target.shape, 'float32');
    const [t, s, o] = [wasmF32(b, target), wasmF32(b, source), wasmF32(b, out)];
    if (native) native.lerp(t, s, n, tau, o);
    else {
      const keep = 1 - tau;
      for (let i = 0; i < n; i++) o[i] = tau * s[i]! + keep * t[i]!;
    }
    return out;
  };
  register(LERP, ({ inputs, backend, attrs }) => {
    const { target, source } = inputs as { target: TensorInfo; source: TensorInfo };
    return lerpWasm(backend as BackendWasm, target, source, attrs.tau as number);
  });
  register(LERP_MULTI, ({ inputs, backend, attrs }) => {
    const list = Object.values(inputs) as TensorInfo[];
    const outs: TensorInfo[] = [];
    for (let i = 0; i + 1 < list.length; i += 2) outs.push(lerpWasm(backend as BackendWasm, list[i]!, list[i + 1]!, attrs.tau as number));
    return outs;
  });
  registerFastConcat();
  registerFastSplit();
  registerSharingIdentity();
  return [
    ACT_GRAD,
    BIAS_GRAD,
    ADAM,
    LERP,
    ADAM_MULTI,
    LERP_MULTI,
    'in-place Adam and Polyak',
    'Concat and SplitV (element loops for narrow rows)',
    'Identity (shares memory)',
  ];
}

/** SplitV (concat's gradient): the same row-wise copy as Concat, the other way. */
function registerFastSplit(): void {
  const prior = tf.getKernel('SplitV', 'wasm');
  if (!prior) return;
  tf.unregisterKernel('SplitV', 'wasm');
  tf.registerKernel({
    ...prior,
    kernelFunc: ((args: KernelArgs) => {
      const { x } = args.inputs as { x: TensorInfo };
      if (x.dtype !== 'float32') return prior.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
      const b = args.backend as BackendWasm;
      const axis = tf.util.parseAxisParam(args.attrs.axis as number, x.shape)[0]!;
      const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, args.attrs.numOrSizeSplits as number | number[], axis);
      const rows = size(x.shape.slice(0, axis));
      const after = size(x.shape.slice(axis + 1));
      const total = x.shape[axis]! * after;
      const outs = sizes.map((s) => b.makeOutput([...x.shape.slice(0, axis), s, ...x.shape.slice(axis + 1)], 'float32'));
      const src = wasmF32(b, x);
      let col = 0;
      outs.forEach((out, i) => {
        const w = sizes[i]! * after;
        const o = wasmF32(b, out);
        if (w >= 64) for (let r = 0; r < rows; r++) o.set(src.subarray(r * total + col, r * total + col + w), r * w);
        else for (let r = 0; r < rows; r++) for (let c = 0, si = r * total + col, di = r * w; c < w; c++) o[di + c] = src[si + c]!;
        col += w;
      });
      return outs;
    }) as unknown as tf.KernelFunc,
  });
}

/**
 * tfjs-wasm's Identity copies the tensor; tfjs tensors are immutable, so (as the cpu backend and
 * wasm's own Reshape do) a clone can share the memory with a reference count. Saves a copy per
 * tensor a gradient keeps (the engine clones every saved tensor).
 */
function registerSharingIdentity(): void {
  const prior = tf.getKernel('Identity', 'wasm');
  if (!prior) return;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    ...prior,
    kernelFunc: ((args: KernelArgs) => {
      const { x } = args.inputs as { x: TensorInfo };
      if (x.dtype === 'string') return prior.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
      args.backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    }) as unknown as tf.KernelFunc,
  });
}

/**
 * tfjs-wasm's Concat copies each row of each input with subarray().set(), which costs more than
 * the copy for narrow rows (bench/RESULTS.md, "Kernel choices"); copy elements directly instead.
 */
function registerFastConcat(): void {
  const prior = tf.getKernel('Concat', 'wasm');
  if (!prior) return;
  tf.unregisterKernel('Concat', 'wasm');
  tf.registerKernel({
    ...prior,
    kernelFunc: ((args: KernelArgs) => {
      // The engine passes Concat's inputs as an array; accept a name map too.
      const inputs = Object.values(args.inputs) as TensorInfo[];
      const b = args.backend as BackendWasm;
      const first = inputs[0];
      if (!first || first.dtype !== 'float32' || inputs.length < 2 || inputs.some((t) => t.dtype !== 'float32' || size(t.shape) === 0)) {
        return prior.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
      }
      const axis = tf.util.parseAxisParam(args.attrs.axis as number, first.shape)[0]!;
      const outShape = tf.backend_util.computeOutShape(
        inputs.map((t) => t.shape),
        axis,
      );
      const rows = size(first.shape.slice(0, axis));
      const inner = inputs.map((t) => size(t.shape.slice(axis)));
      const total = inner.reduce((s, x) => s + x, 0);
      const out = b.makeOutput(outShape, 'float32');
      const o = wasmF32(b, out);
      let col = 0;
      inputs.forEach((t, i) => {
        const w = inner[i]!;
        const src = wasmF32(b, t);
        if (w >= 64) for (let r = 0; r < rows; r++) o.set(src.subarray(r * w, (r + 1) * w), r * total + col);
        else for (let r = 0; r < rows; r++) for (let c = 0, si = r * w, di = r * total + col; c < w; c++) o[di + c] = src[si + c]!;
        col += w;
      });
      return out;
    }) as unknown as tf.KernelFunc,
  });
}

/**
 * Convolution gradients for the wasm backend, built from wasm's own (XNNPACK) kernels:
 *
 * - Conv2DBackpropFilter (missing from tfjs-backend-wasm 4.22): dW[kh,kw,ci,co] =
 *   sum_{n,oh,ow} x[n, oh*s + kh - pad, ow*s + kw - pad, ci] dy[n,oh,ow,co] is itself a
 *   convolution: the input x transposed to [ci, H, W, n], the "filter" dy transposed to
 *   [oh, ow, n, co], stride 1 and dilation s. One Conv2D, two transposes.
 * - Conv2DBackpropInput (shipped, but a scalar loop): the gradient of a conv with respect to its
 *   input, which is also conv2dTranspose's forward pass. Two ways, both one or more ordinary
 *   Conv2Ds:
 *   - sub-pixel: output rows i = m*s + phase only meet the filter taps k = r + s*j of one
 *     residue r, so each of the s*s output phases is a stride-1 conv of dy with a
 *     (k/s x k/s) sub-filter; the phases are concatenated on channels and interleaved with
 *     DepthToSpace. No multiply-adds are spent on zeros (about 4x fewer than zero-insertion for
 *     4x4 stride-2 filters).
 *   - zero-insertion: dy with s-1 zeros between its pixels, padded, convolved (stride 1) with the
 *     spatially flipped, channel-transposed filter. Used when sub-pixel's phases differ in size.
 *
 * Filters are rearranged in JavaScript (they are small); everything large runs in XNNPACK.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KernelScope, wasmF32, type TensorInfo } from './wasm-util.js';

type Pad = 'valid' | 'same' | number | number[][];
type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

function convInfoOf(inShape: number[], filterShape: number[], strides: number | [number, number], pad: Pad, dimRoundingMode?: string): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad as 'valid',
    dimRoundingMode as 'floor' | undefined,
    false,
    'channelsLast',
  );
}

/** Conv2DBackpropFilter: inputs {x, dy}, attrs {strides, pad, dataFormat, dimRoundingMode, filterShape}. */
export function conv2DBackpropFilterWasm(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap }): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as {
    strides: number | [number, number];
    pad: Pad;
    dataFormat: string;
    dimRoundingMode?: string;
    filterShape: [number, number, number, number];
  };
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter on wasm supports NHWC only, got ${dataFormat}`);
  const info = convInfoOf(x.shape, filterShape, strides, pad, dimRoundingMode);
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, inHeight: h, inWidth: w } = info;
  const { top, left } = info.padInfo;
  const scope = new KernelScope(args.backend, 'wasm');
  try {
    const xT = scope.run('Transpose', { x }, { perm: [3, 1, 2, 0] }); // [ci, H, W, n]
    const dyT = scope.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [oh, ow, n, co]
    // Output row k of the dilated conv reads padded rows k + o*sh: choose the bottom/right pads so
    // exactly fh x fw rows/columns come out (negative means "too many": crop afterwards).
    const bottom = fh + (oh - 1) * sh - h - top;
    const right = fw + (ow - 1) * sw - w - left;
    const conv = scope.run(
      'Conv2D',
      { x: xT, filter: dyT },
      {
        strides: [1, 1],
        dilations: [sh, sw],
        pad: [
          [0, 0],
          [top, Math.max(0, bottom)],
          [left, Math.max(0, right)],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
    ); // [ci, >=fh, >=fw, co]
    let cropped = conv;
    if (conv.shape[1] !== fh || conv.shape[2] !== fw) {
      cropped = scope.run('Slice', { x: conv }, { begin: [0, 0, 0, 0], size: [conv.shape[0]!, fh, fw, conv.shape[3]!] });
    }
    const dw = scope.run('Transpose', { x: cropped }, { perm: [1, 2, 0, 3] }); // [fh, fw, ci, co]
    return scope.keep(dw);
  } finally {
    scope.close();
  }
}

/** Conv2DBackpropInput: inputs {dy, filter}, attrs {inputShape, strides, pad, dataFormat, dimRoundingMode}. */
export function conv2DBackpropInputWasm(
  args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap },
  method: 'auto' | 'subpixel' | 'zero-insertion' = 'auto',
): TensorInfo | null {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { inputShape, strides, pad, dataFormat, dimRoundingMode } = args.attrs as {
    inputShape: [number, number, number, number];
    strides: number | [number, number];
    pad: Pad;
    dataFormat: string;
    dimRoundingMode?: string;
  };
  if (dataFormat !== 'NHWC' || dy.dtype !== 'float32') return null;
  const info = convInfoOf(inputShape, filter.shape, strides, pad, dimRoundingMode);
  const backend = args.backend as BackendWasm;
  const canSubpixel = info.strideHeight === info.strideWidth && info.inHeight % info.strideHeight === 0 && info.inWidth % info.strideWidth === 0;
  if (method === 'subpixel' || (method === 'auto' && canSubpixel && info.strideHeight > 1)) {
    if (!canSubpixel) return null;
    return subpixelBackpropInput(backend, dy, filter, info);
  }
  return zeroInsertionBackpropInput(backend, dy, filter, info);
}

/** One output phase's taps in one dimension: k = r + s*j for j < taps; the conv's leading pad. */
function phaseTaps(phase: number, stride: number, filterSize: number, padBefore: number, dySize: number, outCount: number) {
  const r = (phase + padBefore) % stride;
  const c = Math.floor((phase + padBefore) / stride);
  const taps = r < filterSize ? Math.ceil((filterSize - r) / stride) : 0;
  const before = taps - 1 - c;
  const after = outCount + taps - 1 - dySize - before;
  return { r, taps, before, after };
}

function subpixelBackpropInput(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: Conv2DInfo): TensorInfo | null {
  const s = info.strideHeight;
  const { filterHeight: fh, filterWidth: fw, inChannels: ci, outChannels: co, batchSize: n, outHeight: oh, outWidth: ow } = info;
  const mh = info.inHeight / s;
  const mw = info.inWidth / s;
  const rows = Array.from({ length: s }, (_, p) => phaseTaps(p, s, fh, info.padInfo.top, oh, mh));
  const cols = Array.from({ length: s }, (_, p) => phaseTaps(p, s, fw, info.padInfo.left, ow, mw));
  // Negative pads or empty phases (filter smaller than stride) are rare: use zero-insertion.
  if ([...rows, ...cols].some((t) => t.taps === 0 || t.before < 0 || t.after < 0)) return zeroInsertionBackpropInput(backend, dy, filter, info);
  const scope = new KernelScope(backend, 'wasm');
  try {
    const phases: TensorInfo[] = [];
    for (const rt of rows) {
      for (const ct of cols) {
        // g[th, tw, co, ci] = f[r_h + s*(taps_h-1-th), r_w + s*(taps_w-1-tw), ci, co]
        const g = scope.track(backend.makeOutput([rt.taps, ct.taps, co, ci], 'float32'));
        const gv = wasmF32(backend, g);
        const fv = wasmF32(backend, filter);
        for (let th = 0; th < rt.taps; th++) {
          const kh = rt.r + s * (rt.taps - 1 - th);
          for (let tw = 0; tw < ct.taps; tw++) {
            const kw = ct.r + s * (ct.taps - 1 - tw);
            const fBase = (kh * fw + kw) * ci * co;
            const gBase = (th * ct.taps + tw) * co * ci;
            for (let a = 0; a < ci; a++) for (let b = 0; b < co; b++) gv[gBase + b * ci + a] = fv[fBase + a * co + b]!;
          }
        }
        const pad = [
          [0, 0],
          [rt.before, rt.after],
          [ct.before, ct.after],
          [0, 0],
        ];
        phases.push(scope.run('Conv2D', { x: dy, filter: g }, { strides: [1, 1], dilations: [1, 1], pad, dataFormat: 'NHWC' }));
      }
    }
    // Interleave: out[b, m*s + ph, q*s + pw, :] = phase(ph, pw)[b, m, q, :]. (tfjs-wasm's DepthToSpace
    // is a scalar loop, much slower than this copy of channel runs: bench/RESULTS.md, "Kernel choices".)
    const out = backend.makeOutput([n, info.inHeight, info.inWidth, ci], 'float32');
    const ov = wasmF32(backend, out);
    const rowStride = info.inWidth * ci;
    phases.forEach((p, k) => {
      if (p.shape[1] !== mh || p.shape[2] !== mw) throw new Error(`sub-pixel phase has shape ${p.shape}, expected ${mh}x${mw}`);
      const ph = Math.floor(k / s);
      const pw = k % s;
      const pv = wasmF32(backend, p);
      for (let b = 0; b < n; b++) {
        for (let m = 0; m < mh; m++) {
          const src = (b * mh + m) * mw * ci;
          const dst = (b * info.inHeight + m * s + ph) * rowStride + pw * ci;
          for (let q = 0; q < mw; q++) {
            const si = src + q * ci;
            const di = dst + q * s * ci;
            for (let c = 0; c < ci; c++) ov[di + c] = pv[si + c]!;
          }
        }
      }
    });
    return scope.keep(out);
  } finally {
    scope.close();
  }
}

function zeroInsertionBackpropInput(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: Conv2DInfo): TensorInfo | null {
  const {
    filterHeight: fh,
    filterWidth: fw,
    inChannels: ci,
    outChannels: co,
    batchSize: n,
    outHeight: oh,
    outWidth: ow,
    strideHeight: sh,
    strideWidth: sw,
  } = info;
  const padTop = fh - 1 - info.padInfo.top;
  const padLeft = fw - 1 - info.padInfo.left;
  const upH = (oh - 1) * sh + 1;
  const upW = (ow - 1) * sw + 1;
  const padBottom = info.inHeight + fh - 1 - upH - padTop;
  const padRight = info.inWidth + fw - 1 - upW - padLeft;
  if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) return null;
  const scope = new KernelScope(backend, 'wasm');
  try {
    const hp = upH + padTop + padBottom;
    const wp = upW + padLeft + padRight;
    const up = scope.track(backend.makeOutput([n, hp, wp, co], 'float32'));
    // flipped[kh, kw, co, ci] = f[fh-1-kh, fw-1-kw, ci, co]
    const flipped = scope.track(backend.makeOutput([fh, fw, co, ci], 'float32'));
    const upv = wasmF32(backend, up);
    const dyv = wasmF32(backend, dy);
    const fv = wasmF32(backend, filter);
    const gv = wasmF32(backend, flipped);
    upv.fill(0);
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const src = ((b * oh + i) * ow + j) * co;
          const dst = ((b * hp + padTop + i * sh) * wp + padLeft + j * sw) * co;
          upv.set(dyv.subarray(src, src + co), dst);
        }
      }
    }
    for (let kh = 0; kh < fh; kh++) {
      for (let kw = 0; kw < fw; kw++) {
        const fBase = ((fh - 1 - kh) * fw + (fw - 1 - kw)) * ci * co;
        const gBase = (kh * fw + kw) * co * ci;
        for (let a = 0; a < ci; a++) for (let c = 0; c < co; c++) gv[gBase + c * ci + a] = fv[fBase + a * co + c]!;
      }
    }
    const out = scope.run('Conv2D', { x: up, filter: flipped }, { strides: [1, 1], dilations: [1, 1], pad: 'valid', dataFormat: 'NHWC' });
    return scope.keep(out);
  } finally {
    scope.close();
  }
}

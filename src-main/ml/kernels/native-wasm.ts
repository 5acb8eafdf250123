/**
 * wasm-backend kernels that hand the heavy arithmetic to the native addon (OpenBLAS): matrix
 * products (transposes are free flags there) and convolutions as im2col/col2im + one GEMM per
 * chunk. Tensors stay in the wasm heap; the addon reads and writes Float32Array views of it.
 * Anything these do not cover (other dtypes, data formats or activations) goes to the kernel
 * that was registered before (`prior`).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { ConvDimsTuple, NativeKernels } from '../native/index.js';
import { wasmF32, type TensorInfo } from './wasm-util.js';

/** Kernel name of conv2dTranspose(x, filter, 'same') + bias + activation, fused (wasm with the native addon only). */
export const CONV2D_TRANSPOSE_BIAS_ACT = 'DlConv2DTransposeBiasAct';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap };
type Pad = 'valid' | 'same' | number | number[][];

/** Activations the native kernels fuse; 'tanh' is not a tfjs fused activation (dense.ts uses it). */
const ACT: Record<string, number> = { linear: 0, relu: 1, tanh: 2, sigmoid: 3 };

function sizeOf(shape: number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}

function convDims(
  inShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: Pad,
  dimRoundingMode?: string,
) {
  const info = tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    pad as 'valid',
    dimRoundingMode as 'floor' | undefined,
    false,
    'channelsLast',
  );
  const dims: ConvDimsTuple = [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
    info.outHeight,
    info.outWidth,
    info.outChannels,
  ];
  return { info, dims };
}

/** Registers native versions of the heavy wasm kernels; each falls back to the kernel it replaces. */
export function registerNativeWasmKernels(native: NativeKernels): string[] {
  const done: string[] = [];
  const replace = (name: string, make: (prior: tf.KernelFunc | undefined) => (args: KernelArgs) => TensorInfo | null) => {
    const prior = tf.getKernel(name, 'wasm');
    const impl = make(prior?.kernelFunc);
    if (prior) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      kernelName: name,
      backendName: 'wasm',
      setupFunc: prior?.setupFunc,
      disposeFunc: prior?.disposeFunc,
      kernelFunc: ((args: KernelArgs) => {
        const out = impl(args);
        if (out) return out;
        if (!prior) throw new Error(`${name}: case not supported by the native kernel and no wasm kernel to fall back to`);
        return prior.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
      }) as unknown as tf.KernelFunc,
    });
    done.push(name);
  };

  const matMul = (args: KernelArgs, bias: TensorInfo | undefined, activation: string): TensorInfo | null => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const act = ACT[activation];
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || act === undefined) return null;
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
    const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    if (k !== kb) throw new Error(`matMul: inner sizes ${k} and ${kb} of shapes ${a.shape} and ${b.shape} differ`);
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const batchA = sizeOf(outerA);
    const batchB = sizeOf(outerB);
    // Full broadcasting of batch dims is rare here: equal outer shapes, or one side unbatched.
    let outer: number[];
    if (batchA === 1) outer = outerB.length >= outerA.length ? outerB : outerA;
    else if (batchB === 1) outer = outerA.length >= outerB.length ? outerA : outerB;
    else if (outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i])) outer = outerA;
    else return null;
    if (bias && (bias.dtype !== 'float32' || sizeOf(bias.shape) !== n || bias.shape[bias.shape.length - 1] !== n)) return null;
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput([...outer, m, n], 'float32');
    native.matMul(
      wasmF32(backend, a),
      wasmF32(backend, b),
      transposeA ? 1 : 0,
      transposeB ? 1 : 0,
      batchA,
      batchB,
      m,
      n,
      k,
      bias ? wasmF32(backend, bias) : null,
      act,
      wasmF32(backend, out),
    );
    return out;
  };

  replace('BatchMatMul', () => (args) => matMul(args, undefined, 'linear'));
  replace('_FusedMatMul', () => (args) => {
    const { bias, preluActivationWeights } = args.inputs as { bias?: TensorInfo; preluActivationWeights?: TensorInfo };
    if (preluActivationWeights) return null;
    return matMul(args, bias ?? undefined, (args.attrs.activation as string | undefined) ?? 'linear');
  });

  const conv = (args: KernelArgs, bias: TensorInfo | undefined, activation: string): TensorInfo | null => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = args.attrs as {
      strides: number | [number, number];
      pad: Pad;
      dataFormat: string;
      dilations: number | [number, number];
      dimRoundingMode?: string;
    };
    const act = ACT[activation];
    if (dataFormat !== 'NHWC' || x.dtype !== 'float32' || act === undefined) return null;
    const { info, dims } = convDims(x.shape, filter.shape, strides, dilations ?? 1, pad, dimRoundingMode);
    if (info.padInfo.top < 0 || info.padInfo.left < 0) return null;
    if (bias && (sizeOf(bias.shape) !== info.outChannels || bias.dtype !== 'float32')) return null;
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput(info.outShape, 'float32');
    native.conv2d(wasmF32(backend, x), wasmF32(backend, filter), bias ? wasmF32(backend, bias) : null, act, wasmF32(backend, out), ...dims);
    return out;
  };

  replace('Conv2D', () => (args) => conv(args, undefined, 'linear'));
  replace('FusedConv2D', () => (args) => {
    const { bias, preluActivationWeights } = args.inputs as { bias?: TensorInfo; preluActivationWeights?: TensorInfo };
    if (preluActivationWeights) return null;
    return conv(args, bias ?? undefined, (args.attrs.activation as string | undefined) ?? 'linear');
  });

  replace('Conv2DBackpropInput', () => (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const { inputShape, strides, pad, dataFormat, dimRoundingMode } = args.attrs as {
      inputShape: number[];
      strides: number | [number, number];
      pad: Pad;
      dataFormat: string;
      dimRoundingMode?: string;
    };
    if (dataFormat !== 'NHWC' || dy.dtype !== 'float32') return null;
    const { info, dims } = convDims(inputShape, filter.shape, strides, 1, pad, dimRoundingMode);
    if (info.padInfo.top < 0 || info.padInfo.left < 0) return null;
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput(info.inShape, 'float32');
    native.conv2dBackpropInput(wasmF32(backend, dy), wasmF32(backend, filter), null, 0, wasmF32(backend, out), ...dims);
    return out;
  });

  // conv2dTranspose + bias + activation in one pass (no tfjs equivalent; conv.ts uses it when registered).
  tf.registerKernel({
    kernelName: CONV2D_TRANSPOSE_BIAS_ACT,
    backendName: 'wasm',
    kernelFunc: ((args: KernelArgs) => {
      const { x, filter, bias } = args.inputs as { x: TensorInfo; filter: TensorInfo; bias: TensorInfo };
      const { outputShape, strides, activation } = args.attrs as { outputShape: number[]; strides: number; activation: string };
      const act = ACT[activation];
      if (act === undefined) throw new Error(`${CONV2D_TRANSPOSE_BIAS_ACT}: unsupported activation ${activation}`);
      // conv2dTranspose(x, filter [k, k, out, in]) is the input gradient of conv2d(out -> in) with dy = x.
      const { dims } = convDims(outputShape, filter.shape, strides, 1, 'same');
      const backend = args.backend as BackendWasm;
      const out = backend.makeOutput(outputShape, 'float32');
      native.conv2dBackpropInput(wasmF32(backend, x), wasmF32(backend, filter), wasmF32(backend, bias), act, wasmF32(backend, out), ...dims);
      return out;
    }) as unknown as tf.KernelFunc,
  });
  done.push(CONV2D_TRANSPOSE_BIAS_ACT);

  replace('Conv2DBackpropFilter', () => (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as {
      strides: number | [number, number];
      pad: Pad;
      dataFormat: string;
      dimRoundingMode?: string;
      filterShape: number[];
    };
    if (dataFormat !== 'NHWC' || x.dtype !== 'float32') return null;
    const { info, dims } = convDims(x.shape, filterShape, strides, 1, pad, dimRoundingMode);
    if (info.padInfo.top < 0 || info.padInfo.left < 0) return null;
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput(filterShape, 'float32');
    native.conv2dBackpropFilter(wasmF32(backend, x), wasmF32(backend, dy), wasmF32(backend, out), ...dims);
    return out;
  });
  return done;
}

/**
 * Registers the kernels this project provides for backends that lack them or ship slow ones.
 * Called once per backend, after that backend is set (selectBackend does it). Every kernel here
 * is checked against the cpu backend in test/unit/ml/kernels.test.ts.
 *
 * wasm (tfjs-backend-wasm 4.22):
 * - Conv2DBackpropFilter: missing (conv training fails without it); built from wasm's Conv2D.
 * - Conv2DBackpropInput: shipped as a scalar loop; replaced by sub-pixel convolution (or
 *   zero-insertion + one Conv2D), which also makes conv2dTranspose fast.
 * - Dense layers: Mlp.apply's gradient transposes explicitly before matMul (see dense.ts).
 * - With the optional native addon (npm run build:native): BatchMatMul, _FusedMatMul, Conv2D,
 *   FusedConv2D and both conv gradients run in OpenBLAS, on the same wasm-heap tensors.
 *
 * webgpu (tfjs-backend-webgpu 4.22): the fused Adam, Polyak and activation-gradient ops as WGSL
 * shaders (ml/kernels/webgpu-ops.ts); conv gradients, transposed convolutions and fused dense
 * layers are tfjs-webgpu's own, checked against cpu in test/unit/ml/webgpu.test.ts. On software
 * adapters, matrix products and sums as barrier-free loops (ml/kernels/webgpu-software.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { loadNative } from '../native/index.js';
import { fastPathState } from './fast-paths.js';
import { registerCustomWasmKernels } from './custom-ops.js';
import { registerNativeWasmKernels } from './native-wasm.js';
import { registerWebGpuKernels } from './webgpu-ops.js';
import { registerSoftwareWebGpuKernels } from './webgpu-software.js';
import { conv2DBackpropFilterWasm, conv2DBackpropInputWasm } from './wasm-conv.js';
import { KernelScope, type TensorInfo } from './wasm-util.js';

export type ConvTransposeMethod = 'auto' | 'subpixel' | 'zero-insertion' | 'shipped';

let convTransposeMethod: ConvTransposeMethod = 'auto';

/** Chooses how wasm (without native kernels) computes Conv2DBackpropInput, i.e. conv2dTranspose; for tests and benchmarks. */
export function setConvTransposeMethod(m: ConvTransposeMethod): void {
  convTransposeMethod = m;
}

export interface KernelOptions {
  /** Use the native addon when it loads (default true; DRIVE_LAB_NATIVE=off also disables it). */
  native?: boolean;
  /** webgpu: the adapter is a software one (SwiftShader), so the barrier-free kernels replace tfjs's matrix products and sums. */
  softwareAdapter?: boolean;
}

/** What registerProjectKernels did for a backend. */
export interface KernelReport {
  backend: string;
  /** Kernels the project provides on this backend. */
  kernels: string[];
  /** Whether the native addon runs this backend's heavy kernels. */
  native: boolean;
  /** One line about the native addon: loaded (BLAS, threads) or why not. */
  nativeDetail: string;
}

const reports = new Map<string, KernelReport>();

export function registerProjectKernels(backendName: string = tf.getBackend(), options: KernelOptions = {}): KernelReport {
  const done = reports.get(backendName);
  if (done) return done;
  const report: KernelReport = { backend: backendName, kernels: [], native: false, nativeDetail: 'not used on this backend' };
  if (backendName === 'wasm') {
    report.kernels.push(...registerWasmKernels());
    const native = options.native === false ? { kernels: null, detail: 'native kernels not requested' } : loadNative();
    report.nativeDetail = native.detail;
    report.kernels.push(...registerCustomWasmKernels(native.kernels));
    if (native.kernels) {
      report.kernels.push(...registerNativeWasmKernels(native.kernels).map((k) => `${k} (native)`));
      report.native = true;
      fastPathState.wasmNativeMatMul = true;
    }
  }
  if (backendName === 'webgpu') {
    report.kernels.push(...registerWebGpuKernels());
    if (options.softwareAdapter) report.kernels.push(...registerSoftwareWebGpuKernels());
  }
  reports.set(backendName, report);
  return report;
}

function registerWasmKernels(): string[] {
  const kernels: string[] = [];
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilterWasm as unknown as tf.KernelFunc });
    kernels.push('Conv2DBackpropFilter (dilated Conv2D)');
  }
  const shipped = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (shipped) {
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({
      kernelName: 'Conv2DBackpropInput',
      backendName: 'wasm',
      setupFunc: shipped.setupFunc,
      disposeFunc: shipped.disposeFunc,
      kernelFunc: ((args: Parameters<typeof conv2DBackpropInputWasm>[0]) => {
        if (convTransposeMethod !== 'shipped') {
          const out = conv2DBackpropInputWasm(args, convTransposeMethod);
          if (out) return out;
        }
        return shipped.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
      }) as unknown as tf.KernelFunc,
    });
    kernels.push('Conv2DBackpropInput (sub-pixel Conv2Ds)');
  }
  if (registerFusedMatMulFix()) kernels.push('_FusedMatMul fix for transposed or batched operands');
  kernels.push('dense gradient with explicit transposes');
  return kernels;
}

/**
 * tfjs-wasm 4.22's _FusedMatMul returns wrong values when an operand is transposed or batched
 * (found by test/unit/ml/kernels-wasm.test.ts). Those calls are computed as BatchMatMul, then the
 * bias and activation with wasm's own kernels; plain 2-D products keep the fused XNNPACK kernel.
 */
function registerFusedMatMulFix(): boolean {
  const prior = tf.getKernel('_FusedMatMul', 'wasm');
  if (!prior) return false;
  tf.unregisterKernel('_FusedMatMul', 'wasm');
  tf.registerKernel({
    ...prior,
    kernelFunc: ((args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap }) => {
      const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
      const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as {
        transposeA: boolean;
        transposeB: boolean;
        activation?: string;
        leakyreluAlpha?: number;
      };
      const batched = a!.shape.slice(0, -2).some((d) => d > 1) || b!.shape.slice(0, -2).some((d) => d > 1);
      if (!transposeA && !transposeB && !batched) return prior.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
      const scope = new KernelScope(args.backend, 'wasm');
      try {
        let y = scope.run('BatchMatMul', { a: a!, b: b! }, { transposeA, transposeB });
        if (bias) y = scope.run('Add', { a: y, b: bias });
        switch (activation ?? 'linear') {
          case 'linear':
            break;
          case 'relu':
            y = scope.run('Relu', { x: y });
            break;
          case 'relu6':
            y = scope.run('Relu6', { x: y });
            break;
          case 'sigmoid':
            y = scope.run('Sigmoid', { x: y });
            break;
          case 'elu':
            y = scope.run('Elu', { x: y });
            break;
          case 'leakyrelu':
            y = scope.run('LeakyRelu', { x: y }, { alpha: leakyreluAlpha ?? 0.2 });
            break;
          case 'prelu':
            y = scope.run('Prelu', { x: y, alpha: preluActivationWeights! });
            break;
          default:
            throw new Error(`_FusedMatMul: unknown activation ${activation}`);
        }
        return scope.keep(y);
      } finally {
        scope.close();
      }
    }) as unknown as tf.KernelFunc,
  });
  return true;
}

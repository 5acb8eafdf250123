/**
 * Matrix products and sums for software WebGPU adapters (SwiftShader), registered over
 * tfjs-webgpu's own kernels only when the adapter is a software one:
 *
 * - BatchMatMul and _FusedMatMul (bias, and the activations linear, relu, relu6, elu, sigmoid):
 *   one invocation per output, or per four adjacent outputs of a row when the row length is a
 *   multiple of 4, looping over the inner dimension;
 * - Sum (float32, over one run of adjacent axes): one invocation per output, looping over the
 *   reduced elements;
 * - Add of float32 tensors of different shapes (a bias): one invocation per output, reading both
 *   inputs through tfjs's broadcasting accessors (tfjs stages the smaller input in workgroup memory).
 *
 * Why: tfjs-webgpu's programs share tiles (matrix products) or partial sums (reductions) through
 * workgroup memory between barriers, which suits a GPU; a software driver runs the invocations of
 * a workgroup as CPU routines and pays for every barrier, so these barrier-free loops are several
 * times faster there (bench/RESULTS.md, "WebGPU"). Real GPUs keep tfjs's kernels. Any case these
 * programs do not cover (prelu and leakyrelu activations, batch shapes that only broadcast
 * through tfjs's general rule, int32 sums, axes that are not adjacent) goes to the kernel tfjs
 * registered. Checked against the cpu backend in test/unit/ml/webgpu.test.ts (bench/gpu/cases.ts,
 * "software-kernels").
 */
import * as tf from '@tensorflow/tfjs';
import { ElementwiseProgram } from './webgpu-ops.js';

type TensorInfo = { dataId: object; shape: number[]; dtype: tf.DataType };
type Uniform = { type: 'int32' | 'float32'; data: number[] };
interface WebGpuBackendLike {
  runWebGPUProgram(program: object, inputs: TensorInfo[], dtype: tf.DataType, uniforms?: Uniform[]): TensorInfo;
}
type KernelArgs = { inputs: Record<string, TensorInfo | undefined>; backend: WebGpuBackendLike; attrs: Record<string, unknown> };
type KernelFunc = (args: KernelArgs) => TensorInfo | TensorInfo[];

const WORKGROUP = 64;

/** The fused activations these programs apply, as WGSL over `v`. */
const ACTIVATIONS: Record<string, string> = {
  linear: 'v',
  relu: 'max(v, 0.0)',
  relu6: 'clamp(v, 0.0, 6.0)',
  elu: 'select(exp(v) - 1.0, v, v >= 0.0)',
  sigmoid: '1.0 / (1.0 + exp(-v))',
};

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const view = (t: TensorInfo, shape: number[]): TensorInfo => ({ dataId: t.dataId, shape, dtype: t.dtype });

/** C[b] = act(op(A[b]) op(B[b]) + bias) for a [batch, M, N] output; A or B broadcast when its batch is 1. */
class LoopMatMulProgram {
  readonly variableNames: string[];
  readonly uniforms = 'dimAOuter : i32, dimBOuter : i32, dimInner : i32,';
  readonly workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  readonly size = true;
  readonly outputShape: number[];
  readonly dispatchLayout = { x: [0, 1, 2] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;
  private readonly lanes: 1 | 4;

  constructor(
    outShape: [number, number, number],
    private readonly transposeA: boolean,
    private readonly transposeB: boolean,
    private readonly bias: boolean,
    private readonly activation: string,
  ) {
    this.outputShape = outShape;
    this.lanes = outShape[2] % 4 === 0 ? 4 : 1;
    this.variableNames = bias ? ['A', 'B', 'bias'] : ['A', 'B'];
    this.dispatch = [Math.ceil(size(outShape) / this.lanes / WORKGROUP), 1, 1];
    this.shaderKey = `drivelab_loopmm_${this.lanes}_${transposeA}_${transposeB}_${bias}_${activation}`;
  }

  getUserCode(): string {
    // A is [batch, M, K] ([batch, K, M] transposed); B is [batch, K, N] ([batch, N, K] transposed).
    const a = this.transposeA ? 'A[aBase + k * uniforms.dimAOuter + row]' : 'A[aBase + row * uniforms.dimInner + k]';
    const bAt = (j: number) => {
      const c = j === 0 ? 'col' : `(col + ${j})`;
      return this.transposeB ? `B[bBase + ${c} * uniforms.dimInner + k]` : `B[bBase + k * uniforms.dimBOuter + ${c}]`;
    };
    const finish = (value: string, j: number) => {
      const at = j === 0 ? 'index' : `index + ${j}`;
      const withBias = this.bias ? `${value} + getBiasByOutputIndex(${at})` : value;
      return `{ let v = ${withBias}; setOutputAtIndex(${at}, ${ACTIVATIONS[this.activation]}); }`;
    };
    const four = this.lanes === 4;
    const acc = four ? 'var acc = vec4<f32>(0.0);' : 'var acc = 0.0;';
    const step = four ? `acc = acc + ${a} * vec4<f32>(${[0, 1, 2, 3].map(bAt).join(', ')});` : `acc = acc + ${a} * ${bAt(0)};`;
    const writes = four ? ['acc.x', 'acc.y', 'acc.z', 'acc.w'].map(finish).join('\n          ') : finish('acc', 0);
    return `
      fn main(invocation : i32) {
        let index = invocation * ${this.lanes};
        if (index < uniforms.size) {
          let c = getCoordsFromIndex(index);
          let plane = uniforms.dimAOuter * uniforms.dimInner;
          let aBase = (c[0] % uniforms.aShape[0]) * plane;
          let bBase = (c[0] % uniforms.bShape[0]) * uniforms.dimBOuter * uniforms.dimInner;
          let row = c[1];
          let col = c[2];
          ${acc}
          for (var k = 0; k < uniforms.dimInner; k = k + 1) {
            ${step}
          }
          ${writes}
        }
      }
    `;
  }
}

/** out[o, i] = sum over r of x[o, r, i], for x viewed as [outer, reduce, inner]. */
class LoopSumProgram {
  readonly variableNames = ['x'];
  readonly uniforms = 'reduceSize : i32, inner : i32,';
  readonly workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  readonly size = true;
  readonly outputShape: number[];
  readonly dispatchLayout = { x: [0] };
  readonly dispatch: [number, number, number];
  readonly shaderKey = 'drivelab_loopsum';

  constructor(outputs: number) {
    this.outputShape = [outputs];
    this.dispatch = [Math.ceil(outputs / WORKGROUP), 1, 1];
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let o = index / uniforms.inner;
          let i = index - o * uniforms.inner;
          var at = o * uniforms.reduceSize * uniforms.inner + i;
          var acc = 0.0;
          for (var r = 0; r < uniforms.reduceSize; r = r + 1) {
            acc = acc + x[at];
            at = at + uniforms.inner;
          }
          setOutputAtIndex(index, acc);
        }
      }
    `;
  }
}

/** The broadcast sum, or null where tfjs's kernel must do it (same shapes take its plain elementwise program). */
function loopAdd(args: KernelArgs): TensorInfo | null {
  const { a, b } = args.inputs;
  if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  if (a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i])) return null;
  const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
  if (size(outShape) === 0 || outShape.length > 4) return null;
  // tfjs's output-index accessors broadcast each input to the output shape.
  return args.backend.runWebGPUProgram(new ElementwiseProgram('broadcast_add', outShape, ['a', 'b'], [], 'a + b'), [a, b], 'float32');
}

/** The matrix product, or null where tfjs's kernel must do it. */
function loopMatMul(args: KernelArgs, fused: boolean): TensorInfo | null {
  const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
  const transposeA = Boolean(args.attrs.transposeA);
  const transposeB = Boolean(args.attrs.transposeB);
  const activation = fused ? String(args.attrs.activation ?? 'linear') : 'linear';
  if (!a || !b || preluActivationWeights || !(activation in ACTIVATIONS)) return null;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || (bias && bias.dtype !== 'float32')) return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return null;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = size(outerA);
  const batchB = size(outerB);
  // Only the broadcasts the loop's `batch % size` indexing gives: equal batch shapes, or one side without a batch.
  const sameOuter = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
  if (!sameOuter && batchA !== 1 && batchB !== 1) return null;
  const M = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const K = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kB = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const N = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (K !== kB) return null; // tfjs's kernel says what is wrong
  const outerOut = batchA >= batchB ? outerA : outerB;
  const batch = Math.max(batchA, batchB);
  if (batch * M * N === 0 || K === 0) return null;
  const program = new LoopMatMulProgram([batch, M, N], transposeA, transposeB, Boolean(bias), activation);
  const a3 = view(a, [batchA, ...a.shape.slice(-2)]);
  const b3 = view(b, [batchB, ...b.shape.slice(-2)]);
  const inputs = bias ? [a3, b3, bias] : [a3, b3];
  const out = args.backend.runWebGPUProgram(program, inputs, 'float32', [
    { type: 'int32', data: [M] },
    { type: 'int32', data: [N] },
    { type: 'int32', data: [K] },
  ]);
  return view(out, [...outerOut, M, N]);
}

/** The sum, or null where tfjs's kernel must do it. */
function loopSum(args: KernelArgs): TensorInfo | null {
  const x = args.inputs.x;
  if (!x || x.dtype !== 'float32' || x.shape.length === 0) return null;
  const axes = [...new Set(tf.util.parseAxisParam(args.attrs.axis as number | number[], x.shape))].sort((p, q) => p - q);
  if (axes.length === 0 || axes.some((ax, i) => i > 0 && ax !== axes[i - 1]! + 1)) return null;
  const first = axes[0]!;
  const last = axes.at(-1)!;
  const outer = size(x.shape.slice(0, first));
  const reduce = size(x.shape.slice(first, last + 1));
  const inner = size(x.shape.slice(last + 1));
  if (outer * inner === 0 || reduce === 0) return null;
  const outShape = args.attrs.keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  const out = args.backend.runWebGPUProgram(new LoopSumProgram(outer * inner), [view(x, [size(x.shape)])], 'float32', [
    { type: 'int32', data: [reduce] },
    { type: 'int32', data: [inner] },
  ]);
  return view(out, outShape);
}

function override(name: string, loop: (args: KernelArgs) => TensorInfo | null): void {
  const shipped = tf.getKernel(name, 'webgpu');
  if (!shipped) throw new Error(`tfjs-webgpu has no ${name} kernel to stand beside`);
  const fallback = shipped.kernelFunc as unknown as KernelFunc;
  tf.unregisterKernel(name, 'webgpu');
  tf.registerKernel({
    ...shipped,
    kernelFunc: ((args: KernelArgs) => loop(args) ?? fallback(args)) as unknown as tf.KernelFunc,
  });
}

/** Registers the barrier-free kernels over tfjs-webgpu's (software adapters only); returns their names for the kernel report. */
export function registerSoftwareWebGpuKernels(): string[] {
  override('BatchMatMul', (args) => loopMatMul(args, false));
  override('_FusedMatMul', (args) => loopMatMul(args, true));
  override('Sum', loopSum);
  override('Add', loopAdd);
  return ['BatchMatMul, _FusedMatMul, Sum and broadcast Add (WGSL without workgroup barriers, for software adapters)'];
}

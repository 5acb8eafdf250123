/**
 * The project's fused ops (kernels/custom-ops.ts) as WGSL compute shaders on tfjs-backend-webgpu,
 * so each is one dispatch per tensor instead of several tfjs ops:
 *
 * - DlActGrad: dz = dy * act'(y)                                         1 dispatch
 * - DlAdam(Multi): m', v' and value' (value' recomputes m' and v' inline) 3 per variable
 * - DlLerp(Multi): tau * source + (1 - tau) * target (Polyak)            1 per variable
 *
 * The arithmetic follows the tfjs fallback in custom-ops.ts op by op (float32), so the cpu
 * backend and these kernels agree to rounding (test/unit/ml/webgpu.test.ts). DlBiasGrad stays
 * tfjs's Sum over axis 0, which is a single reduction shader on webgpu already. Conv filter
 * gradients, transposed convolutions and fused dense layers use tfjs-webgpu's own kernels
 * (Conv2DBackpropFilter, Conv2DBackpropInput, _FusedMatMul), checked by the same test.
 * A tfjs-webgpu program has one output, hence three Adam dispatches.
 */
import * as tf from '@tensorflow/tfjs';
import { ACT_GRAD, ADAM, ADAM_MULTI, LERP, LERP_MULTI, type AdamAttrs, type GradActivation } from './custom-ops.js';

type TensorInfo = { dataId: object; shape: number[]; dtype: tf.DataType };
type Uniform = { type: 'float32'; data: number[] };
interface WebGpuBackendLike {
  runWebGPUProgram(program: object, inputs: TensorInfo[], dtype: tf.DataType, uniforms?: Uniform[]): TensorInfo;
}

const WORKGROUP = 64;

/** An elementwise program over same-shaped float32 inputs; `expr` is WGSL over their values (a, b, ...) and the uniforms. */
export class ElementwiseProgram {
  readonly variableNames: string[];
  readonly uniforms: string;
  readonly workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  readonly size = true;
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;

  constructor(
    key: string,
    shape: number[],
    private readonly names: string[],
    uniformNames: string[],
    private readonly expr: string,
  ) {
    this.variableNames = names.map((n) => n.toUpperCase());
    this.uniforms = uniformNames.map((u) => `${u} : f32,`).join(' ');
    this.outputShape = shape;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    const n = shape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.ceil(n / WORKGROUP), 1, 1];
    this.shaderKey = `drivelab_${key}`;
  }

  getUserCode(): string {
    const loads = this.names.map((n) => `let ${n} = get${n.toUpperCase()}ByOutputIndex(index);`).join('\n          ');
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${loads}
          setOutputAtIndex(index, ${this.expr});
        }
      }
    `;
  }
}

const ACT_EXPR: Record<Exclude<GradActivation, 'linear'>, string> = {
  relu: 'select(0.0, dy, y > 0.0)',
  tanh: 'dy * (1.0 - y * y)',
  sigmoid: 'dy * (y * (1.0 - y))',
};

const ADAM_UNIFORMS = ['lr', 'b1', 'c1', 'b2', 'c2', 'eps', 'bc1', 'bc2'];
const M_NEXT = '(m * uniforms.b1 + g * uniforms.c1)';
const V_NEXT = '(v * uniforms.b2 + (g * g) * uniforms.c2)';

function adamUniforms(a: AdamAttrs): Uniform[] {
  return [a.lr, a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.eps, a.bc1, a.bc2].map((x) => ({ type: 'float32', data: [x] }));
}

function adamOne(backend: WebGpuBackendLike, value: TensorInfo, m: TensorInfo, v: TensorInfo, grad: TensorInfo, a: AdamAttrs): TensorInfo[] {
  const u = adamUniforms(a);
  const shape = value.shape;
  const mOut = backend.runWebGPUProgram(new ElementwiseProgram('adam_m', shape, ['m', 'g'], ADAM_UNIFORMS, M_NEXT), [m, grad], 'float32', u);
  const vOut = backend.runWebGPUProgram(new ElementwiseProgram('adam_v', shape, ['v', 'g'], ADAM_UNIFORMS, V_NEXT), [v, grad], 'float32', u);
  const step = `((${M_NEXT} / uniforms.bc1) / (sqrt(${V_NEXT} / uniforms.bc2) + uniforms.eps))`;
  const pOut = backend.runWebGPUProgram(
    new ElementwiseProgram('adam_p', shape, ['p', 'm', 'v', 'g'], ADAM_UNIFORMS, `p + ${step} * -uniforms.lr`),
    [value, m, v, grad],
    'float32',
    u,
  );
  return [pOut, mOut, vOut];
}

function lerpOne(backend: WebGpuBackendLike, target: TensorInfo, source: TensorInfo, tau: number): TensorInfo {
  const program = new ElementwiseProgram('lerp', target.shape, ['t', 's'], ['tau', 'keep'], 's * uniforms.tau + t * uniforms.keep');
  return backend.runWebGPUProgram(program, [target, source], 'float32', [
    { type: 'float32', data: [tau] },
    { type: 'float32', data: [1 - tau] },
  ]);
}

type KernelArgs = { inputs: Record<string, TensorInfo>; backend: WebGpuBackendLike; attrs: Record<string, unknown> };

function register(name: string, kernelFunc: (args: KernelArgs) => TensorInfo | TensorInfo[]): void {
  if (tf.getKernel(name, 'webgpu')) tf.unregisterKernel(name, 'webgpu');
  tf.registerKernel({ kernelName: name, backendName: 'webgpu', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}

/** Registers the fused ops for webgpu; returns their names for the kernel report. */
export function registerWebGpuKernels(): string[] {
  register(ACT_GRAD, ({ inputs, backend, attrs }) => {
    const { dy, y } = inputs as { dy: TensorInfo; y: TensorInfo };
    const act = attrs.activation as GradActivation;
    if (act === 'linear') return backend.runWebGPUProgram(new ElementwiseProgram('actgrad_linear', dy.shape, ['dy'], [], 'dy'), [dy], 'float32');
    return backend.runWebGPUProgram(new ElementwiseProgram(`actgrad_${act}`, dy.shape, ['dy', 'y'], [], ACT_EXPR[act]), [dy, y], 'float32');
  });
  register(ADAM, ({ inputs, backend, attrs }) => {
    const { value, m, v, grad } = inputs as { value: TensorInfo; m: TensorInfo; v: TensorInfo; grad: TensorInfo };
    return adamOne(backend, value, m, v, grad, attrs as unknown as AdamAttrs);
  });
  register(ADAM_MULTI, ({ inputs, backend, attrs }) => {
    const list = Object.values(inputs);
    const outs: TensorInfo[] = [];
    for (let i = 0; i + 3 < list.length; i += 4)
      outs.push(...adamOne(backend, list[i]!, list[i + 1]!, list[i + 2]!, list[i + 3]!, attrs as unknown as AdamAttrs));
    return outs;
  });
  register(LERP, ({ inputs, backend, attrs }) => {
    const { target, source } = inputs as { target: TensorInfo; source: TensorInfo };
    return lerpOne(backend, target, source, attrs.tau as number);
  });
  register(LERP_MULTI, ({ inputs, backend, attrs }) => {
    const list = Object.values(inputs);
    const outs: TensorInfo[] = [];
    for (let i = 0; i + 1 < list.length; i += 2) outs.push(lerpOne(backend, list[i]!, list[i + 1]!, attrs.tau as number));
    return outs;
  });
  return [`${ACT_GRAD} (WGSL)`, `${ADAM} and ${ADAM_MULTI} (WGSL, 3 dispatches per variable)`, `${LERP} and ${LERP_MULTI} (WGSL)`];
}

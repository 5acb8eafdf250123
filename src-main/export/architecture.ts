/**
 * What an exported policy computes, independent of any file format: an optional convolutional
 * encoder (camera image -> latent, for `vae` observations) followed by the deterministic actor
 * MLP. Both writers (TF.js, ONNX), the reference forward pass and the loaders' structural checks
 * are derived from the one layer list `describeArchitecture` returns, so they cannot drift apart.
 *
 * Weight layouts follow TF.js (and the project's Mlp): dense kernels [in, out], conv kernels
 * [kh, kw, inChannels, outChannels] (HWIO); the ONNX writer converts to its own layouts.
 *
 * Graph inputs (batch first):
 *   vector observations:  `obs`   [batch, obsDim]
 *   image observations:   `image` [batch, height, width, channels] (NHWC, values in [0, 1])
 *                         `extra` [batch, extraDim] (e.g. speed, last steering), if extraDim > 0
 * Graph output: `action` [batch, actionDim], in [-1, 1] when the actor ends in tanh.
 */
import { z } from 'zod';
import type { ConvEncoderSpec } from '../ml/conv-encoder.js';
import { ExportError } from './errors.js';

export const Activation = z.enum(['relu', 'tanh', 'linear']);
export type Activation = z.infer<typeof Activation>;

const dim = z
  .number()
  .int()
  .min(1)
  .max(1 << 20);

/** The actor MLP; the same fields as src-main/ml/mlp.ts MlpSpec. ReLU between layers. */
export const ActorSpec = z.object({
  inputDim: dim,
  hidden: z.array(dim).max(16),
  outputDim: dim,
  outputActivation: z.enum(['linear', 'tanh']),
});
export type ActorSpec = z.infer<typeof ActorSpec>;

export const ConvSpec = z.object({
  filters: dim,
  /** Square kernel size in pixels. */
  kernel: z.number().int().min(1).max(15),
  /** Stride in pixels (both axes). */
  stride: z.number().int().min(1).max(8),
  /** TF semantics: 'valid' = no padding; 'same' = output ceil(in / stride), extra pad at the end. */
  padding: z.enum(['valid', 'same']).default('valid'),
  activation: Activation.default('relu'),
});
export type ConvSpec = z.infer<typeof ConvSpec>;

/**
 * A convolutional encoder: convs on an NHWC image, flatten (in H, W, C order), one linear dense
 * layer to the latent (the VAE's mean), then the latent is concatenated with `extraDim` vector
 * features. Weights: [conv0 kernel HWIO, conv0 bias, ..., latent kernel [flat, latentDim], latent bias].
 */
export const EncoderSpec = z.object({
  /** [height, width, channels] of the camera image the policy takes. */
  imageShape: z.tuple([dim, dim, z.number().int().min(1).max(4)]),
  convs: z.array(ConvSpec).min(1).max(8),
  latentDim: dim,
  extraDim: z.number().int().min(0).max(1024),
});
export type EncoderSpec = z.infer<typeof EncoderSpec>;
export type EncoderSpecInput = z.input<typeof EncoderSpec>;

/** The export's EncoderSpec for this encoder followed by `extraDim` vector features. */
export function exportEncoderSpec(spec: ConvEncoderSpec, extraDim: number): EncoderSpecInput {
  return {
    imageShape: [spec.height, spec.width, spec.channels],
    convs: spec.filters.map((filters) => ({ filters, kernel: spec.kernelSize, stride: 2, padding: 'same' as const, activation: 'relu' as const })),
    latentDim: spec.latentDim,
    extraDim,
  };
}

export const PolicyArchitecture = z.object({
  actor: ActorSpec,
  encoder: EncoderSpec.optional(),
});
export type PolicyArchitecture = z.infer<typeof PolicyArchitecture>;

export interface GraphInput {
  name: 'obs' | 'image' | 'extra';
  /** Shape without the batch dimension. */
  shape: number[];
}

export type LayerDesc =
  | {
      kind: 'conv2d';
      name: string;
      filters: number;
      kernel: number;
      stride: number;
      padding: 'valid' | 'same';
      activation: Activation;
      /** [h, w, c] in and out. */
      inShape: [number, number, number];
      outShape: [number, number, number];
      /** Explicit [top, left, bottom, right] padding in pixels reproducing TF's 'same'/'valid'. */
      pads: [number, number, number, number];
    }
  | { kind: 'flatten'; name: string; inShape: [number, number, number]; outDim: number }
  | { kind: 'dense'; name: string; inDim: number; units: number; activation: Activation }
  | { kind: 'concat'; name: string; /** the other input, appended after the chain's value */ other: 'extra'; inDim: number; outDim: number };

/** One trainable tensor: which layer, which role, its shape in TF.js layout. */
export interface ParamDesc {
  layer: string;
  role: 'kernel' | 'bias';
  shape: number[];
  size: number;
}

export interface ArchitectureDesc {
  arch: PolicyArchitecture;
  inputs: GraphInput[];
  /** Applied in order to the first input; a concat layer appends `extra`. */
  layers: LayerDesc[];
  /** Every weight in order: encoder first, then the actor ([W0, b0, W1, b1, ...] as Mlp). */
  params: ParamDesc[];
  outputDim: number;
  /** Where the actor's params start in `params`. */
  actorParamOffset: number;
}

/** Output size of one spatial axis under TF padding semantics, and the padding it implies. */
function convAxis(inSize: number, k: number, s: number, padding: 'valid' | 'same'): { out: number; before: number; after: number } {
  if (padding === 'valid') {
    const out = Math.floor((inSize - k) / s) + 1;
    return { out, before: 0, after: 0 };
  }
  const out = Math.ceil(inSize / s);
  const total = Math.max((out - 1) * s + k - inSize, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

function param(layer: string, role: 'kernel' | 'bias', shape: number[]): ParamDesc {
  return { layer, role, shape, size: shape.reduce((a, b) => a * b, 1) };
}

/** Validates the architecture and lists its inputs, layers and weights. Throws ExportError('bad-input'). */
export function describeArchitecture(input: z.input<typeof PolicyArchitecture>): ArchitectureDesc {
  const parsed = PolicyArchitecture.safeParse(input);
  if (!parsed.success)
    throw new ExportError(
      'bad-input',
      `invalid policy architecture: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  const arch = parsed.data;
  const layers: LayerDesc[] = [];
  const params: ParamDesc[] = [];
  const inputs: GraphInput[] = [];
  let width: number;
  const enc = arch.encoder;
  if (enc) {
    inputs.push({ name: 'image', shape: [...enc.imageShape] });
    let [h, w, c] = enc.imageShape;
    enc.convs.forEach((cv, i) => {
      const name = `encoder_conv${i}`;
      const ay = convAxis(h, cv.kernel, cv.stride, cv.padding);
      const ax = convAxis(w, cv.kernel, cv.stride, cv.padding);
      if (ay.out < 1 || ax.out < 1)
        throw new ExportError('bad-input', `invalid policy architecture: ${name} (kernel ${cv.kernel}, stride ${cv.stride}) does not fit a ${h}x${w} input`);
      layers.push({
        kind: 'conv2d',
        name,
        filters: cv.filters,
        kernel: cv.kernel,
        stride: cv.stride,
        padding: cv.padding,
        activation: cv.activation,
        inShape: [h, w, c],
        outShape: [ay.out, ax.out, cv.filters],
        pads: [ay.before, ax.before, ay.after, ax.after],
      });
      params.push(param(name, 'kernel', [cv.kernel, cv.kernel, c, cv.filters]), param(name, 'bias', [cv.filters]));
      [h, w, c] = [ay.out, ax.out, cv.filters];
    });
    const flat = h * w * c;
    layers.push({ kind: 'flatten', name: 'encoder_flatten', inShape: [h, w, c], outDim: flat });
    layers.push({ kind: 'dense', name: 'encoder_latent', inDim: flat, units: enc.latentDim, activation: 'linear' });
    params.push(param('encoder_latent', 'kernel', [flat, enc.latentDim]), param('encoder_latent', 'bias', [enc.latentDim]));
    width = enc.latentDim;
    if (enc.extraDim > 0) {
      inputs.push({ name: 'extra', shape: [enc.extraDim] });
      layers.push({ kind: 'concat', name: 'concat_extra', other: 'extra', inDim: width, outDim: width + enc.extraDim });
      width += enc.extraDim;
    }
    if (width !== arch.actor.inputDim) {
      throw new ExportError(
        'bad-input',
        `invalid policy architecture: the actor takes ${arch.actor.inputDim} inputs but the encoder gives latent ${enc.latentDim} + extra ${enc.extraDim} = ${width}`,
      );
    }
  } else {
    inputs.push({ name: 'obs', shape: [arch.actor.inputDim] });
    width = arch.actor.inputDim;
  }
  const actorParamOffset = params.length;
  const dims = [arch.actor.inputDim, ...arch.actor.hidden, arch.actor.outputDim];
  for (let i = 0; i + 1 < dims.length; i++) {
    const name = `actor_dense${i}`;
    const last = i + 2 === dims.length;
    layers.push({ kind: 'dense', name, inDim: dims[i]!, units: dims[i + 1]!, activation: last ? arch.actor.outputActivation : 'relu' });
    params.push(param(name, 'kernel', [dims[i]!, dims[i + 1]!]), param(name, 'bias', [dims[i + 1]!]));
  }
  return { arch, inputs, layers, params, outputDim: arch.actor.outputDim, actorParamOffset };
}

/** Checks a weight list against the architecture: count, sizes, finiteness. Throws ExportError(code). */
export function checkWeights(desc: ArchitectureDesc, weights: readonly Float32Array[], code: 'bad-input' | 'mismatch' | 'corrupt', where: string): void {
  if (weights.length !== desc.params.length) throw new ExportError(code, `${where}: expected ${desc.params.length} weight tensors, got ${weights.length}`);
  desc.params.forEach((p, i) => {
    const w = weights[i]!;
    if (!(w instanceof Float32Array)) throw new ExportError(code, `${where}: weight ${p.layer}/${p.role} is not a Float32Array`);
    if (w.length !== p.size)
      throw new ExportError(code, `${where}: weight ${p.layer}/${p.role} has ${w.length} values, expected ${p.size} (shape [${p.shape.join(', ')}])`);
    for (let j = 0; j < w.length; j++) {
      if (!Number.isFinite(w[j]!)) throw new ExportError(code, `${where}: weight ${p.layer}/${p.role} has a non-finite value (${w[j]}) at index ${j}`);
    }
  });
}

/** Values per sample of each input, and of the output. */
export function inputSizes(desc: ArchitectureDesc): number[] {
  return desc.inputs.map((i) => i.shape.reduce((a, b) => a * b, 1));
}

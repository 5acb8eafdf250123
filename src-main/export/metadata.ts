/**
 * metadata.json of an export folder: what the policy takes and gives, how to scale its actions
 * to physical units, how observations are preprocessed, where it came from (env, algorithm,
 * config, evaluation), which formats are in the folder, the export-time verification result and
 * the sha256 of every other file. Loaders trust nothing in the folder that this file does not
 * describe and hash.
 */
import { z } from 'zod';
import { PolicyArchitecture, type ArchitectureDesc } from './architecture.js';
import { ExportError } from './errors.js';
import { headOutputDim, PolicyHead } from '../../src-shared/policy-head.js';

export const METADATA_FILE = 'metadata.json';
export const README_FILE = 'README.md';
export const EXPORT_FORMAT = 'drive-lab-policy' as const;
export const EXPORT_FORMAT_VERSION = 1;

/** A bound of a box space; null stands for an infinite bound (JSON has no Infinity). */
const Bound = z.number().nullable();

export const VectorSpace = z.object({
  shape: z.tuple([z.number().int().min(1)]),
  low: z.array(Bound),
  high: z.array(Bound),
  /** What each element is, with units, e.g. "angular velocity (rad/s)". */
  names: z.array(z.string()).optional(),
});
export type VectorSpace = z.infer<typeof VectorSpace>;

export const ImageSpec = z.object({
  height: z.number().int().min(1),
  width: z.number().int().min(1),
  channels: z.number().int().min(1).max(4),
  /** The layout of the `image` input: batch, height (top row first), width, channels. */
  layout: z.literal('NHWC'),
  channelOrder: z.enum(['RGB', 'BGR', 'GRAY', 'RGBA']),
  /** Pixel values the model takes. */
  range: z.tuple([z.literal(0), z.literal(1)]),
  /** How camera bytes become model input. */
  normalization: z.string(),
});
export type ImageSpec = z.infer<typeof ImageSpec>;

export const ObservationSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('vector'), space: VectorSpace }),
  z.object({ kind: z.literal('image'), image: ImageSpec, extra: VectorSpace.optional() }),
]);
export type ObservationSpec = z.infer<typeof ObservationSpec>;

/** One action dimension: the model's a in [-1, 1] maps to low + (a + 1) / 2 * (high - low). */
export const ActionScaling = z.object({
  name: z.string(),
  unit: z.string(),
  low: z.number(),
  high: z.number(),
});
export type ActionScaling = z.infer<typeof ActionScaling>;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const IoShape = z.array(z.union([z.number().int().min(1), z.literal('batch')]));

export const ExportMetadata = z.object({
  format: z.literal(EXPORT_FORMAT),
  formatVersion: z.number().int(),
  createdAt: z.string(),
  producer: z.object({ app: z.string(), version: z.string(), tfjs: z.string(), onnxruntime: z.string().optional() }),
  envId: z.string(),
  algo: z.string(),
  /** The run's config (as saved in its config.json), or null. */
  config: z.unknown(),
  /** The run's evaluation summary (e.g. its eval.json), or null. */
  evalSummary: z.unknown(),
  /** Where the weights came from (run id, checkpoint, step), free-form. */
  source: z.record(z.string(), z.unknown()).optional(),
  observation: ObservationSpec,
  action: z.object({
    dim: z.number().int().min(1),
    /** The model's output space; [-1, 1] per element for a tanh actor. */
    low: z.array(z.number()),
    high: z.array(z.number()),
    /** Per action element; a discrete policy (with `head`) has one: the index. */
    scaling: z.array(ActionScaling),
    formula: z.string(),
    /**
     * Discrete actions (the DQN family): the model outputs values per action (Q values, or C51
     * logits) and the action is the greedy index (src-shared/policy-head.ts); `dim`, `low` and
     * `high` then describe the model's outputs.
     */
    head: PolicyHead.optional(),
  }),
  preprocessing: z.record(z.string(), z.unknown()),
  architecture: PolicyArchitecture,
  io: z.object({
    inputs: z.array(z.object({ name: z.string(), shape: IoShape, dtype: z.literal('float32') })),
    output: z.object({ name: z.string(), shape: IoShape, dtype: z.literal('float32') }),
  }),
  formats: z.object({
    tfjs: z.object({ format: z.literal('layers-model'), modelFile: z.string(), weightsFile: z.string(), tfjsVersion: z.string() }).optional(),
    onnx: z.object({ file: z.string(), irVersion: z.number().int(), opset: z.number().int(), inputLayout: z.string() }).optional(),
  }),
  verification: z.object({
    samples: z.number().int(),
    seed: z.number().int(),
    tolerance: z.number(),
    /**
     * Max abs difference from the TF.js actor (reference forward pass) on the samples: of each
     * written format as loaded back, and of the in-memory Mlp when the export was made from one.
     */
    maxAbsDiff: z.object({ onnx: z.number().optional(), tfjs: z.number().optional(), actor: z.number().optional() }),
    inputSampling: z.string(),
  }),
  /** sha256 (hex) of every file in the folder except metadata.json itself. */
  files: z.record(z.string(), Sha256),
});
export type ExportMetadata = z.infer<typeof ExportMetadata>;

/** Number -> JSON bound (Infinity -> null). */
export function toBound(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** JSON bound -> number (null -> +-Infinity on the given side). */
export function fromBound(v: number | null, side: 'low' | 'high'): number {
  return v === null ? (side === 'low' ? -Infinity : Infinity) : v;
}

export function vectorSpace(low: ArrayLike<number>, high: ArrayLike<number>, names?: string[]): VectorSpace {
  if (low.length !== high.length) throw new ExportError('bad-input', 'observation space: low and high differ in length');
  return { shape: [low.length], low: Array.from(low, toBound), high: Array.from(high, toBound), ...(names ? { names } : {}) };
}

/**
 * Checks that the metadata agrees with itself: observation and action sizes against the
 * architecture, io names against the graph inputs. Throws ExportError(code).
 */
export function checkMetadataConsistency(
  meta: Omit<ExportMetadata, 'files' | 'verification' | 'formats' | 'io'>,
  desc: ArchitectureDesc,
  code: 'bad-input' | 'mismatch',
): void {
  const where = code === 'mismatch' ? `${METADATA_FILE}: ` : '';
  const obs = meta.observation;
  const checkSpace = (s: VectorSpace, n: number, what: string) => {
    if (s.shape[0] !== n || s.low.length !== n || s.high.length !== n)
      throw new ExportError(code, `${where}${what} has ${s.shape[0]} elements (low ${s.low.length}, high ${s.high.length}); the policy takes ${n}`);
    if (s.names && s.names.length !== n) throw new ExportError(code, `${where}${what} names ${s.names.length} elements; the policy takes ${n}`);
    for (let i = 0; i < n; i++) {
      const lo = fromBound(s.low[i]!, 'low');
      const hi = fromBound(s.high[i]!, 'high');
      if (!(lo <= hi)) throw new ExportError(code, `${where}${what} element ${i} has low ${lo} > high ${hi}`);
    }
  };
  if (obs.kind === 'vector') {
    if (desc.arch.encoder) throw new ExportError(code, `${where}vector observations, but the architecture has an image encoder`);
    checkSpace(obs.space, desc.arch.actor.inputDim, 'observation space');
  } else {
    const enc = desc.arch.encoder;
    if (!enc) throw new ExportError(code, `${where}image observations, but the architecture has no image encoder`);
    const [h, w, c] = enc.imageShape;
    if (obs.image.height !== h || obs.image.width !== w || obs.image.channels !== c) {
      throw new ExportError(code, `${where}image ${obs.image.height}x${obs.image.width}x${obs.image.channels}, but the encoder takes ${h}x${w}x${c}`);
    }
    if (enc.extraDim > 0) {
      if (!obs.extra) throw new ExportError(code, `${where}the encoder takes ${enc.extraDim} extra features but the observation declares none`);
      checkSpace(obs.extra, enc.extraDim, 'extra observation space');
    } else if (obs.extra) throw new ExportError(code, `${where}extra observation features declared but the encoder takes none`);
  }
  const n = desc.outputDim;
  const a = meta.action;
  const scaled = a.head ? 1 : n;
  if (a.dim !== n || a.low.length !== n || a.high.length !== n || a.scaling.length !== scaled) {
    throw new ExportError(
      code,
      `${where}the action has ${a.dim} elements (low ${a.low.length}, high ${a.high.length}, scaling ${a.scaling.length}); the policy outputs ${n}${a.head ? ' values and one action index' : ''}`,
    );
  }
  if (a.head && headOutputDim(a.head) !== n)
    throw new ExportError(code, `${where}the ${a.head.kind} head reads ${headOutputDim(a.head)} outputs; the policy outputs ${n}`);
  for (const s of a.scaling)
    if (!Number.isFinite(s.low) || !Number.isFinite(s.high) || s.low > s.high)
      throw new ExportError(code, `${where}action scaling "${s.name}" has a bad range [${s.low}, ${s.high}]`);
}

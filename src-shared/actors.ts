/**
 * What crosses between a run's learner and its actors, in one process (worker threads) or across
 * machines (Redis): transitions tagged with the weight version that produced them, versioned
 * weights, heartbeats, and the actors' state the app shows. Every message is validated with
 * these schemas on arrival; one of another run or config digest, or of a malformed shape, is
 * rejected and counted.
 */
import { z } from 'zod';
import { BYTE_TO_UNIT } from './util/pixels.js';

const Id = z.string().min(1).max(200);
/** A config digest (rl/train/run-state.ts configDigest). */
const Digest = z.string().regex(/^[0-9a-f]{16}$/);
const Count = z.number().int().min(0);
/** A typed array of this kind (on any buffer). */
const F32 = z.custom<Float32Array>((v) => v instanceof Float32Array, { message: 'expected a Float32Array' });
const F64 = z.custom<Float64Array>((v) => v instanceof Float64Array, { message: 'expected a Float64Array' });
const U8 = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected a Uint8Array' });

/** The end of an episode an actor played (numbers of the final step's info beside it). */
export const ActorEpisode = z.object({
  env: z.number().int().min(0).max(63),
  return: z.number(),
  length: z.number().int().min(1),
  info: z.record(z.string(), z.number()).optional(),
});
export type ActorEpisode = z.infer<typeof ActorEpisode>;

/**
 * Observation rows whose first `imageDim` values are camera pixels kept as bytes (the value is
 * byte / 255): `pixels` holds each row's imageDim bytes, `vec` each row's other rowDim - imageDim
 * values. The Redis transport decodes camera batches into this form, and the learner's replay
 * buffer stores it as it is (it keeps pixels as bytes too).
 */
export const PixelRows = z
  .object({
    rowDim: z.number().int().min(1),
    imageDim: z.number().int().min(1),
    pixels: U8,
    vec: F32,
  })
  .superRefine((r, ctx) => {
    const rows = r.pixels.length / r.imageDim;
    if (r.imageDim > r.rowDim || !Number.isInteger(rows) || r.vec.length !== rows * (r.rowDim - r.imageDim))
      ctx.addIssue({
        code: 'custom',
        message: `${r.pixels.length} pixel bytes and ${r.vec.length} values are not rows of ${r.imageDim} + ${r.rowDim - r.imageDim}`,
      });
  });
export type PixelRows = z.infer<typeof PixelRows>;

/** Observation rows as float32 values, or with their pixels as bytes. */
const ObsRows = z.union([F32, PixelRows]);
export type ObsRows = z.infer<typeof ObsRows>;

/** Values in these rows (rows x values per row). */
export function rowValues(r: ObsRows): number {
  return r instanceof Float32Array ? r.length : (r.pixels.length / r.imageDim) * r.rowDim;
}

/** The rows as float32 values (pixels byte / 255; a Float32Array is returned as it is). */
export function rowsAsFloats(r: ObsRows): Float32Array {
  if (r instanceof Float32Array) return r;
  const { rowDim, imageDim, pixels, vec } = r;
  const rows = pixels.length / imageDim;
  const vecDim = rowDim - imageDim;
  const out = new Float32Array(rows * rowDim);
  for (let i = 0; i < rows; i++) {
    const o = i * rowDim;
    const p = i * imageDim;
    for (let k = 0; k < imageDim; k++) out[o + k] = BYTE_TO_UNIT[pixels[p + k]!]!;
    out.set(vec.subarray(i * vecDim, (i + 1) * vecDim), o + imageDim);
  }
  return out;
}

/** `count` transitions of one actor, rows of its envs' observations, actions and so on. */
export const TransitionBatch = z
  .object({
    type: z.literal('transitions'),
    runId: Id,
    digest: Digest,
    /** The actor's id (new for every incarnation) and the slot it fills. */
    actor: Id,
    slot: z.number().int().min(0).max(4095),
    /** The weight version that chose these actions (0 = uniform random actions). */
    version: Count,
    seq: Count,
    count: z.number().int().min(1).max(65_536),
    obsDim: z.number().int().min(1),
    actDim: z.number().int().min(1),
    /** Per transition: the actor's env index. */
    env: U8,
    obs: ObsRows,
    actions: F32,
    rewards: F64,
    next: ObsRows,
    /** Per transition: bit 1 terminated, bit 2 truncated. */
    flags: U8,
    episodes: z.array(ActorEpisode).max(65_536),
    /** The actor's env steps per second lately. */
    stepsPerS: z.number().min(0),
  })
  .superRefine((b, ctx) => {
    const want: Array<[string, number, number]> = [
      ['env', b.env.length, b.count],
      ['obs', rowValues(b.obs), b.count * b.obsDim],
      ['actions', b.actions.length, b.count * b.actDim],
      ['rewards', b.rewards.length, b.count],
      ['next', rowValues(b.next), b.count * b.obsDim],
      ['flags', b.flags.length, b.count],
    ];
    for (const [name, got, n] of want) if (got !== n) ctx.addIssue({ code: 'custom', path: [name], message: `has ${got} values, expected ${n}` });
    for (const name of ['obs', 'next'] as const) {
      const r = b[name];
      if (!(r instanceof Float32Array) && r.rowDim !== b.obsDim)
        ctx.addIssue({ code: 'custom', path: [name], message: `rows of ${r.rowDim} values, expected ${b.obsDim}` });
    }
  });
export type TransitionBatch = z.infer<typeof TransitionBatch>;
/** A batch as an actor makes it: observations as float32 rows. */
export type FloatTransitionBatch = TransitionBatch & { obs: Float32Array; next: Float32Array };

/** Transition flag bits. */
export const TRANSITION_TERMINATED = 1;
export const TRANSITION_TRUNCATED = 2;

/** The actor's weights (and its image encoder's) at `version`; `random`: act uniformly at random (before learning starts). */
export const ActorWeights = z.object({
  type: z.literal('weights'),
  runId: Id,
  digest: Digest,
  version: Count,
  random: z.boolean(),
  actor: z.array(F32).min(1),
  encoder: z.array(F32).optional(),
});
export type ActorWeights = z.infer<typeof ActorWeights>;

export const ActorHeartbeat = z.object({
  type: z.literal('heartbeat'),
  runId: Id,
  digest: Digest,
  actor: Id,
  slot: z.number().int().min(0).max(4095),
  version: Count,
  steps: Count,
  stepsPerS: z.number().min(0),
  t: z.number(),
});
export type ActorHeartbeat = z.infer<typeof ActorHeartbeat>;

/** One actor as the learner sees it. */
export const ActorState = z.object({
  actor: Id,
  slot: z.number().int().min(0),
  /** Transitions the learner took from it. */
  steps: Count,
  stepsPerS: z.number().min(0),
  /** Learner weight version minus the version of its latest transitions. */
  versionLag: Count,
  /** Wall-clock ms of its latest message. */
  lastSeen: z.number(),
  alive: z.boolean(),
});
export type ActorState = z.infer<typeof ActorState>;

/** Messages the learner refused, by reason. */
export const RejectedCounts = z.object({ foreignRun: Count, foreignDigest: Count, malformed: Count });
export type RejectedCounts = z.infer<typeof RejectedCounts>;

/** The "actors" metric line a run in async mode writes beside each "train" line (the app's actors panel reads it). */
export const ActorsLine = z.object({
  kind: z.literal('actors'),
  step: z.number(),
  transport: z.enum(['inproc', 'redis']),
  version: Count,
  actors: z.array(ActorState),
  rejected: RejectedCounts,
});
export type ActorsLine = z.infer<typeof ActorsLine>;

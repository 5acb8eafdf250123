/**
 * What crosses between a run's learner and its actors, in one process (worker threads) or across
 * machines (Redis): transitions tagged with the weight version that produced them, versioned
 * weights, heartbeats, and the actors' state the app shows. Every message is validated with
 * these schemas on arrival; one of another run or config digest, or of a malformed shape, is
 * rejected and counted.
 */
import { z } from 'zod';

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
    obs: F32,
    actions: F32,
    rewards: F64,
    next: F32,
    /** Per transition: bit 1 terminated, bit 2 truncated. */
    flags: U8,
    episodes: z.array(ActorEpisode).max(65_536),
    /** The actor's env steps per second lately. */
    stepsPerS: z.number().min(0),
  })
  .superRefine((b, ctx) => {
    const want: Array<[string, number, number]> = [
      ['env', b.env.length, b.count],
      ['obs', b.obs.length, b.count * b.obsDim],
      ['actions', b.actions.length, b.count * b.actDim],
      ['rewards', b.rewards.length, b.count],
      ['next', b.next.length, b.count * b.obsDim],
      ['flags', b.flags.length, b.count],
    ];
    for (const [name, got, n] of want) if (got !== n) ctx.addIssue({ code: 'custom', path: [name], message: `has ${got} values, expected ${n}` });
  });
export type TransitionBatch = z.infer<typeof TransitionBatch>;

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

/**
 * What the rest of the house needs from a learning algorithm (the trainer, the live view,
 * checkpoints, policy snapshots and export): acting, one gradient step on a replay batch, its
 * statistics, its numbers as a snapshot, and the actor (and encoder) a policy is built from.
 * An algorithm is a folder under rl/algorithms/ with a factory in ./registry.ts.
 */
import type { Snapshot } from '../../core/snapshot.js';
import type { ConvEncoder, ConvEncoderSpec } from '../../ml/conv-encoder.js';
import type { Mlp } from '../../ml/mlp.js';
import type { ReplayBatch } from '../replay/replay-buffer.js';
import type { NoiseConfig } from '../../../src-shared/config/noise.js';
import type { ReplayConfig } from '../../../src-shared/config/replay.js';
import type { RunConfig } from '../../../src-shared/config/run-config.js';
import type { ActionSpace } from '../../sim/env.js';
import type { PolicyHead } from '../../../src-shared/policy-head.js';

/**
 * How the off-policy loop (rl/train/trainer.ts) feeds a learner, read from the algorithm's own
 * config block by the registry's `loopOf`: when learning starts, how often and how much it
 * trains, and what it replays.
 */
export interface OffPolicyLoop {
  /** Env steps of uniform random actions before the learner acts and trains. */
  learningStarts: number;
  batchSize: number;
  /** Env steps (per env) between training phases ("steps" schedule). */
  trainFreq: number;
  /** Updates per training phase; -1 = as many as env steps collected. */
  gradientSteps: number;
  /** "steps": every trainFreq vector steps; "episodes": after every finished episode. */
  trainSchedule: 'steps' | 'episodes';
  /** Replay capacity in transitions (never allocated beyond the run's totalSteps). */
  bufferSize: number;
  /** Discount of n-step and HER returns the replay computes. */
  gamma: number;
  replay: ReplayConfig;
  /** Exploration noise added to `act` (unused by learners that `explore` themselves). */
  noise: NoiseConfig;
}

/** Means over the updates since the last `takeStats`. */
export interface LearnerStats {
  /** Critic updates in the window. */
  updates: number;
  /** Actor updates in the window. */
  actorUpdates: number;
  /** Mean critic loss; NaN when no update happened. */
  criticLoss: number;
  /** Mean actor loss; null when the actor was not updated in the window. */
  actorLoss: number | null;
  /** Mean Q over sampled transitions. */
  qMean: number;
  /** False when any loss in the window was NaN or infinite. */
  finite: boolean;
}

export interface Learner {
  readonly name: string;
  /** Values per observation the learner takes (raw, through its own encoder when it has one). */
  readonly obsDim: number;
  readonly actDim: number;
  /** Gradient steps done. */
  readonly updates: number;
  /**
   * The deterministic actor (policy snapshots, export, parameter noise). For discrete-action
   * learners (the DQN family) it is the network whose outputs `policyHead` turns into the greedy
   * index (Q values, or C51 logits).
   */
  readonly actor: Mlp;
  /** How the actor's output becomes the action; absent: the output is the action (continuous actors). */
  readonly policyHead?: PolicyHead;
  /** The trainable conv encoder in front of the actor, when the learner has one. */
  readonly encoder: ConvEncoder | undefined;
  /** Starts the actor (and its target, if any) from these weights (a run started from an export). */
  initActor(weights: readonly Float32Array[]): void;
  /** Deterministic actions: [n * obsDim] -> [n * actDim] (a fresh array). */
  act(obs: Float32Array, n: number): Float32Array;
  /**
   * Exploratory actions the learner draws itself (a stochastic policy such as SAC's, or
   * epsilon-greedy) into `out` [n * actDim], from its own seeded stream so resumes stay exact.
   * `step` is the run's env steps before this one (schedules such as DQN's epsilon read it).
   * Absent: the trainer adds the loop's exploration noise to `act`.
   */
  explore?(obs: Float32Array, n: number, out: Float32Array, step?: number): void;
  /** The first critic's Q(s, a) for one observation (as `act` takes it) and action. */
  qValue(obs: Float32Array, action: Float32Array): number;
  /**
   * One gradient step. Learners that weigh samples read `batch.weights` (importance weights of
   * prioritized replay) and may return each sample's new priority (e.g. |TD error|), which the
   * trainer hands to the buffer's updatePriorities.
   */
  train(batch: ReplayBatch): void | Float32Array;
  /** Reads and resets the window statistics. */
  takeStats(): LearnerStats;
  /** True while every loss since the last `takeStats` was finite. */
  healthy(): boolean;
  /** Reseeds the learner's own random streams (after a divergence roll-back). */
  reseed(seed: number): void;
  /**
   * Everything that shapes the learner's numbers. Its arrays "actor.<i>" (and "encoder.<i>")
   * must be the actor's (and encoder's) weights in variable order: a full checkpoint keeps them
   * under "learner.", where rl/checkpoint/policy.ts reads a policy from.
   */
  snapshot(): Snapshot;
  restore(snap: Snapshot): void;
  dispose(): void;
}

/** The loop settings every replay-learning config block spells the same way. */
export interface ReplayLoopFields {
  learningStarts: number;
  batchSize: number;
  trainFreq: number;
  gradientSteps: number;
  trainSchedule?: 'steps' | 'episodes' | undefined;
  bufferSize: number;
  gamma: number;
  replay: ReplayConfig;
}

/** An algorithm block's loop: its fields, the "steps" schedule when it names none, and the exploration noise. */
export function replayLoop(c: ReplayLoopFields, noise: NoiseConfig): OffPolicyLoop {
  return {
    learningStarts: c.learningStarts,
    batchSize: c.batchSize,
    trainFreq: c.trainFreq,
    gradientSteps: c.gradientSteps,
    trainSchedule: c.trainSchedule ?? 'steps',
    bufferSize: c.bufferSize,
    gamma: c.gamma,
    replay: c.replay,
    noise,
  };
}

/** What a learner is built from (the trainer fills it from the run's config and envs). */
export interface LearnerInit {
  /** Observation (as the learner sees it) and action sizes. */
  spaces: { obsDim: number; actDim: number };
  /** The env's action space: decides a policy's kind (Gaussian or categorical); checked against the algorithm's. */
  actionSpace?: ActionSpace;
  config: RunConfig;
  /** Seeds of the network weights and of the learner's own random stream. */
  seeds: { networks: number; learner: number };
  /** A trainable conv encoder in front of the networks (image observations). */
  encoder?: { spec: ConvEncoderSpec; extraDim: number; weights?: readonly Float32Array[] };
  name?: string;
}

/**
 * One algorithm as the registry (./registry.ts) knows it; each algorithm folder exports its
 * entry (entry.ts), read from that algorithm's own config block.
 */
export interface AlgoEntry {
  /** The learner of a run. */
  make(init: LearnerInit): Learner;
  /** How the off-policy loop feeds it; undefined for on-policy algorithms (they collect rollouts: rl/train/rollout-loop.ts). */
  loop(config: RunConfig): OffPolicyLoop | undefined;
  /** The action spaces it handles. */
  actions: ReadonlyArray<ActionSpace['kind']>;
  /** The hidden layers of its actor and the config field that sets them (checks of exported actors a run starts from). */
  actorHidden(config: RunConfig): { field: string; hidden: readonly number[] };
}

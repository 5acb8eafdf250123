/** What a training run lets others plug in: per-step views, env wrappers, manual-driving interludes, tests' fault injection. */
import type { RunConfig } from '../../../src-shared/config/run-config.js';
import type { Env, EnvInfo } from '../../sim/env.js';
import type { Learner } from '../algorithms/learner.js';
import type { MlpSpec } from '../../ml/mlp.js';
import type { VecStepResult } from '../../sim/vec-env.js';
import type { TrainOutputs } from './types.js';

/** What one vector step did, for live views (the UI's "what the agent does"). Reused objects. */
export interface StepView {
  /** Env steps done after this vector step. */
  step: number;
  numEnvs: number;
  /** [numEnvs * obsDim] observations the actions were chosen in. */
  obs: Float32Array;
  /** [numEnvs * actDim] actions taken (after noise and clipping). */
  actions: Float32Array;
  rewards: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  /** [numEnvs * obsDim] current observations (the next episode's first one where an episode ended). */
  nextObs: Float32Array;
  /** Whether the actions came from the actor (false: uniform random warm-up). */
  fromActor: boolean;
  /** Per env: the info of this step (for an ended episode, its final step's info). */
  infos: readonly EnvInfo[];
  /** Per env: the ended episode's return and length (valid where terminated or truncated). */
  episodeReturns: Float64Array;
  episodeLengths: Int32Array;
  /** Episodes finished in the run after this step; ended episodes get ordinals in env order up to it. */
  episodes: number;
}

/** `TTrainer` is the Trainer (trainer.ts names it; this file stays below it, with no import cycle). */
export interface TrainHooks<TTrainer = unknown> {
  /** Called after every vector step. Keep it cheap: it runs on the training thread. */
  onStep?(view: StepView): void;
  /** Called after every gradient step; for on-policy learners after every rollout's update (tests use it to inject faults). */
  afterUpdate?(learner: Learner, updates: number): void;
  /** Builds the envs instead of the registry (tests, custom envs). */
  makeEnv?(config: RunConfig['env']): Env;
  /**
   * Called after every training phase that follows finished episodes (once per vector step in
   * which episodes ended, after their updates). `checkpoint` writes a full checkpoint now;
   * `finish` ends training as if totalSteps were reached (final evaluation, checkpoint, finished).
   */
  afterEpisode?(trainer: TTrainer): { checkpoint?: boolean; finish?: boolean } | void;
  /**
   * Where a fresh start (no checkpoint) cuts metrics.jsonl and events.jsonl (default 0 = empty
   * them): a pipeline that wrote lines before this trainer started keeps them.
   */
  freshLogOffsets?: { metrics: number; events: number };
  /** Wraps training env `index` after it is built (the live view taps env steps through it). */
  wrapEnv?(env: Env, index: number): Env;
  /** Reads an exported policy for `initPolicy` (the worker supplies export/load.ts). */
  loadInitPolicy?(dir: string): Promise<InitPolicy>;
  /**
   * Asked at the top of every loop pass and when a paused run is woken: a promise means "run
   * this first" (manual driving); the loop awaits it, then goes on where it was.
   */
  interlude?(): Promise<void> | undefined;
}

/** An exported actor to start a fresh run from (`initPolicy`). */
export interface InitPolicy {
  envId: string;
  actor: { spec: MlpSpec; weights: Float32Array[] };
  /** True when the export has a camera encoder in front of the actor. */
  hasEncoder: boolean;
  /** Which of the export's formats was read. */
  from: string;
}

/** A StepView over the trainer's own arrays (observations, actions, next observations), reused every step. */
export function newStepView(numEnvs: number, obs: Float32Array, actions: Float32Array, nextObs: Float32Array): StepView {
  return {
    step: 0,
    numEnvs,
    obs,
    actions,
    rewards: new Float64Array(numEnvs),
    terminated: new Uint8Array(numEnvs),
    truncated: new Uint8Array(numEnvs),
    nextObs,
    fromActor: false,
    infos: [],
    episodeReturns: new Float64Array(numEnvs),
    episodeLengths: new Int32Array(numEnvs),
    episodes: 0,
  };
}

/** Copies one vector step's results into `view` (no allocation) and returns it. */
export function fillStepView(view: StepView, res: VecStepResult, step: number, fromActor: boolean, episodes: number): StepView {
  view.step = step;
  view.fromActor = fromActor;
  view.rewards.set(res.rewards);
  view.terminated.set(res.terminated);
  view.truncated.set(res.truncated);
  view.infos = res.infos;
  view.episodeReturns.set(res.episodeReturns);
  view.episodeLengths.set(res.episodeLengths);
  view.episodes = episodes;
  return view;
}

/**
 * Sends the env events of one step (`info.events`, e.g. disengagements) as run events; `episode`
 * is the ordinal the episode gets when it ends (events that end one come on its last step).
 */
export function forwardEnvEvents(out: TrainOutputs, info: EnvInfo, step: number, env: number, episode: number): void {
  const events = info.events;
  if (!Array.isArray(events)) return;
  for (const ev of events) {
    if (ev && typeof ev === 'object' && typeof (ev as { kind?: unknown }).kind === 'string') {
      out.event({ ...(ev as Record<string, unknown>), kind: (ev as { kind: string }).kind, step, t: Date.now(), env, episode });
    }
  }
}

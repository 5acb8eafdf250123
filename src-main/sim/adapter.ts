/**
 * One adapter per simulator, registered by env id in ./registry.ts: everything the rest of the
 * house needs to know about an env beyond the Env interface (make it, evaluate a policy on it
 * with its own protocol, draw it in the live view, drive it by hand, the image layout of its
 * camera observation, its 3D scene, its export description). Generic code asks the adapter
 * instead of testing env ids or classes; only sim/ knows the simulators.
 */
import type { EnvConfig } from '../../src-shared/config/envs/index.js';
import type { LaneVaeObsConfig } from '../../src-shared/config/envs/lane.js';
import type { LivePose, TrackKind } from '../../src-shared/live.js';
import type { Env, EnvInfo } from './env.js';
import type { LaneManualDriving } from './lane/manual-driving.js';

/** A deterministic policy on a batch of raw observations: [n * obsDim] -> [n * actDim]. */
export type BatchPolicy = (obs: Float32Array, n: number) => Float32Array;

/** A scripted controller on one raw observation: writes its action ([-1, 1]) into `out`. */
export type ScriptedController = (obs: Float32Array, out: Float32Array) => void;

/** What an evaluation reports (the "eval" metric line and eval.json). */
export interface EvalResult {
  episodes: number;
  mean_return: number;
  /** Population standard deviation (as NumPy's np.std, which Stable-Baselines3 reports). */
  std_return: number;
  returns: number[];
  lengths: number[];
  seeds: number[];
  /** Means of the numeric per-episode stats the env reports in its final step's `info.episode`. */
  episodeStats: Record<string, number>;
  /** Protocol-specific details (the lane evaluation's per-route results), saved in eval.json. */
  protocol?: Record<string, unknown>;
}

/** Numeric fields of `info.episode` (what envs report about a finished episode). */
export function episodeInfoNumbers(info: EnvInfo): Record<string, number> {
  const ep = info.episode;
  const out: Record<string, number> = {};
  if (ep && typeof ep === 'object' && !Array.isArray(ep)) {
    for (const [k, v] of Object.entries(ep as Record<string, unknown>)) {
      if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
      else if (typeof v === 'boolean') out[k] = v ? 1 : 0;
    }
  }
  return out;
}

/** What the live view and the episode recorder read from an env. */
export interface EnvView {
  kind: TrackKind;
  /** Column names of a track row (the action columns at the end). */
  columns: string[];
  /** Seconds per env step. */
  dt: number;
  /** Seed shown in the episode list: the lane's road seed, else the episode seed. */
  seed(episodeSeed: number): number;
  /** Writes one row: `t` is the episode's simulated time (s). */
  writeRow(out: Float32Array, off: number, t: number, action: Float32Array): void;
  /** The pose for a `run.frame` (allocates; called at frame rate). */
  pose(): LivePose;
  /** The driver camera's RGB image, for envs with a camera. */
  camera(): { width: number; height: number; rgb: Uint8Array } | undefined;
}

/**
 * A camera observation read through a conv encoder (lane obs "vae"): the image size, the
 * vector features after the image, and the encoder options.
 */
export interface EncodedImageObs {
  height: number;
  width: number;
  channels: number;
  /** Vector features after the image. */
  extraDim: number;
  /** Their names (export metadata). */
  extraNames: readonly string[];
  vae: LaneVaeObsConfig;
}

/** How a [-1, 1] action maps to physical units (export metadata). */
export interface ActionUnit {
  name: string;
  unit: string;
  low: number;
  high: number;
}

/** Manual driving (takeover in the live view): the simulator the user steers. */
export type ManualDriving = LaneManualDriving;

/** Options of an env's own evaluation protocol. */
export interface ProtocolOptions {
  /** Held-out episodes (routes) to evaluate on, when `seeds` is absent. */
  episodes: number;
  /** The episodes' seeds (default: the protocol's held-out ones). */
  seeds?: readonly number[];
  /** Length of a protocol episode (lane: the route, m), where the protocol has one. */
  lengthM?: number;
  /** Called after each episode. */
  onEpisode?(done: number, total: number): void;
}

export interface EnvAdapter<C extends EnvConfig = EnvConfig> {
  make(config: C): Env;
  /**
   * The env's own evaluation protocol of a deterministic policy over `episodes` held-out
   * episodes; absent: the generic one (one episode per held-out seed, rl/train/evaluate.ts).
   */
  evaluate?(policy: BatchPolicy, config: C, options: ProtocolOptions): EvalResult;
  /** That protocol's result as a command-line report (JSON fields and text lines). */
  reportEval?(result: EvalResult): { json: Record<string, unknown>; lines: string[] };
  /** The live view of a simulator this adapter built (undefined: not drawn). */
  view(env: Env): EnvView | undefined;
  /** The encoder-read camera observation the config asks for, if any. */
  encodedImageObs?(config: C): EncodedImageObs | undefined;
  /** The simulator as something a user can drive, when it can be. */
  manual?(env: Env): ManualDriving | undefined;
  /** The static 3D scene of episode `seed` (the 3D view). */
  scene?(seed: number, config: Record<string, unknown>): unknown;
  /** The actions' physical units (export metadata of camera policies). */
  actionUnits?(config: C, actDim: number): ActionUnit[];
  /** A scripted (not learned) controller on the raw observation, where the env has one (exploration with demonstrations). */
  scripted?(config: C): ScriptedController | undefined;
}

/**
 * A vectorized wrapper: steps N envs with one call, resets each automatically when its episode
 * ends (Gymnasium's autoreset: the final observation is handed back separately and `obs` already
 * holds the next episode's first observation), and keeps per-episode return and length.
 *
 * Every episode starts with reset(seed), the seed drawn from a per-env seed stream derived from
 * the run seed, and the actions of the episode in progress are recorded. A checkpoint stores the
 * seed and those actions; restoring replays them, which rebuilds the env's exact state for any
 * deterministic env without the env having to serialize itself.
 */
import { Rng } from '../core/rng.js';
import { requireArray, rngFromJson, rngToJson, type RngJson, type Snapshot, type SnapshotArray } from '../core/snapshot.js';
import type { Env, EnvInfo, ResetResult, StepResult } from './env.js';

/** Training episode seeds live in [0, 2^30); evaluation seeds at 2^30 and above (see train/seeds.ts). */
export const TRAIN_SEED_MASK = 0x3fffffff;

/** What a step of N envs returns, in thread (VecEnv) or across workers (WorkerVecEnv). */
export interface VecStepCore {
  /** [numEnvs] */
  rewards: Float64Array;
  /** [numEnvs] 1 where the episode reached a terminal state this step. */
  terminated: Uint8Array;
  /** [numEnvs] 1 where the episode was cut by a limit this step. */
  truncated: Uint8Array;
  /** Per env: the info of this step (for an ended episode, the final step's info). */
  infos: EnvInfo[];
}

export interface VecStepResult extends VecStepCore {
  /** [numEnvs * obsDim] rows of envs whose episode ended: its final observation (before reset). */
  finalObs: Float32Array;
  /** Per env: the ended episode's return (valid where an episode ended). */
  episodeReturns: Float64Array;
  /** Per env: the ended episode's length (valid where an episode ended). */
  episodeLengths: Int32Array;
}

/** Where one env's observation rows live: `obs` and `finalObs` at `offset`, `dim` values each. */
export interface ObsRows {
  obs: Float32Array;
  finalObs: Float32Array;
  offset: number;
  dim: number;
}

/**
 * Steps one env with Gymnasium's same-step autoreset, the step both VecEnvs take per env: the
 * step's observation goes to its row of `obs`; where the episode ended, it goes to `finalObs`
 * instead, `startNext` (given the ended episode's last step) starts the next episode and its
 * first observation goes to `obs`.
 */
export function stepWithAutoreset(
  env: Env,
  action: Float32Array,
  rows: ObsRows,
  startNext: (last: StepResult) => ResetResult,
): { step: StepResult; next?: ResetResult } {
  const step = env.step(action);
  const { offset, dim } = rows;
  if (!step.terminated && !step.truncated) {
    rows.obs.set(step.obs.subarray(0, dim), offset);
    return { step };
  }
  rows.finalObs.set(step.obs.subarray(0, dim), offset);
  const next = startNext(step);
  rows.obs.set(next.obs.subarray(0, dim), offset);
  return { step, next };
}

/** Flat size of a space's shape. */
function flatSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * What both VecEnvs (in thread: VecEnv; across worker threads: WorkerVecEnv) hold: their sizes,
 * and the per-env arrays every step fills and returns (overwritten by the next step).
 */
export abstract class VecEnvCore {
  protected readonly stepped: VecStepCore;

  protected constructor(
    readonly numEnvs: number,
    readonly obsDim: number,
    readonly actDim: number,
    rewards: Float64Array = new Float64Array(numEnvs),
  ) {
    this.stepped = { rewards, terminated: new Uint8Array(numEnvs), truncated: new Uint8Array(numEnvs), infos: Array.from({ length: numEnvs }, () => ({})) };
  }
}

/** The flat observation and action sizes all `envs` share. */
function sharedSizes(envs: readonly Env[]): { obsDim: number; actDim: number } {
  if (envs.length === 0) throw new Error('VecEnv needs at least one env');
  const obsDim = flatSize(envs[0]!.observationSpace.shape);
  const actDim = flatSize(envs[0]!.actionSpace.shape);
  for (const e of envs) {
    if (flatSize(e.observationSpace.shape) !== obsDim || flatSize(e.actionSpace.shape) !== actDim)
      throw new Error('VecEnv: all envs must have the same spaces');
  }
  return { obsDim, actDim };
}

interface VecEnvJson {
  numEnvs: number;
  obsDim: number;
  actDim: number;
  seedRngs: RngJson[];
  episodeSeeds: number[];
  episodeReturns: number[];
  episodeLengths: number[];
  started: boolean;
}

export class VecEnv extends VecEnvCore {
  /** [numEnvs * obsDim] current observation of every env (after auto-reset). */
  readonly obs: Float32Array;
  private readonly seedRngs: Rng[];
  private readonly episodeSeeds: number[];
  private readonly epReturn: Float64Array;
  private readonly epLength: Int32Array;
  /** Actions of the episode in progress, per env (grown by doubling). */
  private recorded: Float32Array[];
  private readonly actScratch: Float32Array;
  private readonly result: VecStepResult;
  private started = false;

  constructor(
    readonly envs: Env[],
    seed: number,
  ) {
    const { obsDim, actDim } = sharedSizes(envs);
    super(envs.length, obsDim, actDim);
    const master = new Rng(seed);
    this.seedRngs = envs.map(() => master.fork());
    this.episodeSeeds = envs.map(() => 0);
    this.obs = new Float32Array(this.numEnvs * this.obsDim);
    this.epReturn = new Float64Array(this.numEnvs);
    this.epLength = new Int32Array(this.numEnvs);
    this.recorded = envs.map(() => new Float32Array(64 * this.actDim));
    this.actScratch = new Float32Array(this.actDim);
    this.result = {
      ...this.stepped,
      finalObs: new Float32Array(this.numEnvs * this.obsDim),
      episodeReturns: new Float64Array(this.numEnvs),
      episodeLengths: new Int32Array(this.numEnvs),
    };
  }

  /** Starts an episode in every env. Returns `obs`. */
  reset(): Float32Array {
    for (let i = 0; i < this.numEnvs; i++) this.resetOne(i);
    this.started = true;
    return this.obs;
  }

  /** The seed the episode in progress of env `i` started from. */
  episodeSeed(i: number): number {
    return this.episodeSeeds[i]!;
  }

  /** Return so far of the episode in progress of env `i`. */
  episodeReturn(i: number): number {
    return this.epReturn[i]!;
  }

  /** Length so far of the episode in progress of env `i`. */
  episodeLength(i: number): number {
    return this.epLength[i]!;
  }

  /**
   * Ends env `i`'s episode from outside (the user took the wheel) and starts the next one from
   * its seed stream, as an auto-reset would. Its row of `obs` holds the new first observation.
   */
  restart(i: number): EnvInfo {
    return this.resetOne(i);
  }

  private resetOne(i: number): EnvInfo {
    const r = this.startEpisode(i);
    this.obs.set(r.obs.subarray(0, this.obsDim), i * this.obsDim);
    return r.info;
  }

  /** Resets env `i` with the next seed of its stream and zeroes its episode counters. */
  private startEpisode(i: number): ResetResult {
    const seed = this.seedRngs[i]!.nextU32() & TRAIN_SEED_MASK;
    this.episodeSeeds[i] = seed;
    this.epReturn[i] = 0;
    this.epLength[i] = 0;
    return this.envs[i]!.reset(seed);
  }

  /**
   * Steps every env with its row of `actions` [numEnvs * actDim]. The result object is reused by
   * the next call.
   */
  step(actions: Float32Array): VecStepResult {
    if (!this.started) throw new Error('VecEnv.step before reset');
    const { obsDim: od, actDim: ad } = this;
    const res = this.result;
    const rows: ObsRows = { obs: this.obs, finalObs: res.finalObs, offset: 0, dim: od };
    for (let i = 0; i < this.numEnvs; i++) {
      this.record(i, actions, i * ad);
      this.actScratch.set(actions.subarray(i * ad, (i + 1) * ad));
      rows.offset = i * od;
      const { step: r } = stepWithAutoreset(this.envs[i]!, this.actScratch, rows, (last) => {
        // The ended episode's totals, taken before the next episode zeroes them.
        this.count(i, last.reward);
        res.episodeReturns[i] = this.epReturn[i]!;
        res.episodeLengths[i] = this.epLength[i]!;
        return this.startEpisode(i);
      });
      if (!r.terminated && !r.truncated) this.count(i, r.reward);
      res.rewards[i] = r.reward;
      res.terminated[i] = r.terminated ? 1 : 0;
      res.truncated[i] = r.truncated ? 1 : 0;
      res.infos[i] = r.info;
    }
    return res;
  }

  /** Adds a step to env `i`'s episode in progress. */
  private count(i: number, reward: number): void {
    this.epReturn[i] = this.epReturn[i]! + reward;
    this.epLength[i] = this.epLength[i]! + 1;
  }

  private record(i: number, actions: Float32Array, offset: number): void {
    const ad = this.actDim;
    const at = this.epLength[i]! * ad;
    let buf = this.recorded[i]!;
    if (at + ad > buf.length) {
      const grown = new Float32Array(buf.length * 2);
      grown.set(buf);
      this.recorded[i] = buf = grown;
    }
    buf.set(actions.subarray(offset, offset + ad), at);
  }

  snapshot(): Snapshot<VecEnvJson> {
    const arrays: Record<string, SnapshotArray> = { obs: this.obs.slice() };
    for (let i = 0; i < this.numEnvs; i++) arrays[`actions${i}`] = this.recorded[i]!.slice(0, this.epLength[i]! * this.actDim);
    return {
      json: {
        numEnvs: this.numEnvs,
        obsDim: this.obsDim,
        actDim: this.actDim,
        seedRngs: this.seedRngs.map(rngToJson),
        episodeSeeds: [...this.episodeSeeds],
        episodeReturns: Array.from(this.epReturn),
        episodeLengths: Array.from(this.epLength),
        started: this.started,
      },
      arrays,
    };
  }

  /**
   * Rebuilds the episodes in progress by replaying their recorded actions from their seeds.
   * Returns the indices of envs whose replay did not reproduce the saved observation (a
   * non-deterministic env); those start a fresh episode instead.
   */
  restore(snap: Snapshot): number[] {
    const j = snap.json as VecEnvJson;
    if (j.numEnvs !== this.numEnvs || j.obsDim !== this.obsDim || j.actDim !== this.actDim) {
      throw new Error(`checkpoint has ${j.numEnvs} envs of ${j.obsDim}/${j.actDim}, this run has ${this.numEnvs} of ${this.obsDim}/${this.actDim}`);
    }
    const savedObs = requireArray(snap.arrays, 'obs', Float32Array, this.obs.length);
    const mismatched: number[] = [];
    this.started = j.started;
    for (let i = 0; i < this.numEnvs; i++) {
      rngFromJson(this.seedRngs[i]!, j.seedRngs[i]!);
      this.episodeSeeds[i] = j.episodeSeeds[i]!;
      if (!j.started) continue;
      const len = j.episodeLengths[i]!;
      const actions = requireArray(snap.arrays, `actions${i}`, Float32Array, len * this.actDim);
      const env = this.envs[i]!;
      let obs = env.reset(j.episodeSeeds[i]).obs;
      for (let t = 0; t < len; t++) {
        this.actScratch.set(actions.subarray(t * this.actDim, (t + 1) * this.actDim));
        obs = env.step(this.actScratch).obs;
      }
      let same = true;
      for (let k = 0; k < this.obsDim; k++) if (!Object.is(obs[k], savedObs[i * this.obsDim + k])) same = false;
      if (same) {
        this.obs.set(obs.subarray(0, this.obsDim), i * this.obsDim);
        this.epReturn[i] = j.episodeReturns[i]!;
        this.epLength[i] = len;
        if (this.recorded[i]!.length < actions.length) this.recorded[i] = new Float32Array(Math.max(64, actions.length * 2));
        this.recorded[i]!.set(actions);
      } else {
        mismatched.push(i);
        this.resetOne(i);
      }
    }
    return mismatched;
  }
}

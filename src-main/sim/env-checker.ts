/**
 * An env checker, after Gymnasium's `check_env`: runs an env through reset and step and throws an
 * EnvCheckError naming the first thing that breaks the Env contract (env.ts):
 * - spaces: box spaces with a positive integer shape whose size matches float32 low/high, no NaN
 *   bound, low <= high; the action space [-1, 1]^n; imageLayout and controlDtS consistent;
 * - reset(seed) returns { obs, info } with a float32 obs of the space's length inside its bounds
 *   and an info object; reset() without a seed does as well;
 * - determinism: reset with the same seed gives the same first observation, and the same actions
 *   then give the same observations, rewards and flags;
 * - step(action) returns { obs, reward, terminated, truncated, info }: obs as for reset, reward a
 *   finite number, terminated and truncated booleans, info an object; actions outside [-1, 1]
 *   are accepted (the interface says envs clip them);
 * - a step after an episode ended without reset does what the env documents (options.afterEnd):
 *   every env here continues from its final state and keeps returning valid results.
 * Observations are copied where they are kept: envs own and overwrite their obs arrays.
 */
import { Rng } from '../core/rng.js';
import type { BoxSpace, Env, StepResult } from './env.js';

export class EnvCheckError extends Error {
  constructor(envId: string, message: string) {
    super(`checkEnv(${envId}): ${message}`);
    this.name = 'EnvCheckError';
  }
}

export interface CheckEnvOptions {
  /** Seed of the determinism check and of the random actions (default 0). */
  seed?: number;
  /** Steps compared in the determinism check (default 20). */
  compareSteps?: number;
  /**
   * Steps with random actions within which an episode must end (default 5000): the checker then
   * steps past the end. Give the env a short time limit to keep the check quick.
   */
  maxSteps?: number;
  /** Steps taken after the episode's end without reset (default 3). */
  stepsAfterEnd?: number;
  /**
   * What step() after an episode ended without reset does, as the env documents: "continues"
   * (default; valid results from the ended state, no automatic reset) or "throws" (an Error).
   */
  afterEnd?: 'continues' | 'throws';
  /** Options passed to every reset (env-specific, e.g. an exact initial state). */
  resetOptions?: Record<string, unknown>;
}

/** What the check saw (for tests and logs). */
export interface CheckEnvReport {
  obsDim: number;
  actDim: number;
  /** Steps taken until the first episode ended, and whether it was terminated or truncated. */
  episodeSteps: number;
  endedBy: 'terminated' | 'truncated';
}

export function checkEnv(env: Env, options: CheckEnvOptions = {}): CheckEnvReport {
  const id = typeof env.id === 'string' && env.id ? env.id : '<no id>';
  const fail = (message: string): never => {
    throw new EnvCheckError(id, message);
  };
  if (typeof env.id !== 'string' || !env.id) fail('env.id must be a non-empty string');
  const seed = options.seed ?? 0;
  const compareSteps = options.compareSteps ?? 20;
  const maxSteps = options.maxSteps ?? 5000;
  const stepsAfterEnd = options.stepsAfterEnd ?? 3;
  const afterEnd = options.afterEnd ?? 'continues';
  const resetOptions = options.resetOptions;

  const obsDim = checkSpace(env.observationSpace, 'observationSpace', fail);
  const space = env.actionSpace;
  let actDim = 1;
  let choices = 0;
  if (typeof space === 'object' && space !== null && space.kind === 'discrete') {
    if (!Number.isInteger(space.n) || space.n < 2) fail(`actionSpace.n must be an integer >= 2 (got ${describe(space.n)})`);
    if (space.shape.length !== 1 || space.shape[0] !== 1) fail(`a discrete actionSpace must have shape [1] (got [${space.shape.join(', ')}])`);
    choices = space.n;
  } else {
    actDim = checkSpace(space, 'actionSpace', fail);
    for (let i = 0; i < actDim; i++) {
      if (space.low[i] !== -1 || space.high[i] !== 1) fail(`actionSpace must be [-1, 1]^n (element ${i} is [${space.low[i]}, ${space.high[i]}])`);
    }
  }
  const randomAction = (rng: Rng, n: number, t: number): Float32Array => (choices > 0 ? randomChoice(rng, choices) : randomBoxAction(rng, n, t));
  const layout = env.imageLayout;
  if (layout !== undefined) {
    const parts = [layout.height, layout.width, layout.channels, layout.extraDim];
    if (!parts.every((v) => Number.isInteger(v) && v >= 0) || layout.height < 1 || layout.width < 1 || layout.channels < 1)
      fail(`imageLayout must have positive integer height, width, channels and an integer extraDim >= 0 (got ${JSON.stringify(layout)})`);
    const n = layout.height * layout.width * layout.channels + layout.extraDim;
    if (n !== obsDim) fail(`imageLayout covers ${n} values but observationSpace has ${obsDim}`);
  }
  if (env.controlDtS !== undefined && !(Number.isFinite(env.controlDtS) && env.controlDtS > 0))
    fail(`controlDtS must be a positive finite number of seconds (got ${env.controlDtS})`);
  if (typeof env.reset !== 'function' || typeof env.step !== 'function') fail('reset and step must be functions');

  const checkObs = (obs: unknown, where: string): Float32Array => {
    if (!(obs instanceof Float32Array)) return fail(`${where}: obs must be a Float32Array (got ${describe(obs)})`);
    if (obs.length !== obsDim) fail(`${where}: obs has ${obs.length} values, observationSpace has ${obsDim}`);
    const { low, high } = env.observationSpace;
    for (let i = 0; i < obsDim; i++) {
      const v = obs[i]!;
      if (!(v >= low[i]! && v <= high[i]!)) fail(`${where}: obs[${i}] = ${v} is outside the observation space [${low[i]}, ${high[i]}]`);
    }
    if (layout !== undefined) {
      const nPix = layout.height * layout.width * layout.channels;
      for (let i = 0; i < nPix; i++) if (!(obs[i]! >= 0 && obs[i]! <= 1)) fail(`${where}: image value obs[${i}] = ${obs[i]} is outside [0, 1]`);
    }
    return obs;
  };
  const checkInfo = (info: unknown, where: string): void => {
    if (typeof info !== 'object' || info === null || Array.isArray(info)) fail(`${where}: info must be an object (got ${describe(info)})`);
  };
  const reset = (s: number | undefined, where: string): Float32Array => {
    const r: unknown = env.reset(s, resetOptions);
    if (typeof r !== 'object' || r === null || !('obs' in r) || !('info' in r)) return fail(`${where}: reset must return { obs, info } (got ${describe(r)})`);
    const out = r as { obs: unknown; info: unknown };
    const obs = checkObs(out.obs, where);
    checkInfo(out.info, where);
    return obs.slice();
  };
  const step = (action: Float32Array, where: string): StepResult => {
    const r: unknown = env.step(action);
    if (typeof r !== 'object' || r === null) return fail(`${where}: step must return { obs, reward, terminated, truncated, info } (got ${describe(r)})`);
    const out = r as Record<string, unknown>;
    for (const k of ['obs', 'reward', 'terminated', 'truncated', 'info']) if (!(k in out)) fail(`${where}: step result has no "${k}"`);
    const obs = checkObs(out.obs, where);
    if (typeof out.reward !== 'number' || !Number.isFinite(out.reward)) fail(`${where}: reward must be a finite number (got ${describe(out.reward)})`);
    if (typeof out.terminated !== 'boolean') fail(`${where}: terminated must be a boolean (got ${describe(out.terminated)})`);
    if (typeof out.truncated !== 'boolean') fail(`${where}: truncated must be a boolean (got ${describe(out.truncated)})`);
    checkInfo(out.info, where);
    return {
      obs: obs.slice(),
      reward: out.reward as number,
      terminated: out.terminated as boolean,
      truncated: out.truncated as boolean,
      info: out.info as Record<string, unknown>,
    };
  };

  // Determinism: the same seed and actions give the same start and the same steps.
  const rng = new Rng(seed);
  const actions: Float32Array[] = [];
  for (let t = 0; t < compareSteps; t++) actions.push(randomAction(rng, actDim, t));
  const run = (label: string): { first: Float32Array; steps: StepResult[] } => {
    const first = reset(seed, `reset(${seed}) (${label})`);
    const steps: StepResult[] = [];
    for (let t = 0; t < compareSteps; t++) {
      const r = step(actions[t]!.slice(), `step ${t + 1} after reset(${seed}) (${label})`);
      steps.push(r);
      if (r.terminated || r.truncated) break;
    }
    return { first, steps };
  };
  const a = run('first run');
  const b = run('second run');
  const firstDiff = diffIndex(a.first, b.first);
  if (firstDiff >= 0)
    fail(
      `reset(${seed}) twice gave different first observations (obs[${firstDiff}]: ${a.first[firstDiff]} vs ${b.first[firstDiff]}); the same seed must give the same episode`,
    );
  if (a.steps.length !== b.steps.length) fail(`the same seed and actions ended the episode after ${a.steps.length} and ${b.steps.length} steps`);
  for (let t = 0; t < a.steps.length; t++) {
    const x = a.steps[t]!;
    const y = b.steps[t]!;
    const d = diffIndex(x.obs, y.obs);
    if (d >= 0) fail(`the same seed and actions gave different observations at step ${t + 1} (obs[${d}]: ${x.obs[d]} vs ${y.obs[d]})`);
    if (!Object.is(x.reward, y.reward) || x.terminated !== y.terminated || x.truncated !== y.truncated)
      fail(`the same seed and actions gave different reward or flags at step ${t + 1}`);
  }

  // A reset without a seed, then random actions (some outside [-1, 1]) until an episode ends.
  reset(undefined, 'reset() without a seed');
  let episodeSteps = 0;
  let ended: StepResult | undefined;
  while (episodeSteps < maxSteps) {
    const action = randomAction(rng, actDim, episodeSteps);
    episodeSteps++;
    ended = step(action, `step ${episodeSteps} of a random episode`);
    if (ended.terminated || ended.truncated) break;
  }
  if (!ended || !(ended.terminated || ended.truncated))
    return fail(`no episode ended within ${maxSteps} random steps: give the env a shorter time limit or raise options.maxSteps`);

  // Stepping on without reset.
  for (let k = 1; k <= stepsAfterEnd; k++) {
    const where = `step ${k} after the episode ended without reset`;
    const action = randomAction(rng, actDim, k);
    if (afterEnd === 'throws') {
      let threw = false;
      try {
        env.step(action);
      } catch (e) {
        threw = true;
        if (!(e instanceof Error) || !e.message) fail(`${where}: threw ${describe(e)}, not an Error with a message`);
      }
      if (!threw) fail(`${where}: the env documents that it throws, but it returned`);
    } else {
      try {
        step(action, where);
      } catch (e) {
        if (e instanceof EnvCheckError) throw e;
        fail(`${where}: the env documents that it continues, but it threw: ${e instanceof Error ? e.message : describe(e)}`);
      }
    }
  }
  // And a reset brings it back.
  reset(seed, 'reset after the ended episode');
  return { obsDim, actDim, episodeSteps, endedBy: ended.terminated ? 'terminated' : 'truncated' };
}

/** Checks a box space and returns its size. */
function checkSpace(space: BoxSpace | undefined, name: string, fail: (m: string) => never): number {
  if (typeof space !== 'object' || space === null) return fail(`${name} is missing`);
  if (space.kind !== 'box') fail(`${name}.kind must be "box" (got ${describe(space.kind)})`);
  if (!Array.isArray(space.shape) || space.shape.length < 1 || !space.shape.every((v) => Number.isInteger(v) && v >= 1))
    fail(`${name}.shape must be a non-empty array of positive integers (got ${describe(space.shape)})`);
  const n = space.shape.reduce((p, v) => p * v, 1);
  if (!(space.low instanceof Float32Array) || !(space.high instanceof Float32Array))
    fail(`${name}.low and .high must be Float32Arrays (dtype float32; got ${describe(space.low)} and ${describe(space.high)})`);
  if (space.low.length !== n || space.high.length !== n)
    fail(`${name}: shape [${space.shape.join(', ')}] has ${n} elements but low has ${space.low.length} and high ${space.high.length}`);
  for (let i = 0; i < n; i++) {
    const lo = space.low[i]!;
    const hi = space.high[i]!;
    if (Number.isNaN(lo) || Number.isNaN(hi)) fail(`${name}: element ${i} has a NaN bound`);
    if (!(lo <= hi)) fail(`${name}: low > high at element ${i} (${lo} > ${hi})`);
  }
  return n;
}

/** One index 0..n-1, uniform. */
function randomChoice(rng: Rng, n: number): Float32Array {
  return Float32Array.of(Math.min(n - 1, Math.floor(rng.uniform(0, n))));
}

/** Uniform in [-1, 1]^n; every 7th action goes past the bounds (envs clip those). */
function randomBoxAction(rng: Rng, n: number, t: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = t % 7 === 6 ? (i % 2 === 0 ? 1.5 : -1.5) : rng.uniform(-1, 1);
  return a;
}

/** The first index where two arrays differ bitwise (NaN equals NaN), or -1. */
function diffIndex(x: Float32Array, y: Float32Array): number {
  if (x.length !== y.length) return 0;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return i;
  return -1;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of ${(v as unknown as { length: number }).length}`;
  if (typeof v === 'object') return `an object with keys ${Object.keys(v).join(', ') || '(none)'}`;
  return `${typeof v} ${String(v)}`;
}

/**
 * The environment interface, with Gymnasium semantics:
 *   reset(seed) -> { obs, info };  step(action) -> { obs, reward, terminated, truncated, info }
 * Continuous actions live in [-1, 1]^n; each env scales them to physical units at its boundary.
 * Discrete envs take one index 0..n-1 (a DiscreteSpace).
 * `terminated` is a true end of the MDP (no bootstrapping); `truncated` is a time or distance
 * limit (the learner still bootstraps from the next state).
 *
 * Allocation: `obs` arrays are owned by the env and overwritten by the next step or reset;
 * callers copy what they keep (the replay buffer does).
 */

/** A box in R^shape; low/high per element (Infinity allowed for observations). */
export interface BoxSpace {
  readonly kind: 'box';
  readonly shape: readonly number[];
  readonly low: Float32Array;
  readonly high: Float32Array;
}

export function boxSpace(low: readonly number[], high: readonly number[]): BoxSpace {
  if (low.length !== high.length) throw new Error('boxSpace: low and high differ in length');
  return { kind: 'box', shape: [low.length], low: Float32Array.from(low), high: Float32Array.from(high) };
}

/**
 * A choice among `n` actions (Gymnasium's Discrete(n)). The action array has one element, the
 * index 0..n-1 as a float, so vector code that sizes actions by `shape` works unchanged.
 */
export interface DiscreteSpace {
  readonly kind: 'discrete';
  readonly n: number;
  readonly shape: readonly [1];
}

export function discreteSpace(n: number): DiscreteSpace {
  if (!Number.isInteger(n) || n < 2) throw new Error(`discreteSpace: n must be an integer >= 2 (got ${n})`);
  return { kind: 'discrete', n, shape: [1] };
}

/** Continuous actions ([-1, 1]^n) or one discrete choice. */
export type ActionSpace = BoxSpace | DiscreteSpace;

/** The normalized action space [-1, 1]^n that every continuous env exposes. */
export function unitActionSpace(n: number): BoxSpace {
  return boxSpace(new Array(n).fill(-1), new Array(n).fill(1));
}

/** Pace of envs that declare no control period: 30 steps per second. */
export const DEFAULT_CONTROL_DT_S = 1 / 30;

export type EnvInfo = Record<string, unknown>;

export interface ResetResult<O = Float32Array> {
  obs: O;
  info: EnvInfo;
}

export interface StepResult<O = Float32Array> {
  obs: O;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: EnvInfo;
}

/**
 * Declared by envs whose observation starts with a camera image: the first height * width *
 * channels values are the pixels (each byte / 255, HWC, row-major from the top-left), then
 * `extraDim` vector features. Learners with a conv encoder and replay buffers that store frames
 * as bytes read this.
 */
export interface ImageObsLayout {
  height: number;
  width: number;
  channels: number;
  extraDim: number;
}

export interface Env<O = Float32Array> {
  readonly id: string;
  /** Present when the observation is a camera image followed by vector features. */
  readonly imageLayout?: ImageObsLayout;
  readonly observationSpace: BoxSpace;
  /** [-1, 1]^n, or a DiscreteSpace. */
  readonly actionSpace: ActionSpace;
  /**
   * Simulated seconds one step() covers (the control period), used to pace training in real
   * time for watching. Envs without a physical clock leave it out (paced at DEFAULT_CONTROL_DT_S).
   */
  readonly controlDtS?: number;
  /**
   * Starts an episode; with a seed, re-seeds the env's RNG first (same seed -> same episode).
   * `options` are env-specific (e.g. an exact initial state, for checks against references).
   */
  reset(seed?: number, options?: Record<string, unknown>): ResetResult<O>;
  /**
   * Advances one control step; `action` is in [-1, 1]^n (values outside are clipped). After an
   * episode ended (terminated or truncated) callers reset(); stepped on without a reset, the envs
   * here continue from the final state (no automatic reset) and keep returning valid results
   * (env-checker.ts checks this).
   */
  step(action: Float32Array): StepResult<O>;
  close?(): void;
}

/** Clips an action into [-1, 1] in place and returns it. */
export function clipUnit(action: Float32Array): Float32Array {
  for (let i = 0; i < action.length; i++) {
    const a = action[i]!;
    action[i] = a > 1 ? 1 : a < -1 ? -1 : Number.isNaN(a) ? 0 : a;
  }
  return action;
}

/** Maps a [-1, 1] value to [low, high]. */
export function scaleAction(a: number, low: number, high: number): number {
  return low + (a + 1) * 0.5 * (high - low);
}

/**
 * The index a discrete env reads from its one-element action: rounded to the nearest integer and
 * clamped into 0..n-1 (NaN -> 0), as continuous envs clip out-of-range actions.
 */
export function discreteIndex(action: Float32Array, n: number): number {
  const a = action[0]!;
  if (Number.isNaN(a)) return 0;
  const i = Math.round(a);
  return i < 0 ? 0 : i > n - 1 ? n - 1 : i;
}

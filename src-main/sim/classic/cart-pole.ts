/**
 * CartPole-v1 with Gymnasium's exact dynamics (Barto, Sutton and Anderson's cart-pole, explicit
 * Euler, tau = 0.02 s): gravity 9.8, cart 1.0 kg, pole 0.1 kg, half pole length 0.5 m, force
 * 10 N. Action 0 pushes left, 1 right. Reward +1 every step including the terminating one (0 on
 * steps taken after termination without a reset, as Gymnasium); terminated when |x| > 2.4 m or
 * |theta| > 12 degrees; truncated at maxEpisodeSteps (500). The state is kept in float64 as
 * Gymnasium keeps it; the observation [x, x_dot, theta, theta_dot] is its float32 copy.
 * Reset draws every state element uniformly in [-0.05, 0.05) (options `low`/`high` change the
 * bounds, as Gymnasium's; option `state` sets an exact state, for checks against the formulas).
 */
import type { z } from 'zod';
import type { CartPoleEnvConfig } from '../../../src-shared/config/envs/classic.js';
import { Rng } from '../../core/rng.js';
import { boxSpace, discreteIndex, discreteSpace, type Env, type ResetResult, type StepResult } from '../env.js';

const GRAVITY = 9.8;
const MASS_CART = 1.0;
const MASS_POLE = 0.1;
const TOTAL_MASS = MASS_POLE + MASS_CART;
const LENGTH = 0.5; // half the pole's length
const POLEMASS_LENGTH = MASS_POLE * LENGTH;
const FORCE_MAG = 10.0;
const TAU = 0.02; // seconds between state updates
const THETA_THRESHOLD = (12 * 2 * Math.PI) / 360;
const X_THRESHOLD = 2.4;
/** np.finfo(np.float32).max, Gymnasium's bound of the velocities. */
const F32_MAX = 3.4028234663852886e38;

/** Reads Gymnasium's reset-bound options (utils.maybe_parse_reset_bounds), else the defaults. */
export function resetBounds(options: Record<string, unknown> | undefined, low: number, high: number): [number, number] {
  const l = options?.low;
  const h = options?.high;
  const lo = typeof l === 'number' && Number.isFinite(l) ? l : low;
  const hi = typeof h === 'number' && Number.isFinite(h) ? h : high;
  if (lo > hi) throw new Error(`reset options: low (${lo}) must not exceed high (${hi})`);
  return [lo, hi];
}

/** An exact numeric state of length n from options.state, if given. */
export function exactState(options: Record<string, unknown> | undefined, n: number): number[] | undefined {
  const state = options?.state;
  if (Array.isArray(state) && state.length === n && state.every((v) => typeof v === 'number' && Number.isFinite(v))) return state as number[];
  return undefined;
}

export class CartPoleEnv implements Env {
  readonly id = 'cartpole';
  readonly observationSpace = boxSpace([-X_THRESHOLD * 2, -F32_MAX, -THETA_THRESHOLD * 2, -F32_MAX], [X_THRESHOLD * 2, F32_MAX, THETA_THRESHOLD * 2, F32_MAX]);
  readonly actionSpace = discreteSpace(2);
  readonly controlDtS = TAU;
  private readonly rng = new Rng(0);
  private readonly obs = new Float32Array(4);
  private readonly state = new Float64Array(4);
  private stepsBeyondTerminated: number | undefined;
  private steps = 0;
  private readonly maxSteps: number;

  constructor(config: z.infer<typeof CartPoleEnvConfig>) {
    this.maxSteps = config.maxEpisodeSteps;
  }

  /** Cart position (m), pole angle (rad, 0 = upright), for views. */
  get cartPosition(): number {
    return this.state[0]!;
  }
  get poleAngle(): number {
    return this.state[2]!;
  }

  reset(seed?: number, options?: Record<string, unknown>): ResetResult {
    if (seed !== undefined) this.rng.seed(seed);
    const exact = exactState(options, 4);
    if (exact) this.state.set(exact);
    else {
      const [low, high] = resetBounds(options, -0.05, 0.05);
      for (let i = 0; i < 4; i++) this.state[i] = this.rng.uniform(low, high);
    }
    this.stepsBeyondTerminated = undefined;
    this.steps = 0;
    return { obs: this.observe(), info: {} };
  }

  step(action: Float32Array): StepResult {
    const s = this.state;
    let x = s[0]!;
    let xDot = s[1]!;
    let theta = s[2]!;
    let thetaDot = s[3]!;
    const force = discreteIndex(action, 2) === 1 ? FORCE_MAG : -FORCE_MAG;
    const costheta = Math.cos(theta);
    const sintheta = Math.sin(theta);
    const temp = (force + POLEMASS_LENGTH * thetaDot ** 2 * sintheta) / TOTAL_MASS;
    const thetaacc = (GRAVITY * sintheta - costheta * temp) / (LENGTH * (4.0 / 3.0 - (MASS_POLE * costheta ** 2) / TOTAL_MASS));
    const xacc = temp - (POLEMASS_LENGTH * thetaacc * costheta) / TOTAL_MASS;
    x = x + TAU * xDot;
    xDot = xDot + TAU * xacc;
    theta = theta + TAU * thetaDot;
    thetaDot = thetaDot + TAU * thetaacc;
    s[0] = x;
    s[1] = xDot;
    s[2] = theta;
    s[3] = thetaDot;
    const terminated = x < -X_THRESHOLD || x > X_THRESHOLD || theta < -THETA_THRESHOLD || theta > THETA_THRESHOLD;
    let reward = 1.0;
    if (terminated) {
      if (this.stepsBeyondTerminated === undefined) this.stepsBeyondTerminated = 0;
      else {
        this.stepsBeyondTerminated++;
        reward = 0.0;
      }
    }
    this.steps++;
    return { obs: this.observe(), reward, terminated, truncated: !terminated && this.steps >= this.maxSteps, info: {} };
  }

  private observe(): Float32Array {
    this.obs.set(this.state);
    return this.obs;
  }
}

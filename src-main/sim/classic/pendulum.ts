/**
 * Pendulum-v1 with Gymnasium's exact dynamics: g = 10.0, m = 1, l = 1, dt = 0.05 s,
 * max speed 8 rad/s, max torque 2 N m, reward -(angle^2 + 0.1 omega^2 + 0.001 u^2) with the
 * angle normalized to [-pi, pi]; never terminates, truncated at maxEpisodeSteps (200).
 * Observation [cos theta, sin theta, omega]; action a in [-1, 1] -> torque u = 2a.
 */
import type { z } from 'zod';
import type { PendulumEnvConfig } from '../../../src-shared/config/envs/classic.js';
import { Rng } from '../../core/rng.js';
import { boxSpace, unitActionSpace, type Env, type ResetResult, type StepResult } from '../env.js';

const MAX_SPEED = 8; // rad/s
const MAX_TORQUE = 2; // N m
const DT = 0.05; // s
const G = 10.0; // m/s^2
const M = 1.0; // kg
const L = 1.0; // m

/** Python's ((x + pi) % (2 pi)) - pi, with floor modulo. */
export function angleNormalize(x: number): number {
  const twoPi = 2 * Math.PI;
  const y = x + Math.PI;
  return y - twoPi * Math.floor(y / twoPi) - Math.PI;
}

export class PendulumEnv implements Env {
  readonly id = 'pendulum';
  readonly observationSpace = boxSpace([-1, -1, -MAX_SPEED], [1, 1, MAX_SPEED]);
  readonly actionSpace = unitActionSpace(1);
  readonly controlDtS = DT;
  private readonly rng = new Rng(0);
  private readonly obs = new Float32Array(3);
  /** theta (rad), omega (rad/s), in float64 as Gymnasium keeps them. */
  private th = 0;
  private thdot = 0;
  private steps = 0;
  private readonly maxSteps: number;

  constructor(config: z.infer<typeof PendulumEnvConfig>) {
    this.maxSteps = config.maxEpisodeSteps;
  }

  /** Angle (rad, 0 = upright, + counter-clockwise) and angular velocity (rad/s), for the view. */
  get angle(): number {
    return this.th;
  }
  get angularVelocity(): number {
    return this.thdot;
  }

  reset(seed?: number, options?: Record<string, unknown>): ResetResult {
    if (seed !== undefined) this.rng.seed(seed);
    const state = options?.state;
    if (Array.isArray(state) && state.length === 2 && state.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      [this.th, this.thdot] = state as [number, number];
    } else {
      this.th = this.rng.uniform(-Math.PI, Math.PI);
      this.thdot = this.rng.uniform(-1, 1);
    }
    this.steps = 0;
    return { obs: this.observe(), info: {} };
  }

  step(action: Float32Array): StepResult {
    const a = Number.isNaN(action[0]!) ? 0 : Math.min(1, Math.max(-1, action[0]!));
    const u = Math.min(MAX_TORQUE, Math.max(-MAX_TORQUE, a * MAX_TORQUE));
    const th = this.th;
    const thdot = this.thdot;
    const costs = angleNormalize(th) ** 2 + 0.1 * thdot ** 2 + 0.001 * u ** 2;
    let newthdot = thdot + (((3 * G) / (2 * L)) * Math.sin(th) + (3.0 / (M * L * L)) * u) * DT;
    newthdot = Math.min(MAX_SPEED, Math.max(-MAX_SPEED, newthdot));
    this.th = th + newthdot * DT;
    this.thdot = newthdot;
    this.steps++;
    return { obs: this.observe(), reward: -costs, terminated: false, truncated: this.steps >= this.maxSteps, info: {} };
  }

  private observe(): Float32Array {
    this.obs[0] = Math.cos(this.th);
    this.obs[1] = Math.sin(this.th);
    this.obs[2] = this.thdot;
    return this.obs;
  }
}

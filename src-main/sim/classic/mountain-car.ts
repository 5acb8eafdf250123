/**
 * MountainCarContinuous-v0 with Gymnasium's exact dynamics: power 0.0015, max speed 0.07,
 * positions in [-1.2, 0.6], goal at 0.45; reward +100 on reaching the goal minus 0.1 a^2 per
 * step; terminated at the goal, truncated at maxEpisodeSteps (999). Gymnasium stores the state
 * as float32, so it is rounded to float32 after every step here too.
 * Observation [position (m), velocity (m/step)]; action a in [-1, 1] is the force directly.
 */
import type { z } from 'zod';
import type { MountainCarEnvConfig } from '../../../src-shared/config/envs/classic.js';
import { Rng } from '../../core/rng.js';
import { boxSpace, unitActionSpace, type Env, type ResetResult, type StepResult } from '../env.js';

const MIN_POSITION = -1.2;
const MAX_POSITION = 0.6;
const MAX_SPEED = 0.07;
const GOAL_POSITION = 0.45;
const GOAL_VELOCITY = 0;
const POWER = 0.0015;
const f32 = Math.fround;

export class MountainCarEnv implements Env {
  readonly id = 'mountaincar';
  readonly observationSpace = boxSpace([MIN_POSITION, -MAX_SPEED], [MAX_POSITION, MAX_SPEED]);
  readonly actionSpace = unitActionSpace(1);
  private readonly rng = new Rng(0);
  private readonly obs = new Float32Array(2);
  private position = 0;
  private velocity = 0;
  private steps = 0;
  private readonly maxSteps: number;

  constructor(config: z.infer<typeof MountainCarEnvConfig>) {
    this.maxSteps = config.maxEpisodeSteps;
  }

  /** Position (m along x) and velocity (m/s), for the view. */
  get carPosition(): number {
    return this.position;
  }
  get carVelocity(): number {
    return this.velocity;
  }

  reset(seed?: number, options?: Record<string, unknown>): ResetResult {
    if (seed !== undefined) this.rng.seed(seed);
    const state = options?.state;
    if (Array.isArray(state) && state.length === 2 && state.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      this.position = f32(state[0] as number);
      this.velocity = f32(state[1] as number);
    } else {
      this.position = f32(this.rng.uniform(-0.6, -0.4));
      this.velocity = 0;
    }
    this.steps = 0;
    return { obs: this.observe(), info: {} };
  }

  step(action: Float32Array): StepResult {
    const a = f32(Number.isNaN(action[0]!) ? 0 : action[0]!);
    const force = Math.min(Math.max(a, -1), 1);
    let velocity = this.velocity + force * POWER - 0.0025 * Math.cos(3 * this.position);
    velocity = Math.min(Math.max(velocity, -MAX_SPEED), MAX_SPEED);
    let position = this.position + velocity;
    position = Math.min(Math.max(position, MIN_POSITION), MAX_POSITION);
    if (position === MIN_POSITION && velocity < 0) velocity = 0;
    const terminated = position >= GOAL_POSITION && velocity >= GOAL_VELOCITY;
    let reward = terminated ? 100.0 : 0;
    reward -= a * a * 0.1;
    this.position = f32(position);
    this.velocity = f32(velocity);
    this.steps++;
    return { obs: this.observe(), reward, terminated, truncated: !terminated && this.steps >= this.maxSteps, info: {} };
  }

  private observe(): Float32Array {
    this.obs[0] = this.position;
    this.obs[1] = this.velocity;
    return this.obs;
  }
}

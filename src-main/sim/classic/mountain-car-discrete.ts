/**
 * MountainCar-v0 (discrete actions) with Gymnasium's exact dynamics: force 0.001, gravity 0.0025,
 * positions in [-1.2, 0.6], speeds in [-0.07, 0.07], inelastic left wall, goal at position 0.5
 * (velocity >= 0). Action 0 accelerates left, 1 not at all, 2 right:
 *   v' = clip(v + (a - 1) * 0.001 - 0.0025 cos(3x), -0.07, 0.07);  x' = clip(x + v', -1.2, 0.6).
 * Reward -1 every step; terminated at the goal; truncated at maxEpisodeSteps (200). Unlike the
 * continuous version, Gymnasium keeps this state in float64; the observation is its float32 copy.
 * Reset: position uniform in [-0.6, -0.4) (options `low`/`high` change the bounds), velocity 0;
 * option `state` sets an exact [position, velocity].
 */
import type { z } from 'zod';
import type { MountainCarDiscreteEnvConfig } from '../../../src-shared/config/envs/classic.js';
import { Rng } from '../../core/rng.js';
import { boxSpace, discreteIndex, discreteSpace, type Env, type ResetResult, type StepResult } from '../env.js';
import { exactState, resetBounds } from './cart-pole.js';

const MIN_POSITION = -1.2;
const MAX_POSITION = 0.6;
const MAX_SPEED = 0.07;
const GOAL_POSITION = 0.5;
const GOAL_VELOCITY = 0;
const FORCE = 0.001;
const GRAVITY = 0.0025;

export class MountainCarDiscreteEnv implements Env {
  readonly id = 'mountaincar-discrete';
  readonly observationSpace = boxSpace([MIN_POSITION, -MAX_SPEED], [MAX_POSITION, MAX_SPEED]);
  readonly actionSpace = discreteSpace(3);
  private readonly rng = new Rng(0);
  private readonly obs = new Float32Array(2);
  private position = 0;
  private velocity = 0;
  private steps = 0;
  private readonly maxSteps: number;

  constructor(config: z.infer<typeof MountainCarDiscreteEnvConfig>) {
    this.maxSteps = config.maxEpisodeSteps;
  }

  /** Position (m along x) and velocity (m/step), for the view. */
  get carPosition(): number {
    return this.position;
  }
  get carVelocity(): number {
    return this.velocity;
  }

  reset(seed?: number, options?: Record<string, unknown>): ResetResult {
    if (seed !== undefined) this.rng.seed(seed);
    const exact = exactState(options, 2);
    if (exact) [this.position, this.velocity] = exact as [number, number];
    else {
      const [low, high] = resetBounds(options, -0.6, -0.4);
      this.position = this.rng.uniform(low, high);
      this.velocity = 0;
    }
    this.steps = 0;
    return { obs: this.observe(), info: {} };
  }

  step(action: Float32Array): StepResult {
    const a = discreteIndex(action, 3);
    let velocity = this.velocity + (a - 1) * FORCE + Math.cos(3 * this.position) * -GRAVITY;
    velocity = Math.min(Math.max(velocity, -MAX_SPEED), MAX_SPEED);
    let position = this.position + velocity;
    position = Math.min(Math.max(position, MIN_POSITION), MAX_POSITION);
    if (position === MIN_POSITION && velocity < 0) velocity = 0;
    const terminated = position >= GOAL_POSITION && velocity >= GOAL_VELOCITY;
    this.position = position;
    this.velocity = velocity;
    this.steps++;
    return { obs: this.observe(), reward: -1.0, terminated, truncated: !terminated && this.steps >= this.maxSteps, info: {} };
  }

  private observe(): Float32Array {
    this.obs[0] = this.position;
    this.obs[1] = this.velocity;
    return this.obs;
  }
}

/**
 * A tiny discrete env for on-policy tests: the observation is one number x in [-1, 1]; action 1
 * is right when x > 0, action 0 otherwise. A right choice earns 1, a wrong one ends the episode
 * (terminated); 8 steps end it too (truncated). Seeded by reset, so episodes replay exactly.
 */
import { Rng } from '../../../../src-main/core/rng.js';
import { boxSpace, discreteSpace, type Env, type ResetResult, type StepResult } from '../../../../src-main/sim/env.js';

export const SIGN_ENV_STEPS = 8;

export class SignEnv implements Env {
  readonly id = 'sign';
  readonly observationSpace = boxSpace([-1], [1]);
  readonly actionSpace = discreteSpace(2);
  private readonly rng = new Rng(0);
  private readonly obs = new Float32Array(1);
  private t = 0;

  reset(seed?: number): ResetResult {
    if (seed !== undefined) this.rng.seed(seed);
    this.t = 0;
    this.obs[0] = this.rng.uniform(-1, 1);
    return { obs: this.obs, info: {} };
  }

  step(action: Float32Array): StepResult {
    const right = (action[0] === 1) === this.obs[0]! > 0;
    this.t++;
    this.obs[0] = this.rng.uniform(-1, 1);
    return { obs: this.obs, reward: right ? 1 : 0, terminated: !right, truncated: right && this.t >= SIGN_ENV_STEPS, info: {} };
  }
}

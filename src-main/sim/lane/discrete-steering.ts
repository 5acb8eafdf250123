/**
 * The lane env with discrete steering (config.steeringBins = n): the action is an index
 * 0..n-1 of n steering positions evenly spaced over [-1, 1] (index k -> -1 + 2k / (n - 1), so
 * an odd n includes 0, straight ahead), handed to the simulator as its continuous steering
 * action. Observations, rewards and episode ends are the simulator's. The evaluation protocol
 * (Kendall et al.'s routes) is the same: a discrete policy is mapped the same way
 * (`steeringPolicy`).
 */
import type { BatchPolicy } from '../adapter.js';
import { discreteIndex, discreteSpace, type DiscreteSpace, type Env, type ResetResult, type StepResult } from '../env.js';
import type { LaneEnv } from './lane-env.js';

/** The steering action in [-1, 1] of index k of n bins. */
export function steeringOfBin(k: number, n: number): number {
  return -1 + (2 * k) / (n - 1);
}

export class DiscreteSteeringLaneEnv implements Env {
  readonly actionSpace: DiscreteSpace;
  private readonly steering = new Float32Array(1);

  constructor(
    /** The simulator (the live view and recorders find it here). */
    readonly inner: LaneEnv,
    readonly bins: number,
  ) {
    if (inner.config.throttle || inner.config.speedSetpoint)
      throw new Error('env.steeringBins: discrete steering needs throttle and speedSetpoint off (steering is the only action)');
    this.actionSpace = discreteSpace(bins);
  }

  get id(): string {
    return this.inner.id;
  }
  get observationSpace() {
    return this.inner.observationSpace;
  }
  get imageLayout() {
    return this.inner.imageLayout;
  }
  get controlDtS() {
    return this.inner.controlDtS;
  }

  reset(seed?: number, options?: Record<string, unknown>): ResetResult {
    return this.inner.reset(seed, options);
  }

  step(action: Float32Array): StepResult {
    this.steering[0] = steeringOfBin(discreteIndex(action, this.bins), this.bins);
    return this.inner.step(this.steering);
  }

  close(): void {
    (this.inner as Env).close?.();
  }
}

/** A discrete policy (indices) as the continuous steering policy the lane protocol drives. */
export function steeringPolicy(policy: BatchPolicy, bins: number): BatchPolicy {
  return (obs, n) => {
    const idx = policy(obs, n);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = steeringOfBin(discreteIndex(idx.subarray(i, i + 1), bins), bins);
    return out;
  };
}

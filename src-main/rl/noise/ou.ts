/**
 * Ornstein-Uhlenbeck action noise (Uhlenbeck & Ornstein 1930; DDPG's choice in Lillicrap et al.
 * 2016), one process per env, discretized as Stable-Baselines3 does:
 *   x <- x + theta (mu - x) dt + sigma sqrt(dt) N(0, 1)
 * and reset to 0 at the start of each episode of that env.
 */
import { Rng } from '../../core/rng.js';
import { requireArray, rngFromJson, rngToJson, type RngJson, type Snapshot } from '../../core/snapshot.js';
import type { ExplorationNoise } from './types.js';

export interface OuParams {
  theta: number;
  sigma: number;
  dt: number;
  mu: number;
}

export class OrnsteinUhlenbeckNoise implements ExplorationNoise {
  readonly type = 'ou';
  private readonly rng: Rng;
  /** Process state per env and action dimension (float64, as NumPy keeps it). */
  private readonly x: Float64Array;
  private readonly sqrtDt: number;

  constructor(
    readonly numEnvs: number,
    readonly actDim: number,
    readonly params: OuParams,
    seed: number,
  ) {
    this.rng = new Rng(seed);
    this.x = new Float64Array(numEnvs * actDim);
    this.sqrtDt = Math.sqrt(params.dt);
  }

  prepare(): void {}

  sample(envIndex: number, out: Float32Array): void {
    const { theta, sigma, dt, mu } = this.params;
    const base = envIndex * this.actDim;
    for (let i = 0; i < this.actDim; i++) {
      const prev = this.x[base + i]!;
      const next = prev + theta * (mu - prev) * dt + sigma * this.sqrtDt * this.rng.normal();
      this.x[base + i] = next;
      out[i] = next;
    }
  }

  reset(envIndex: number): void {
    this.x.fill(0, envIndex * this.actDim, (envIndex + 1) * this.actDim);
  }

  snapshot(): Snapshot<{ rng: RngJson }> {
    return { json: { rng: rngToJson(this.rng) }, arrays: { x: this.x.slice() } };
  }

  restore(snap: Snapshot): void {
    rngFromJson(this.rng, (snap.json as { rng: RngJson }).rng);
    this.x.set(requireArray(snap.arrays, 'x', Float64Array, this.x.length));
  }

  dispose(): void {}
}

/** Independent Gaussian action noise N(0, sigma^2) per action dimension and step (TD3's default). */
import { Rng } from '../../core/rng.js';
import { rngFromJson, rngToJson, type RngJson, type Snapshot } from '../../core/snapshot.js';
import type { ExplorationNoise } from './types.js';

export class GaussianNoise implements ExplorationNoise {
  readonly type = 'gaussian';
  private readonly rng: Rng;

  constructor(
    readonly actDim: number,
    /** Standard deviation (action units). */
    readonly sigma: number,
    seed: number,
  ) {
    this.rng = new Rng(seed);
  }

  prepare(): void {}

  sample(_envIndex: number, out: Float32Array): void {
    for (let i = 0; i < this.actDim; i++) out[i] = this.sigma * this.rng.normal();
  }

  reset(): void {}

  snapshot(): Snapshot<{ rng: RngJson }> {
    return { json: { rng: rngToJson(this.rng) }, arrays: {} };
  }

  restore(snap: Snapshot): void {
    rngFromJson(this.rng, (snap.json as { rng: RngJson }).rng);
  }

  dispose(): void {}
}

/** No exploration noise (for deterministic data collection). */
export class NoNoise implements ExplorationNoise {
  readonly type = 'none';
  prepare(): void {}
  sample(_envIndex: number, out: Float32Array): void {
    out.fill(0);
  }
  reset(): void {}
  snapshot(): Snapshot {
    return { json: {}, arrays: {} };
  }
  restore(): void {}
  dispose(): void {}
}

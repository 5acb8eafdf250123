/**
 * Exploration with demonstrations: at the start of each episode an env is handed, with
 * probability `fraction`, to the env's scripted controller for the whole episode; otherwise the
 * actor acts. Gaussian noise N(0, sigma^2) is added either way. The learner is off-policy, so it
 * learns from both kinds of episode: the scripted ones put the rare rewarding transitions (a cube
 * pushed somewhere) into the replay buffer, where hindsight relabelling turns each into many
 * goals (as DDPG + HER with demonstrations in the buffer, Nair et al. 2018, without their
 * behaviour-cloning loss). Evaluation always runs the actor alone.
 *
 * Through the noise interface: for a scripted env the "noise" is scripted action - actor action
 * (+ Gaussian), so the loop's actor + noise, clipped to [-1, 1], is the scripted action.
 */
import { Rng } from '../../core/rng.js';
import { rngFromJson, rngToJson, type RngJson, type Snapshot } from '../../core/snapshot.js';
import type { ScriptedController } from '../../sim/adapter.js';
import type { ExplorationNoise } from './types.js';

interface ScriptedMixJson {
  rng: RngJson;
  scripted: number[];
}

export class ScriptedMixNoise implements ExplorationNoise {
  readonly type = 'scripted';
  private readonly rng: Rng;
  /** Per env: 1 while its episode is scripted. */
  private readonly scripted: Uint8Array;
  /** Per env: scripted action - actor action, for this step. */
  private readonly offset: Float32Array;
  private readonly row: Float32Array;

  constructor(
    readonly numEnvs: number,
    readonly actDim: number,
    /** Probability that an episode is scripted. */
    readonly fraction: number,
    /** Standard deviation of the added Gaussian noise (action units). */
    readonly sigma: number,
    private readonly controller: ScriptedController,
    seed: number,
  ) {
    this.rng = new Rng(seed);
    this.scripted = new Uint8Array(numEnvs);
    this.offset = new Float32Array(numEnvs * actDim);
    this.row = new Float32Array(actDim);
    for (let e = 0; e < numEnvs; e++) this.reset(e);
  }

  /** Whether env `envIndex`'s current episode is scripted. */
  isScripted(envIndex: number): boolean {
    return this.scripted[envIndex] === 1;
  }

  prepare(obs: Float32Array, cleanActions: Float32Array): void {
    const od = obs.length / this.numEnvs;
    const ad = this.actDim;
    for (let e = 0; e < this.numEnvs; e++) {
      if (!this.scripted[e]) continue;
      this.controller(obs.subarray(e * od, (e + 1) * od), this.row);
      for (let k = 0; k < ad; k++) this.offset[e * ad + k] = this.row[k]! - cleanActions[e * ad + k]!;
    }
  }

  sample(envIndex: number, out: Float32Array): void {
    const ad = this.actDim;
    const scripted = this.scripted[envIndex] === 1;
    for (let k = 0; k < ad; k++) out[k] = this.sigma * this.rng.normal() + (scripted ? this.offset[envIndex * ad + k]! : 0);
  }

  reset(envIndex: number): void {
    this.scripted[envIndex] = this.rng.uniform(0, 1) < this.fraction ? 1 : 0;
  }

  snapshot(): Snapshot<ScriptedMixJson> {
    return { json: { rng: rngToJson(this.rng), scripted: Array.from(this.scripted) }, arrays: {} };
  }

  restore(snap: Snapshot): void {
    const j = snap.json as ScriptedMixJson;
    rngFromJson(this.rng, j.rng);
    this.scripted.set(j.scripted);
  }

  dispose(): void {}
}

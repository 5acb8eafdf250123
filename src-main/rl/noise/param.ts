/**
 * Parameter-space noise (Plappert et al. 2018, "Parameter Space Noise for Exploration"): act with
 * a copy of the actor whose weights carry Gaussian noise of scale `std`, and adapt `std` so the
 * perturbed policy's actions differ from the unperturbed ones by about `desiredActionStd`:
 *   d = sqrt(mean((mu_perturbed(s) - mu(s))^2))  over the states seen since the last adaptation
 *   std <- std / alpha if d > desired, else std * alpha
 * The perturbation is redrawn from the current actor every `adaptEvery` env steps, right after
 * adapting. Through the common interface, `sample` returns mu_perturbed(s) - mu(s), so the action
 * taken is the perturbed actor's.
 */
import * as tf from '@tensorflow/tfjs';
import { Mlp } from '../../ml/mlp.js';
import { Rng } from '../../core/rng.js';
import { requireArray, rngFromJson, rngToJson, type RngJson, type Snapshot } from '../../core/snapshot.js';
import type { ExplorationNoise } from './types.js';

export interface ParamNoiseParams {
  initialStd: number;
  desiredActionStd: number;
  adaptCoef: number;
  adaptEvery: number;
}

interface ParamNoiseJson {
  std: number;
  envStepsSincePerturb: number;
  sumSq: number;
  count: number;
  perturbed: boolean;
  rng: RngJson;
}

export class ParameterNoise implements ExplorationNoise {
  readonly type = 'param';
  private readonly perturbedActor: Mlp;
  private readonly rng: Rng;
  private std: number;
  private envStepsSincePerturb = 0;
  private sumSq = 0;
  private count = 0;
  private perturbed = false;
  private readonly pert: Float32Array;
  private readonly clean: Float32Array;

  constructor(
    private readonly actor: Mlp,
    readonly numEnvs: number,
    readonly actDim: number,
    readonly params: ParamNoiseParams,
    seed: number,
    name: string,
  ) {
    this.rng = new Rng(seed);
    this.std = params.initialStd;
    // Its initial weights are overwritten at the first perturbation; the init Rng is throwaway.
    this.perturbedActor = new Mlp(actor.spec, new Rng(seed ^ 0x5bd1e995), name);
    this.pert = new Float32Array(numEnvs * actDim);
    this.clean = new Float32Array(numEnvs * actDim);
  }

  /** Current perturbation scale (weight units). */
  get currentStd(): number {
    return this.std;
  }

  prepare(obs: Float32Array, cleanActions: Float32Array): void {
    if (!this.perturbed || this.envStepsSincePerturb >= this.params.adaptEvery) {
      if (this.count > 0) this.adapt();
      this.perturb();
    }
    const n = this.numEnvs;
    const od = obs.length / n;
    const out = tf.tidy(() => this.perturbedActor.apply(tf.tensor2d(obs, [n, od])).dataSync());
    this.pert.set(out);
    this.clean.set(cleanActions.subarray(0, n * this.actDim));
    for (let i = 0; i < this.pert.length; i++) {
      const d = this.pert[i]! - this.clean[i]!;
      this.sumSq += d * d;
    }
    this.count += this.pert.length;
    this.envStepsSincePerturb += n;
  }

  sample(envIndex: number, out: Float32Array): void {
    const base = envIndex * this.actDim;
    for (let i = 0; i < this.actDim; i++) out[i] = this.pert[base + i]! - this.clean[base + i]!;
  }

  reset(): void {}

  private adapt(): void {
    const distance = Math.sqrt(this.sumSq / this.count);
    this.std = distance > this.params.desiredActionStd ? this.std / this.params.adaptCoef : this.std * this.params.adaptCoef;
    this.sumSq = 0;
    this.count = 0;
  }

  private perturb(): void {
    const weights = this.actor.getWeights();
    for (const w of weights) for (let j = 0; j < w.length; j++) w[j] = w[j]! + this.std * this.rng.normal();
    this.perturbedActor.setWeights(weights);
    this.perturbed = true;
    this.envStepsSincePerturb = 0;
  }

  snapshot(): Snapshot<ParamNoiseJson> {
    const arrays: Record<string, Float32Array> = {};
    this.perturbedActor.getWeights().forEach((w, i) => (arrays[`w${i}`] = w));
    return {
      json: {
        std: this.std,
        envStepsSincePerturb: this.envStepsSincePerturb,
        sumSq: this.sumSq,
        count: this.count,
        perturbed: this.perturbed,
        rng: rngToJson(this.rng),
      },
      arrays,
    };
  }

  restore(snap: Snapshot): void {
    const j = snap.json as ParamNoiseJson;
    this.std = j.std;
    this.envStepsSincePerturb = j.envStepsSincePerturb;
    this.sumSq = j.sumSq;
    this.count = j.count;
    this.perturbed = j.perturbed;
    rngFromJson(this.rng, j.rng);
    const n = this.perturbedActor.variables.length;
    this.perturbedActor.setWeights(
      Array.from({ length: n }, (_, i) => requireArray(snap.arrays, `w${i}`, Float32Array, this.perturbedActor.variables[i]!.size)),
    );
  }

  dispose(): void {
    this.perturbedActor.dispose();
  }
}

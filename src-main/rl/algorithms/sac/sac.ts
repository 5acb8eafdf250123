/**
 * SAC (Haarnoja et al. 2018, "Soft Actor-Critic Algorithms and Applications"), as
 * Stable-Baselines3's SAC. One gradient step (`train`), with eps, eps' ~ N(0, I) drawn from the
 * learner's own seeded stream:
 *
 *   a~, log pi(a~|s)     = squashed sample of pi(.|s) with eps        (./squashed-gaussian.ts)
 *   alpha = exp(log alpha)                         (its value before this step's alpha update)
 *   autoEntropy: L_alpha = -mean(log alpha * (log pi(a~|s) + targetEntropy))   -> Adam step
 *   a', log pi(a'|s')    = squashed sample of pi(.|s') with eps'
 *   y   = r + gamma^k (1 - terminated) (min_i Q_target_i(s', a') - alpha log pi(a'|s'))
 *   L_Q = 0.5 sum_i mean((Q_i(s, a) - y)^2)                         -> Adam step on the critics
 *   L_pi = mean(alpha log pi(a~|s) - min_i Q_i(s, a~))             -> Adam step on the actor
 *   every targetUpdateInterval-th step: critic targets <- Polyak(tau)
 *
 * The actor is a ReLU trunk with two linear heads, mu and log std (clamped to [-20, 2]), as SB3's.
 * `actor` (the Mlp the rest of the house builds policies and exports from) is the trunk with the
 * mu head and a tanh output: tanh(mu(s)), SAC's deterministic (mean) action. The log-std head is
 * a separate one-layer Mlp on the trunk's last hidden layer.
 *
 * Only `terminated` zeroes the discount; n-step samples (replay nStep) discount by gamma^k.
 */
import * as tf from '@tensorflow/tfjs';
import type { SacConfig } from '../../../../src-shared/config/sac.js';
import { checkInputWidth, Mlp } from '../../../ml/mlp.js';
import { dense } from '../../../ml/kernels/dense.js';
import { Rng } from '../../../core/rng.js';
import { prefixArrays, requireArray, rngFromJson, rngToJson, unprefixArrays, type RngJson, type Snapshot, type SnapshotArray } from '../../../core/snapshot.js';
import type { ReplayBatch } from '../../replay/replay-buffer.js';
import { FlatAdam } from '../../../ml/optim.js';
import type { Learner, LearnerStats } from '../learner.js';
import { takeWindowStats, windowFinite } from '../loss-window.js';
import { actorSpec, criticSpec, discountsInto } from '../td3/td3.js';
import { squashedSample } from './squashed-gaussian.js';

export interface SacSpaces {
  obsDim: number;
  actDim: number;
}

interface SacJson {
  updates: number;
  windowUpdates: number;
  rng: RngJson;
  actorOpt: unknown;
  criticOpt: unknown;
  alphaOpt: unknown;
}

let instances = 0;

export class Sac implements Learner {
  /** Trunk + mu head, tanh output: the mean action. */
  readonly actor: Mlp;
  /** Log-std head on the trunk's last hidden layer. */
  readonly logStdHead: Mlp;
  readonly critics: Mlp[];
  readonly criticTargets: Mlp[];
  readonly encoder = undefined;
  readonly name: string;
  readonly targetEntropy: number;
  updates = 0;
  /** log alpha, shape [1]. */
  private readonly logAlpha: tf.Variable;
  private readonly actorVars: tf.Variable[];
  private readonly criticVars: tf.Variable[];
  private readonly actorOpt: FlatAdam;
  private readonly criticOpt: FlatAdam;
  private readonly alphaOpt: FlatAdam;
  /** Policy noise of training and exploration. */
  private readonly rng: Rng;
  /** [sum critic loss, sum actor loss, sum Q_1] over the current stats window. */
  private readonly sums: tf.Variable;
  private windowUpdates = 0;
  private discountScratch = new Float32Array(0);

  constructor(
    readonly spaces: SacSpaces,
    readonly cfg: SacConfig,
    seeds: { networks: number; learner: number },
    name?: string,
  ) {
    this.name = name ?? `sac-${++instances}`;
    const init = new Rng(seeds.networks);
    const throwaway = new Rng(0);
    this.actor = new Mlp(actorSpec(spaces, cfg.actorHidden), init, `${this.name}/actor`);
    const last = cfg.actorHidden[cfg.actorHidden.length - 1]!;
    this.logStdHead = new Mlp({ inputDim: last, hidden: [], outputDim: spaces.actDim, outputActivation: 'linear' }, init, `${this.name}/log-std`);
    this.critics = [];
    for (let i = 0; i < cfg.nCritics; i++) this.critics.push(new Mlp(criticSpec(spaces, cfg.criticHidden), init, `${this.name}/critic${i}`));
    this.criticTargets = this.critics.map((c, i) => {
      const t = new Mlp(c.spec, throwaway, `${this.name}/critic${i}-target`);
      t.copyFrom(c);
      return t;
    });
    this.targetEntropy = cfg.targetEntropy ?? -spaces.actDim;
    this.logAlpha = tf.variable(tf.tensor1d([Math.log(cfg.entCoefInit)]), true, `${this.name}/log-alpha`);
    this.actorVars = [...this.actor.variables, ...this.logStdHead.variables];
    this.criticVars = this.critics.flatMap((c) => c.variables);
    const clip = cfg.maxGradNorm;
    this.actorOpt = new FlatAdam(this.actorVars, { lr: cfg.learningRate, maxGradNorm: clip }, `${this.name}/actor-adam`);
    this.criticOpt = new FlatAdam(this.criticVars, { lr: cfg.learningRate, maxGradNorm: clip }, `${this.name}/critic-adam`);
    this.alphaOpt = new FlatAdam([this.logAlpha], { lr: cfg.learningRate }, `${this.name}/alpha-adam`);
    this.rng = new Rng(seeds.learner);
    this.sums = tf.variable(tf.zeros([3]), false, `${this.name}/stats`);
  }

  get obsDim(): number {
    return this.spaces.obsDim;
  }

  get actDim(): number {
    return this.spaces.actDim;
  }

  /** The entropy coefficient alpha now (one small read). */
  get entCoef(): number {
    return Math.exp(this.logAlpha.dataSync()[0]!);
  }

  initActor(weights: readonly Float32Array[]): void {
    this.actor.setWeights(weights);
  }

  /** Mean actions tanh(mu(s)): [n * obsDim] -> [n * actDim]. */
  act(obs: Float32Array, n: number): Float32Array {
    checkInputWidth(this.name, obs.length, n, this.spaces.obsDim);
    return tf.tidy(() => this.actor.apply(tf.tensor2d(obs, [n, this.spaces.obsDim])).dataSync() as Float32Array);
  }

  /** Actions sampled from the squashed Gaussian policy (the learner's own seeded noise). */
  explore(obs: Float32Array, n: number, out: Float32Array): void {
    const { obsDim: od, actDim: ad } = this.spaces;
    checkInputWidth(this.name, obs.length, n, od);
    const eps = this.normals(n * ad);
    const a = tf.tidy(() => {
      const { mu, logStd } = this.distribution(tf.tensor2d(obs, [n, od]));
      return squashedSample(mu, logStd, tf.tensor2d(eps, [n, ad])).action.dataSync() as Float32Array;
    });
    out.set(a);
  }

  /** mu and the (unclamped) log std of pi(.|s) for observations [B, obsDim]. Call inside tf.tidy. */
  distribution(obs: tf.Tensor2D): { mu: tf.Tensor2D; logStd: tf.Tensor2D } {
    const v = this.actor.variables;
    const layers = v.length / 2;
    let h = obs;
    for (let i = 0; i < layers - 1; i++) h = dense(h, v[2 * i] as tf.Tensor2D, v[2 * i + 1] as tf.Tensor1D, 'relu');
    const mu = dense(h, v[2 * layers - 2] as tf.Tensor2D, v[2 * layers - 1] as tf.Tensor1D, 'linear');
    return { mu, logStd: this.logStdHead.apply(h) };
  }

  qValue(obs: Float32Array, action: Float32Array): number {
    const { obsDim: od, actDim: ad } = this.spaces;
    checkInputWidth(this.name, obs.length, 1, od);
    if (action.length !== ad) throw new Error(`${this.name}: the action has ${action.length} values, the critic takes ${ad}`);
    return tf.tidy(() => this.critics[0]!.apply(tf.concat([tf.tensor2d(obs, [1, od]), tf.tensor2d(action, [1, ad])], 1)).dataSync()[0]!);
  }

  private normals(count: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.rng.normal();
    return out;
  }

  private minQ(critics: readonly Mlp[], input: tf.Tensor2D): tf.Tensor2D {
    let q = critics[0]!.apply(input);
    for (let i = 1; i < critics.length; i++) q = tf.minimum(q, critics[i]!.apply(input));
    return q;
  }

  /** One SAC gradient step on `batch`. */
  train(batch: ReplayBatch): void {
    const B = batch.size;
    const { obsDim: od, actDim: ad } = this.spaces;
    const cfg = this.cfg;
    this.updates++;
    if (this.discountScratch.length !== B) this.discountScratch = new Float32Array(B);
    discountsInto(this.discountScratch, batch, cfg.gamma);
    const epsNow = this.normals(B * ad);
    const epsNext = this.normals(B * ad);
    tf.tidy(() => {
      const obs = tf.tensor2d(batch.obs, [B, od]);
      const act = tf.tensor2d(batch.actions, [B, ad]);
      const nextObs = tf.tensor2d(batch.nextObs, [B, od]);
      const eps = tf.tensor2d(epsNow, [B, ad]);
      const alpha = tf.exp(this.logAlpha);

      if (cfg.autoEntropy) {
        const now = this.distribution(obs);
        const logProb = squashedSample(now.mu, now.logStd, eps).logProb;
        const gap = tf.add(logProb, this.targetEntropy);
        const g = tf.variableGrads(() => tf.neg(tf.mean(tf.mul(this.logAlpha, gap))) as tf.Scalar, [this.logAlpha]);
        this.alphaOpt.apply([g.grads[this.logAlpha.name]!]);
      }

      const next = this.distribution(nextObs);
      const nextSample = squashedSample(next.mu, next.logStd, tf.tensor2d(epsNext, [B, ad]));
      const nextQ = this.minQ(this.criticTargets, tf.concat([nextObs, nextSample.action], 1));
      const soft = tf.sub(nextQ, tf.mul(alpha, nextSample.logProb));
      const y = tf.add(tf.tensor2d(batch.rewards, [B, 1]), tf.mul(tf.tensor2d(this.discountScratch, [B, 1]), soft));

      let qMean: tf.Scalar | undefined;
      const input = tf.concat([obs, act], 1);
      const critic = tf.variableGrads(() => {
        const losses = this.critics.map((c, i) => {
          const q = c.apply(input);
          if (i === 0) qMean = tf.keep(tf.mean(q) as tf.Scalar);
          return tf.mean(tf.squaredDifference(q, y));
        });
        return tf.mul(0.5, losses.length === 1 ? losses[0]! : tf.addN(losses)) as tf.Scalar;
      }, this.criticVars);
      this.criticOpt.apply(this.criticVars.map((v) => critic.grads[v.name]!));

      const actor = tf.variableGrads(() => {
        const d = this.distribution(obs);
        const s = squashedSample(d.mu, d.logStd, eps);
        const q = this.minQ(this.critics, tf.concat([obs, s.action], 1));
        return tf.mean(tf.sub(tf.mul(alpha, s.logProb), q)) as tf.Scalar;
      }, this.actorVars);
      this.actorOpt.apply(this.actorVars.map((v) => actor.grads[v.name]!));

      if (this.updates % cfg.targetUpdateInterval === 0)
        for (let i = 0; i < this.critics.length; i++) this.criticTargets[i]!.polyakFrom(this.critics[i]!, cfg.tau);
      this.sums.assign(tf.add(this.sums, tf.stack([critic.value, actor.value, qMean!])));
      qMean!.dispose();
    });
    this.windowUpdates++;
  }

  takeStats(): LearnerStats {
    const stats = takeWindowStats(this.sums, this.windowUpdates, this.windowUpdates);
    this.windowUpdates = 0;
    return stats;
  }

  healthy(): boolean {
    return windowFinite(this.sums) && Number.isFinite(this.logAlpha.dataSync()[0]);
  }

  reseed(seed: number): void {
    this.rng.seed(seed);
  }

  private nets(): Array<[string, Mlp]> {
    return [
      ['actor', this.actor],
      ['logStd', this.logStdHead],
      ...this.critics.map((c, i): [string, Mlp] => [`critic${i}`, c]),
      ...this.criticTargets.map((c, i): [string, Mlp] => [`criticTarget${i}`, c]),
    ];
  }

  snapshot(): Snapshot<SacJson> {
    const arrays: Record<string, SnapshotArray> = {};
    for (const [key, net] of this.nets()) net.getWeights().forEach((w, i) => (arrays[`${key}.${i}`] = w));
    const actorOpt = this.actorOpt.snapshot();
    const criticOpt = this.criticOpt.snapshot();
    const alphaOpt = this.alphaOpt.snapshot();
    Object.assign(arrays, prefixArrays('actorOpt', actorOpt.arrays), prefixArrays('criticOpt', criticOpt.arrays), prefixArrays('alphaOpt', alphaOpt.arrays));
    arrays.logAlpha = this.logAlpha.dataSync().slice() as Float32Array;
    arrays.sums = this.sums.dataSync().slice() as Float32Array;
    return {
      json: {
        updates: this.updates,
        windowUpdates: this.windowUpdates,
        rng: rngToJson(this.rng),
        actorOpt: actorOpt.json,
        criticOpt: criticOpt.json,
        alphaOpt: alphaOpt.json,
      },
      arrays,
    };
  }

  restore(snap: Snapshot): void {
    const j = snap.json as SacJson;
    const a = snap.arrays;
    for (const [key, net] of this.nets()) net.setWeights(net.variables.map((v, i) => requireArray(a, `${key}.${i}`, Float32Array, v.size)));
    this.actorOpt.restore({ json: j.actorOpt, arrays: unprefixArrays('actorOpt', a) });
    this.criticOpt.restore({ json: j.criticOpt, arrays: unprefixArrays('criticOpt', a) });
    this.alphaOpt.restore({ json: j.alphaOpt, arrays: unprefixArrays('alphaOpt', a) });
    const logAlpha = requireArray(a, 'logAlpha', Float32Array, 1);
    const sums = requireArray(a, 'sums', Float32Array, 3);
    tf.tidy(() => {
      this.logAlpha.assign(tf.tensor1d(logAlpha));
      this.sums.assign(tf.tensor1d(sums));
    });
    this.updates = j.updates;
    this.windowUpdates = j.windowUpdates;
    rngFromJson(this.rng, j.rng);
  }

  dispose(): void {
    for (const [, net] of this.nets()) net.dispose();
    this.logAlpha.dispose();
    this.actorOpt.dispose();
    this.criticOpt.dispose();
    this.alphaOpt.dispose();
    this.sums.dispose();
  }
}

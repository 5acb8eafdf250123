/**
 * D4PG (Barth-Maron et al. 2018) in one process: DDPG's deterministic actor with a categorical
 * distributional critic Z(s, a) over `atoms` returns in [vMin, vMax] (./categorical.ts). One
 * gradient step (`train`), on n-step samples (r = sum_j<k gamma^j r_t+j, s' = s_t+k, from the
 * replay's nStep):
 *
 *   p'  = softmax(Z_target(s', mu_target(s')))
 *   m   = projection of r + gamma^k (1 - terminated) z onto the support, with probabilities p'
 *   L_Z = mean_i w_i CE_i,  CE_i = -sum_atoms m log softmax(Z(s, a))      -> Adam step on the critic
 *         (w_i: prioritized replay's importance weights, 1 without)
 *   L_mu = -mean(E[Z(s, mu(s))])                                          -> Adam step on the actor
 *   targets <- tau * online + (1 - tau) * targets  (Polyak)
 *
 * With prioritized replay (a batch with `indices`), `train` returns each sample's new priority,
 * its cross-entropy CE_i, as the paper's prioritized D4PG. Exploration: the loop's noise on the
 * actor output (Gaussian in the paper).
 */
import * as tf from '@tensorflow/tfjs';
import type { D4pgConfig } from '../../../../src-shared/config/d4pg.js';
import { checkInputWidth, Mlp } from '../../../ml/mlp.js';
import { Rng } from '../../../core/rng.js';
import { prefixArrays, requireArray, unprefixArrays, type Snapshot, type SnapshotArray } from '../../../core/snapshot.js';
import type { ReplayBatch } from '../../replay/replay-buffer.js';
import { FlatAdam } from '../../../ml/optim.js';
import type { Learner, LearnerStats } from '../learner.js';
import { takeWindowStats, windowFinite } from '../loss-window.js';
import { actorSpec, discountsInto } from '../td3/td3.js';
import { expectedValue, projectTarget, type Support } from './categorical.js';

export interface D4pgSpaces {
  obsDim: number;
  actDim: number;
}

interface D4pgJson {
  updates: number;
  windowUpdates: number;
  actorOpt: unknown;
  criticOpt: unknown;
}

let instances = 0;

export class D4pg implements Learner {
  readonly actor: Mlp;
  readonly actorTarget: Mlp;
  /** [obs, action] -> logits over the atoms. */
  readonly critic: Mlp;
  readonly criticTarget: Mlp;
  readonly encoder = undefined;
  readonly name: string;
  readonly support: Support;
  updates = 0;
  private readonly actorOpt: FlatAdam;
  private readonly criticOpt: FlatAdam;
  /** [sum critic loss, sum actor loss, sum E[Z(s, a)]] over the current stats window. */
  private readonly sums: tf.Variable;
  private windowUpdates = 0;
  private discountScratch = new Float32Array(0);

  constructor(
    readonly spaces: D4pgSpaces,
    readonly cfg: D4pgConfig,
    seeds: { networks: number },
    name?: string,
  ) {
    if (!(cfg.atoms >= 2)) throw new Error(`d4pg: atoms must be at least 2 (got ${cfg.atoms})`);
    if (!(cfg.vMin < cfg.vMax)) throw new Error(`d4pg: vMax (${cfg.vMax}) must be above vMin (${cfg.vMin})`);
    this.name = name ?? `d4pg-${++instances}`;
    this.support = { atoms: cfg.atoms, vMin: cfg.vMin, vMax: cfg.vMax };
    const init = new Rng(seeds.networks);
    const throwaway = new Rng(0);
    this.actor = new Mlp(actorSpec(spaces, cfg.actorHidden), init, `${this.name}/actor`);
    const criticSpec = { inputDim: spaces.obsDim + spaces.actDim, hidden: cfg.criticHidden, outputDim: cfg.atoms, outputActivation: 'linear' as const };
    this.critic = new Mlp(criticSpec, init, `${this.name}/critic`);
    this.actorTarget = new Mlp(this.actor.spec, throwaway, `${this.name}/actor-target`);
    this.actorTarget.copyFrom(this.actor);
    this.criticTarget = new Mlp(criticSpec, throwaway, `${this.name}/critic-target`);
    this.criticTarget.copyFrom(this.critic);
    const clip = cfg.maxGradNorm;
    this.actorOpt = new FlatAdam(this.actor.variables, { lr: cfg.actorLr, maxGradNorm: clip }, `${this.name}/actor-adam`);
    this.criticOpt = new FlatAdam(this.critic.variables, { lr: cfg.criticLr, maxGradNorm: clip }, `${this.name}/critic-adam`);
    this.sums = tf.variable(tf.zeros([3]), false, `${this.name}/stats`);
  }

  get obsDim(): number {
    return this.spaces.obsDim;
  }

  get actDim(): number {
    return this.spaces.actDim;
  }

  initActor(weights: readonly Float32Array[]): void {
    this.actor.setWeights(weights);
    this.actorTarget.setWeights(weights);
  }

  act(obs: Float32Array, n: number): Float32Array {
    checkInputWidth(this.name, obs.length, n, this.spaces.obsDim);
    return tf.tidy(() => this.actor.apply(tf.tensor2d(obs, [n, this.spaces.obsDim])).dataSync() as Float32Array);
  }

  /** E[Z(s, a)] of the critic for one observation and action. */
  qValue(obs: Float32Array, action: Float32Array): number {
    const { obsDim: od, actDim: ad } = this.spaces;
    checkInputWidth(this.name, obs.length, 1, od);
    if (action.length !== ad) throw new Error(`${this.name}: the action has ${action.length} values, the critic takes ${ad}`);
    return tf.tidy(
      () => expectedValue(this.critic.apply(tf.concat([tf.tensor2d(obs, [1, od]), tf.tensor2d(action, [1, ad])], 1)), this.support).dataSync()[0]!,
    );
  }

  /** The projected target distribution m [B * atoms] `train` fits for `batch` (tests, debugging). */
  targetDistribution(batch: ReplayBatch): Float32Array {
    const B = batch.size;
    const discount = discountsInto(new Float32Array(B), batch, this.cfg.gamma);
    return tf.tidy(
      () =>
        this.target(
          tf.tensor2d(batch.nextObs, [B, this.spaces.obsDim]),
          tf.tensor2d(batch.rewards, [B, 1]),
          tf.tensor2d(discount, [B, 1]),
        ).dataSync() as Float32Array,
    );
  }

  /** Inside tf.tidy. */
  private target(nextObs: tf.Tensor2D, rewards: tf.Tensor2D, discounts: tf.Tensor2D): tf.Tensor2D {
    const nextAct = this.actorTarget.apply(nextObs);
    const probs = tf.softmax(this.criticTarget.apply(tf.concat([nextObs, nextAct], 1)));
    return projectTarget(probs, rewards, discounts, this.support);
  }

  /** One D4PG gradient step; returns per-sample priorities (cross-entropies) when the batch came from prioritized replay. */
  train(batch: ReplayBatch): Float32Array | undefined {
    const B = batch.size;
    const { obsDim: od, actDim: ad } = this.spaces;
    const cfg = this.cfg;
    this.updates++;
    if (this.discountScratch.length !== B) this.discountScratch = new Float32Array(B);
    discountsInto(this.discountScratch, batch, cfg.gamma);
    const wantPriorities = batch.indices !== undefined;
    const priorities = tf.tidy(() => {
      const obs = tf.tensor2d(batch.obs, [B, od]);
      const act = tf.tensor2d(batch.actions, [B, ad]);
      const m = this.target(tf.tensor2d(batch.nextObs, [B, od]), tf.tensor2d(batch.rewards, [B, 1]), tf.tensor2d(this.discountScratch, [B, 1]));
      const weights = batch.weights ? tf.tensor1d(batch.weights) : null;

      let ce: tf.Tensor1D | undefined;
      let qMean: tf.Scalar | undefined;
      const critic = tf.variableGrads(() => {
        const logits = this.critic.apply(tf.concat([obs, act], 1));
        const perSample = tf.neg(tf.sum(tf.mul(m, tf.logSoftmax(logits)), 1)) as tf.Tensor1D;
        ce = tf.keep(perSample);
        qMean = tf.keep(tf.mean(expectedValue(logits, this.support)) as tf.Scalar);
        return tf.mean(weights ? tf.mul(perSample, weights) : perSample) as tf.Scalar;
      }, this.critic.variables);
      this.criticOpt.apply(this.critic.variables.map((v) => critic.grads[v.name]!));

      const actor = tf.variableGrads(
        () => tf.neg(tf.mean(expectedValue(this.critic.apply(tf.concat([obs, this.actor.apply(obs)], 1)), this.support))) as tf.Scalar,
        this.actor.variables,
      );
      this.actorOpt.apply(this.actor.variables.map((v) => actor.grads[v.name]!));
      this.criticTarget.polyakFrom(this.critic, cfg.tau);
      this.actorTarget.polyakFrom(this.actor, cfg.tau);
      this.sums.assign(tf.add(this.sums, tf.stack([critic.value, actor.value, qMean!])));
      qMean!.dispose();
      return ce!;
    });
    this.windowUpdates++;
    const out = wantPriorities ? (priorities.dataSync().slice() as Float32Array) : undefined;
    priorities.dispose();
    return out;
  }

  takeStats(): LearnerStats {
    const stats = takeWindowStats(this.sums, this.windowUpdates, this.windowUpdates);
    this.windowUpdates = 0;
    return stats;
  }

  healthy(): boolean {
    return windowFinite(this.sums);
  }

  /** D4PG draws no random numbers of its own (exploration noise is the loop's). */
  reseed(_seed: number): void {}

  private nets(): Array<[string, Mlp]> {
    return [
      ['actor', this.actor],
      ['actorTarget', this.actorTarget],
      ['critic', this.critic],
      ['criticTarget', this.criticTarget],
    ];
  }

  snapshot(): Snapshot<D4pgJson> {
    const arrays: Record<string, SnapshotArray> = {};
    for (const [key, net] of this.nets()) net.getWeights().forEach((w, i) => (arrays[`${key}.${i}`] = w));
    const actorOpt = this.actorOpt.snapshot();
    const criticOpt = this.criticOpt.snapshot();
    Object.assign(arrays, prefixArrays('actorOpt', actorOpt.arrays), prefixArrays('criticOpt', criticOpt.arrays));
    arrays.sums = this.sums.dataSync().slice() as Float32Array;
    return { json: { updates: this.updates, windowUpdates: this.windowUpdates, actorOpt: actorOpt.json, criticOpt: criticOpt.json }, arrays };
  }

  restore(snap: Snapshot): void {
    const j = snap.json as D4pgJson;
    const a = snap.arrays;
    for (const [key, net] of this.nets()) net.setWeights(net.variables.map((v, i) => requireArray(a, `${key}.${i}`, Float32Array, v.size)));
    this.actorOpt.restore({ json: j.actorOpt, arrays: unprefixArrays('actorOpt', a) });
    this.criticOpt.restore({ json: j.criticOpt, arrays: unprefixArrays('criticOpt', a) });
    const sums = requireArray(a, 'sums', Float32Array, 3);
    tf.tidy(() => this.sums.assign(tf.tensor1d(sums)));
    this.updates = j.updates;
    this.windowUpdates = j.windowUpdates;
  }

  dispose(): void {
    for (const [, net] of this.nets()) net.dispose();
    this.actorOpt.dispose();
    this.criticOpt.dispose();
    this.sums.dispose();
  }
}

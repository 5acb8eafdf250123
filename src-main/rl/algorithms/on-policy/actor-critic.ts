/**
 * The on-policy actor-critic learner behind PPO, A2C and REINFORCE with a learned baseline
 * (settings.ts turns each config block into `ActorCriticSettings`). Separate policy and value
 * MLPs (SB3's MlpPolicy); the policy is
 *   continuous (BoxSpace): a diagonal Gaussian N(mu(s), sigma^2) with mu = tanh(actor(s)) and a
 *     learned, state-independent log sigma; samples are clipped to [-1, 1] by the rollout loop
 *     (the log-probability is the unclipped sample's, as in SB3). The tanh keeps the mean, which
 *     is the deterministic action (evaluation, export), inside the action box; SB3 leaves it linear.
 *   discrete (DiscreteSpace): a categorical over actor(s) logits; the deterministic action is
 *     the argmax.
 * The actor's last layer starts scaled by 0.01 (SB3's orthogonal init gives it gain 0.01), so the
 * first policy is near-uniform / zero-mean.
 *
 * `update` on one rollout: nEpochs passes over shuffled minibatches (the whole rollout when
 * batchSize is absent), each one optimizer step on
 *   L = L_policy + vfCoef * mean((R - V(s))^2) - entCoef * mean(H)
 * with L_policy PPO's clipped surrogate (clipRange set) or -mean(log pi * A); advantages
 * optionally normalized per minibatch. Gradients of both networks are clipped together to
 * maxGradNorm (SB3).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../core/rng.js';
import { prefixArrays, requireArray, rngFromJson, rngToJson, unprefixArrays, type RngJson, type Snapshot, type SnapshotArray } from '../../../core/snapshot.js';
import { checkInputWidth, Mlp } from '../../../ml/mlp.js';
import { FlatAdam } from '../../../ml/optim.js';
import { FlatRmsprop } from '../../../ml/rmsprop.js';
import type { ReplayBatch } from '../../replay/replay-buffer.js';
import type { LearnerStats } from '../learner.js';
import type { OnPolicyLearner, OnPolicyRollout, RolloutBatch } from '../on-policy-learner.js';
import {
  categoricalEntropy,
  categoricalLogProb,
  clippedSurrogateLoss,
  gaussianEntropy,
  gaussianLogProb,
  policyGradientLoss,
  sampleCategorical,
} from './distributions.js';
import { normalizeInPlace } from './gae.js';
import type { ActorCriticSettings } from './settings.js';

export interface ActorCriticSpaces {
  obsDim: number;
  actDim: number;
  /** Number of choices of a DiscreteSpace (actDim is then 1); absent for a BoxSpace. */
  discreteN?: number;
}

interface Window {
  updates: number;
  policyLoss: number;
  valueLoss: number;
  value: number;
  finite: boolean;
}

interface ActorCriticJson {
  updates: number;
  rng: RngJson;
  opt: unknown;
  window: Window;
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const emptyWindow = (): Window => ({ updates: 0, policyLoss: 0, valueLoss: 0, value: 0, finite: true });

let instances = 0;

export class ActorCritic implements OnPolicyLearner {
  readonly name: string;
  readonly obsDim: number;
  readonly actDim: number;
  readonly discrete: boolean;
  readonly onPolicy: OnPolicyRollout;
  readonly encoder = undefined;
  /** mu (tanh) or logits. */
  readonly actor: Mlp;
  readonly critic: Mlp;
  /** The Gaussian's log sigma per action dimension (continuous actions only). */
  readonly logStd: tf.Variable | undefined;
  /**
   * Discrete actions: the action is the argmax of the actor's outputs (logits), which is what the
   * DQN family's "q-argmax" policy head computes for checkpoints, policyFromWeights and export.
   */
  readonly policyHead: { kind: 'q-argmax'; actions: number } | undefined;
  updates = 0;
  private readonly vars: tf.Variable[];
  private readonly opt: FlatAdam | FlatRmsprop;
  private readonly rng: Rng;
  private window = emptyWindow();

  constructor(
    readonly spaces: ActorCriticSpaces,
    readonly settings: ActorCriticSettings,
    seeds: { networks: number; learner: number },
    name?: string,
  ) {
    this.name = name ?? `${settings.algo}-${++instances}`;
    this.obsDim = spaces.obsDim;
    this.actDim = spaces.actDim;
    this.discrete = spaces.discreteN !== undefined;
    if (this.discrete && spaces.actDim !== 1) throw new Error(`${settings.algo}: a discrete action is one index (actDim 1, got ${spaces.actDim})`);
    this.onPolicy = { schedule: settings.schedule, gamma: settings.gamma, gaeLambda: settings.gaeLambda };
    this.policyHead = spaces.discreteN !== undefined ? { kind: 'q-argmax', actions: spaces.discreteN } : undefined;
    const init = new Rng(seeds.networks);
    const outputDim = spaces.discreteN ?? spaces.actDim;
    this.actor = new Mlp(
      { inputDim: spaces.obsDim, hidden: settings.actorHidden, outputDim, outputActivation: this.discrete ? 'linear' : 'tanh' },
      init,
      `${this.name}/actor`,
    );
    this.critic = new Mlp({ inputDim: spaces.obsDim, hidden: settings.criticHidden, outputDim: 1, outputActivation: 'linear' }, init, `${this.name}/critic`);
    const w = this.actor.getWeights();
    for (const a of w.slice(-2)) for (let i = 0; i < a.length; i++) a[i] = a[i]! * 0.01;
    this.actor.setWeights(w);
    this.logStd = this.discrete ? undefined : tf.variable(tf.fill([spaces.actDim], settings.logStdInit), true, `${this.name}/logStd`);
    this.vars = [...this.actor.variables, ...(this.logStd ? [this.logStd] : []), ...this.critic.variables];
    this.opt =
      settings.optimizer === 'rmsprop'
        ? new FlatRmsprop(this.vars, { lr: settings.lr, alpha: 0.99, eps: 1e-5, maxGradNorm: settings.maxGradNorm }, `${this.name}/opt`)
        : new FlatAdam(this.vars, { lr: settings.lr, eps: 1e-5, maxGradNorm: settings.maxGradNorm }, `${this.name}/opt`);
    this.rng = new Rng(seeds.learner);
  }

  initActor(weights: readonly Float32Array[]): void {
    this.actor.setWeights(weights);
  }

  /** Deterministic actions: the Gaussian's mean, or the most likely index. */
  act(obs: Float32Array, n: number): Float32Array {
    checkInputWidth(this.name, obs.length, n, this.obsDim);
    const out = tf.tidy(() => this.actor.apply(tf.tensor2d(obs, [n, this.obsDim])).dataSync() as Float32Array);
    if (!this.discrete) return out;
    const k = this.spaces.discreteN!;
    const idx = new Float32Array(n);
    for (let e = 0; e < n; e++) {
      let best = 0;
      for (let i = 1; i < k; i++) if (out[e * k + i]! > out[e * k + best]!) best = i;
      idx[e] = best;
    }
    return idx;
  }

  sample(obs: Float32Array, n: number, actions: Float32Array, logProbs: Float32Array, values: Float32Array): void {
    checkInputWidth(this.name, obs.length, n, this.obsDim);
    const [out, v] = tf.tidy(() => {
      const x = tf.tensor2d(obs, [n, this.obsDim]);
      return [this.actor.apply(x).dataSync() as Float32Array, this.critic.apply(x).dataSync() as Float32Array];
    });
    values.set(v.subarray(0, n));
    if (this.discrete) {
      const k = this.spaces.discreteN!;
      for (let e = 0; e < n; e++) {
        const s = sampleCategorical(out, e * k, k, this.rng.next());
        actions[e] = s.index;
        logProbs[e] = s.logProb;
      }
      return;
    }
    const ad = this.actDim;
    const logStd = this.logStd!.dataSync() as Float32Array;
    for (let e = 0; e < n; e++) {
      let lp = 0;
      for (let k = 0; k < ad; k++) {
        const mu = out[e * ad + k]!;
        const sigma = Math.exp(logStd[k]!);
        const a = Math.fround(mu + sigma * this.rng.normal());
        actions[e * ad + k] = a;
        const z = (a - mu) / sigma;
        lp += -0.5 * z * z - logStd[k]! - HALF_LOG_2PI;
      }
      logProbs[e] = lp;
    }
  }

  values(obs: Float32Array, n: number): Float32Array {
    checkInputWidth(this.name, obs.length, n, this.obsDim);
    return tf.tidy(() => this.critic.apply(tf.tensor2d(obs, [n, this.obsDim])).dataSync() as Float32Array).slice(0, n);
  }

  /** On-policy learners have no Q critic: the live view reads V(s) here. */
  qValue(obs: Float32Array): number {
    return this.values(obs, 1)[0]!;
  }

  train(_batch: ReplayBatch): void {
    throw new Error(`${this.name}: an on-policy learner learns from rollouts (update), not replay batches`);
  }

  update(batch: RolloutBatch, progressRemaining: number): void {
    const s = this.settings;
    const p = Math.max(0, Math.min(1, progressRemaining));
    this.opt.lr = s.lrSchedule === 'linear' ? s.lr * p : s.lr;
    const clip = s.clipRange === undefined ? undefined : s.clipSchedule === 'linear' ? s.clipRange * p : s.clipRange;
    const size = batch.size;
    const mb = Math.min(s.batchSize ?? size, size);
    const order = new Int32Array(size);
    for (let i = 0; i < size; i++) order[i] = i;
    const od = this.obsDim;
    const ad = this.actDim;
    for (let epoch = 0; epoch < s.nEpochs; epoch++) {
      if (mb < size) {
        for (let i = size - 1; i > 0; i--) {
          const j = this.rng.int(i + 1);
          const t = order[i]!;
          order[i] = order[j]!;
          order[j] = t;
        }
      }
      for (let start = 0; start < size; start += mb) {
        const m = Math.min(mb, size - start);
        const obs = new Float32Array(m * od);
        const act = new Float32Array(m * ad);
        const oldLogp = new Float32Array(m);
        const adv = new Float32Array(m);
        const ret = new Float32Array(m);
        for (let r = 0; r < m; r++) {
          const i = order[start + r]!;
          obs.set(batch.obs.subarray(i * od, (i + 1) * od), r * od);
          act.set(batch.actions.subarray(i * ad, (i + 1) * ad), r * ad);
          oldLogp[r] = batch.logProbs[i]!;
          adv[r] = batch.advantages[i]!;
          ret[r] = batch.returns[i]!;
        }
        if (s.normalizeAdvantage) normalizeInPlace(adv);
        this.step(m, obs, act, oldLogp, adv, ret, clip, (grads) => this.opt.apply(grads));
      }
    }
  }

  /**
   * The gradient of the loss on a whole rollout (the vanilla policy-gradient loss, advantages
   * normalized if configured), flat in variable order, without an optimizer step: A3C's workers
   * apply it to the shared parameters themselves (rl/train/a3c/).
   */
  gradient(batch: RolloutBatch): Float32Array {
    const adv = batch.advantages.slice();
    if (this.settings.normalizeAdvantage) normalizeInPlace(adv);
    let flat: Float32Array = new Float32Array(0);
    this.step(batch.size, batch.obs, batch.actions, batch.logProbs, adv, batch.returns, undefined, (grads) => {
      flat = tf.concat(grads.map((g) => tf.reshape(g, [-1]) as tf.Tensor1D)).dataSync() as Float32Array;
    });
    return flat.slice();
  }

  /** Every trainable value (policy, log sigma, value network), flat in variable order. */
  getFlat(): Float32Array {
    const out = new Float32Array(this.vars.reduce((a, v) => a + v.size, 0));
    let off = 0;
    for (const v of this.vars) {
      out.set(v.dataSync() as Float32Array, off);
      off += v.size;
    }
    return out;
  }

  setFlat(flat: Float32Array): void {
    tf.tidy(() => {
      let off = 0;
      for (const v of this.vars) {
        v.assign(tf.tensor(flat.subarray(off, off + v.size), v.shape));
        off += v.size;
      }
    });
  }

  /** One step on a minibatch of m rows; `apply` receives the gradients in variable order (inside a tidy). */
  private step(
    m: number,
    obs: Float32Array,
    act: Float32Array,
    oldLogp: Float32Array,
    adv: Float32Array,
    ret: Float32Array,
    clip: number | undefined,
    apply: (grads: tf.Tensor[]) => void,
  ): void {
    const s = this.settings;
    const stats = tf.tidy(() => {
      const x = tf.tensor2d(obs, [m, this.obsDim]);
      const advT = tf.tensor1d(adv);
      const retT = tf.tensor1d(ret);
      // Kept out of variableGrads' scope (which frees everything but the loss); freed below.
      let parts: tf.Tensor | undefined;
      const { grads } = tf.variableGrads(() => {
        const out = this.actor.apply(x);
        let logp: tf.Tensor1D;
        let entropy: tf.Scalar;
        if (this.discrete) {
          logp = categoricalLogProb(out, tf.tensor1d(Int32Array.from(act), 'int32'));
          entropy = tf.mean(categoricalEntropy(out)) as tf.Scalar;
        } else {
          logp = gaussianLogProb(tf.tensor2d(act, [m, this.actDim]), out, this.logStd as tf.Tensor1D);
          entropy = gaussianEntropy(this.logStd as tf.Tensor1D);
        }
        const policyLoss = clip === undefined ? policyGradientLoss(logp, advT) : clippedSurrogateLoss(logp, tf.tensor1d(oldLogp), advT, clip);
        const v = tf.reshape(this.critic.apply(x), [-1]);
        const valueLoss = tf.mean(tf.square(tf.sub(retT, v))) as tf.Scalar;
        parts = tf.keep(tf.stack([policyLoss, valueLoss, tf.mean(v)]));
        return tf.sub(tf.add(policyLoss, tf.mul(valueLoss, s.vfCoef)), tf.mul(entropy, s.entCoef)) as tf.Scalar;
      }, this.vars);
      apply(this.vars.map((v) => grads[v.name]!));
      return parts!;
    });
    const [pl, vl, vm] = stats.dataSync() as Float32Array;
    stats.dispose();
    this.updates++;
    const w = this.window;
    w.updates++;
    w.policyLoss += pl!;
    w.valueLoss += vl!;
    w.value += vm!;
    if (!Number.isFinite(pl!) || !Number.isFinite(vl!) || !Number.isFinite(vm!)) w.finite = false;
  }

  takeStats(): LearnerStats {
    const w = this.window;
    this.window = emptyWindow();
    const n = w.updates;
    return {
      updates: n,
      actorUpdates: n,
      criticLoss: n ? w.valueLoss / n : Number.NaN,
      actorLoss: n ? w.policyLoss / n : null,
      qMean: n ? w.value / n : Number.NaN,
      finite: w.finite,
    };
  }

  healthy(): boolean {
    return this.window.finite;
  }

  reseed(seed: number): void {
    this.rng.seed(seed);
  }

  snapshot(): Snapshot<ActorCriticJson> {
    const opt = this.opt.snapshot();
    const arrays: Record<string, SnapshotArray> = {};
    this.actor.getWeights().forEach((w, i) => (arrays[`actor.${i}`] = w));
    this.critic.getWeights().forEach((w, i) => (arrays[`critic.${i}`] = w));
    if (this.logStd) arrays.logStd = Float32Array.from(this.logStd.dataSync() as Float32Array);
    return {
      json: { updates: this.updates, rng: rngToJson(this.rng), opt: opt.json, window: { ...this.window } },
      arrays: { ...arrays, ...prefixArrays('opt', opt.arrays) },
    };
  }

  restore(snap: Snapshot): void {
    const j = snap.json as ActorCriticJson;
    const a = snap.arrays;
    this.actor.setWeights(this.actor.variables.map((v, i) => requireArray(a, `actor.${i}`, Float32Array, v.size)));
    this.critic.setWeights(this.critic.variables.map((v, i) => requireArray(a, `critic.${i}`, Float32Array, v.size)));
    if (this.logStd) {
      const ls = requireArray(a, 'logStd', Float32Array, this.actDim);
      tf.tidy(() => this.logStd!.assign(tf.tensor1d(ls)));
    }
    this.opt.restore({ json: j.opt, arrays: unprefixArrays('opt', a) });
    this.updates = j.updates;
    this.window = { ...j.window };
    rngFromJson(this.rng, j.rng);
  }

  dispose(): void {
    this.actor.dispose();
    this.critic.dispose();
    this.logStd?.dispose();
    this.opt.dispose();
  }
}

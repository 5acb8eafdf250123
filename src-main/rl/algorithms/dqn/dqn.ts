/**
 * The DQN family in one learner (CleanRL style: read it top to bottom). Flags combine freely
 * (src-shared/config/dqn.ts); `rainbow` is the preset with all of them on.
 *
 * Acting (`explore`, every env step after learningStarts): epsilon-greedy over the online
 * network's Q values, epsilon falling linearly from explorationInitialEps to explorationFinalEps
 * over explorationFraction of the run's env steps (SB3's schedule); noisy networks act greedily
 * with fresh noise each step. `act` is the greedy index under the mean weights (no noise, no
 * epsilon): what evaluation, policy snapshots and export use.
 *
 * One gradient step (`train`) on a batch (s, a, R, s', k, terminated) with n-step returns
 * R = sum_j<k gamma^j r_j (k = 1 without n-step) and discount d = gamma^k (1 - terminated):
 *   a* = argmax_a Q_online(s', a) (double) or argmax_a Q_target(s', a)
 *   plain:  y = R + d Q_target(s', a*);  loss = mean_i w_i huber(Q(s_i, a_i) - y_i)  (or squared)
 *           priority_i = |Q(s_i, a_i) - y_i|
 *   C51:    m = projection of p_target(s', a*) through R + d z (./c51.ts);
 *           loss = mean_i w_i CE(m_i, p(s_i, a_i));  priority_i = CE_i (CleanRL's Rainbow)
 * w_i are prioritized replay's importance weights (1 with uniform replay). The target network
 * is updated every targetUpdateInterval env steps: copied (tau = 1) or Polyak-averaged, as SB3
 * does; the env-step count comes with `explore` (the trainer passes its step).
 *
 * Everything that shapes the numbers (both networks, Adam's moments, the exploration and noise
 * stream, the step counters) is in the snapshot, so a resumed run continues bit-exactly.
 */
import * as tf from '@tensorflow/tfjs';
import type { DqnConfig } from '../../../../src-shared/config/dqn.js';
import type { PolicyHead } from '../../../../src-shared/policy-head.js';
import { Rng } from '../../../core/rng.js';
import { prefixArrays, requireArray, rngFromJson, rngToJson, unprefixArrays, type RngJson, type Snapshot, type SnapshotArray } from '../../../core/snapshot.js';
import { checkInputWidth, Mlp } from '../../../ml/mlp.js';
import { FlatAdam } from '../../../ml/optim.js';
import type { ReplayBatch } from '../../replay/replay-buffer.js';
import type { Learner, LearnerStats } from '../learner.js';
import { projectDistribution, support } from './c51.js';
import { QNetwork, type LayerNoise } from './q-network.js';

export interface DqnSpaces {
  obsDim: number;
  /** Discrete actions n. */
  actions: number;
}

interface DqnJson {
  updates: number;
  windowUpdates: number;
  envSteps: number;
  targetUpdates: number;
  rng: RngJson;
  opt: unknown;
}

let instances = 0;

/** SB3's linear schedule: epsilon after `step` of `total` env steps. */
export function epsilonAt(cfg: Pick<DqnConfig, 'explorationInitialEps' | 'explorationFinalEps' | 'explorationFraction'>, step: number, total: number): number {
  const end = cfg.explorationFraction * total;
  const progress = end > 0 ? Math.min(1, step / end) : 1;
  return cfg.explorationInitialEps + (cfg.explorationFinalEps - cfg.explorationInitialEps) * progress;
}

export class Dqn implements Learner {
  readonly name: string;
  readonly q: QNetwork;
  readonly target: QNetwork;
  /** The greedy policy as a plain Mlp (the mean network folded), refreshed when read. */
  private readonly policyNet: Mlp;
  readonly policyHead: PolicyHead;
  /** Gradient steps done. */
  updates = 0;
  /** Env steps of the run so far (from `explore`): drives epsilon and the target updates. */
  envSteps = 0;
  private targetUpdates = 0;
  private readonly opt: FlatAdam;
  /** Epsilon-greedy draws and noisy-net noise. */
  private readonly rng: Rng;
  private readonly atoms: number;
  private readonly z: Float32Array | undefined;
  /** [sum loss, sum Q(s, a)] over the stats window. */
  private readonly sums: tf.Variable;
  private windowUpdates = 0;
  private actScratch = new Int32Array(0);
  private discountScratch = new Float32Array(0);
  private projScratch = new Float32Array(0);

  constructor(
    readonly spaces: DqnSpaces,
    readonly cfg: DqnConfig,
    /** The run's env steps (the epsilon schedule's length). */
    readonly totalSteps: number,
    seeds: { networks: number; learner: number },
    name?: string,
  ) {
    this.name = name ?? `dqn-${++instances}`;
    this.atoms = cfg.distributional ? cfg.atoms : 1;
    this.z = cfg.distributional ? support(cfg.atoms, cfg.vMin, cfg.vMax) : undefined;
    const spec = {
      obsDim: spaces.obsDim,
      actions: spaces.actions,
      atoms: this.atoms,
      hidden: cfg.hidden,
      dueling: cfg.dueling,
      noisy: cfg.noisy,
      noisySigma0: cfg.noisySigma0,
    };
    const init = new Rng(seeds.networks);
    this.q = new QNetwork(spec, init, `${this.name}/q`);
    this.target = new QNetwork(spec, new Rng(0), `${this.name}/q-target`);
    this.target.copyFrom(this.q);
    this.policyNet = new Mlp(this.q.policySpec(), new Rng(0), `${this.name}/policy`);
    this.policyHead = cfg.distributional
      ? { kind: 'categorical-argmax', actions: spaces.actions, atoms: cfg.atoms, vMin: cfg.vMin, vMax: cfg.vMax }
      : { kind: 'q-argmax', actions: spaces.actions };
    this.opt = new FlatAdam(this.q.variables, { lr: cfg.lr, eps: cfg.adamEps, maxGradNorm: cfg.maxGradNorm }, `${this.name}/adam`);
    this.rng = new Rng(seeds.learner);
    this.sums = tf.variable(tf.zeros([2]), false, `${this.name}/stats`);
  }

  get obsDim(): number {
    return this.spaces.obsDim;
  }

  /** One index per observation. */
  get actDim(): number {
    return 1;
  }

  /** The greedy policy's network: the mean Q network folded into an Mlp (outputs per policyHead). */
  get actor(): Mlp {
    this.policyNet.setWeights(this.q.policyWeights());
    return this.policyNet;
  }

  get encoder(): undefined {
    return undefined;
  }

  initActor(weights: readonly Float32Array[]): void {
    this.q.setPolicyWeights(weights);
    this.target.copyFrom(this.q);
  }

  /** Expected Q per action [n, actions] from network outputs (Q values, or C51 logits). Inside tf.tidy. */
  private values(out: tf.Tensor2D): tf.Tensor2D {
    if (!this.z) return out;
    const n = out.shape[0];
    const p = tf.softmax(tf.reshape(out, [n, this.spaces.actions, this.atoms]));
    return tf.sum(tf.mul(p, tf.tensor1d(this.z)), 2) as tf.Tensor2D;
  }

  /** Greedy indices [n] of the online network under `noise` (undefined: mean weights). */
  private greedy(obs: Float32Array, n: number, noise?: LayerNoise): Int32Array {
    const od = this.spaces.obsDim;
    checkInputWidth(this.name, obs.length, n, od);
    return tf.tidy(() => tf.argMax(this.values(this.q.apply(tf.tensor2d(obs, [n, od]), noise)), 1).dataSync() as Int32Array);
  }

  /** The greedy index (as a float) per observation, mean weights. */
  act(obs: Float32Array, n: number): Float32Array {
    return Float32Array.from(this.greedy(obs, n));
  }

  /**
   * Epsilon-greedy (or noisy greedy) actions for the env step after `step` env steps; each env
   * draws its own coin, then the random ones their index, from the learner's stream.
   */
  explore(obs: Float32Array, n: number, out: Float32Array, step = this.envSteps): void {
    const eps = epsilonAt(this.cfg, step, this.totalSteps);
    const coins = Array.from({ length: n }, () => this.rng.next() < eps);
    const greedy = coins.every((c) => c) ? undefined : this.greedy(obs, n, this.cfg.noisy ? this.q.sampleNoise(this.rng) : undefined);
    for (let e = 0; e < n; e++) out[e] = coins[e] ? this.rng.int(this.spaces.actions) : greedy![e]!;
    this.envSteps = step + n;
  }

  /** The online network's (expected) Q(s, a) for one observation and action index. */
  qValue(obs: Float32Array, action: Float32Array): number {
    checkInputWidth(this.name, obs.length, 1, this.spaces.obsDim);
    const a = Math.min(this.spaces.actions - 1, Math.max(0, Math.round(action[0]!)));
    return tf.tidy(() => this.values(this.q.apply(tf.tensor2d(obs, [1, this.spaces.obsDim]))).dataSync()[a]!);
  }

  /** Target-network updates due at the current env step (SB3: every targetUpdateInterval env steps). */
  private updateTarget(): void {
    const due = Math.floor(this.envSteps / this.cfg.targetUpdateInterval);
    if (due <= this.targetUpdates) return;
    const k = this.cfg.tau >= 1 ? 1 : due - this.targetUpdates;
    for (let i = 0; i < k; i++) {
      if (this.cfg.tau >= 1) this.target.copyFrom(this.q);
      else this.target.polyakFrom(this.q, this.cfg.tau);
    }
    this.targetUpdates = due;
  }

  /** One gradient step; returns each sample's new priority (|TD error|, or the C51 cross-entropy). */
  train(batch: ReplayBatch): Float32Array {
    const B = batch.size;
    const od = this.spaces.obsDim;
    const A = this.spaces.actions;
    const cfg = this.cfg;
    this.updateTarget();
    this.updates++;
    if (this.actScratch.length !== B) {
      this.actScratch = new Int32Array(B);
      this.discountScratch = new Float32Array(B);
    }
    for (let i = 0; i < B; i++) {
      this.actScratch[i] = Math.round(batch.actions[i]!);
      const k = batch.steps ? batch.steps[i]! : 1;
      this.discountScratch[i] = (k === 1 ? cfg.gamma : Math.pow(cfg.gamma, k)) * (1 - batch.terminated[i]!);
    }
    const noiseOnline = cfg.noisy ? this.q.sampleNoise(this.rng) : undefined;
    const noiseTarget = cfg.noisy ? this.target.sampleNoise(this.rng) : undefined;
    const priorities = tf.tidy(() => {
      const obs = tf.tensor2d(batch.obs, [B, od]);
      const next = tf.tensor2d(batch.nextObs, [B, od]);
      const actMask = tf.oneHot(tf.tensor1d(this.actScratch, 'int32'), A);
      const weights = batch.weights ? tf.tensor1d(batch.weights) : tf.ones([B]);
      // Next action: the online network picks it (double DQN) or the target network does.
      const targetOut = this.target.apply(next, noiseTarget);
      const chooser = cfg.double ? this.q.apply(next, noiseOnline) : targetOut;
      const nextMask = tf.oneHot(tf.argMax(this.values(chooser), 1) as tf.Tensor1D, A) as tf.Tensor2D;
      // C51's projected target distribution (computed on the CPU from the target network's).
      const m = this.z ? tf.tensor2d(this.projectTarget(targetOut, nextMask, batch), [B, this.atoms]) : undefined;
      let perSample: tf.Tensor1D | undefined;
      let qTaken: tf.Tensor1D | undefined;
      const step = tf.variableGrads(() => {
        const out = this.q.apply(obs, noiseOnline);
        if (!this.z) {
          const y = tf.add(tf.tensor1d(batch.rewards), tf.mul(tf.tensor1d(this.discountScratch), tf.sum(tf.mul(targetOut, nextMask), 1)));
          const q = tf.sum(tf.mul(out, actMask), 1) as tf.Tensor1D;
          const td = tf.sub(q, y);
          const abs = tf.abs(td);
          // Huber with delta 1 (PyTorch's smooth_l1_loss): 0.5 x^2 below 1, |x| - 0.5 above, as
          // 0.5 c^2 + |x| - c with c = min(|x|, 1).
          const c = tf.minimum(abs, 1);
          const loss = cfg.loss === 'huber' ? tf.add(tf.mul(0.5, tf.square(c)), tf.sub(abs, c)) : tf.square(td);
          perSample = tf.keep(abs as tf.Tensor1D);
          qTaken = tf.keep(q);
          return tf.mean(tf.mul(weights, loss)) as tf.Scalar;
        }
        const logits = tf.reshape(out, [B, A, this.atoms]);
        const taken = tf.sum(tf.mul(logits, tf.reshape(actMask, [B, A, 1])), 1) as tf.Tensor2D;
        const ce = tf.neg(tf.sum(tf.mul(m!, tf.logSoftmax(taken)), 1)) as tf.Tensor1D;
        perSample = tf.keep(ce);
        qTaken = tf.keep(tf.sum(tf.mul(tf.softmax(taken), tf.tensor1d(this.z)), 1) as tf.Tensor1D);
        return tf.mean(tf.mul(weights, ce)) as tf.Scalar;
      }, this.q.variables);
      this.opt.apply(this.q.variables.map((v) => step.grads[v.name]!));
      this.sums.assign(tf.add(this.sums, tf.stack([step.value, tf.mean(qTaken!)])));
      return perSample!;
    });
    const out = Float32Array.from(priorities.dataSync() as Float32Array);
    priorities.dispose();
    this.windowUpdates++;
    return out;
  }

  /** C51's target distribution m [B * atoms] (./c51.ts) from the target network's outputs. Reads the backend once. */
  private projectTarget(targetOut: tf.Tensor2D, nextMask: tf.Tensor2D, batch: ReplayBatch): Float32Array {
    const B = batch.size;
    const A = this.spaces.actions;
    const p = tf.tidy(() => tf.sum(tf.mul(tf.softmax(tf.reshape(targetOut, [B, A, this.atoms])), tf.reshape(nextMask, [B, A, 1])), 1).dataSync());
    if (this.projScratch.length !== B * this.atoms) this.projScratch = new Float32Array(B * this.atoms);
    return projectDistribution(p, batch.rewards, this.discountScratch, B, this.atoms, this.cfg.vMin, this.cfg.vMax, this.projScratch);
  }

  /**
   * The TD targets of a batch for plain (non-distributional) heads, without noise: for tests.
   */
  tdTargets(batch: ReplayBatch): Float32Array {
    const B = batch.size;
    const od = this.spaces.obsDim;
    const A = this.spaces.actions;
    return tf.tidy(() => {
      const next = tf.tensor2d(batch.nextObs, [B, od]);
      const targetOut = this.target.apply(next);
      const chooser = this.cfg.double ? this.q.apply(next) : targetOut;
      const nextMask = tf.oneHot(tf.argMax(this.values(chooser), 1) as tf.Tensor1D, A) as tf.Tensor2D;
      const d = Float32Array.from({ length: B }, (_, i) => Math.pow(this.cfg.gamma, batch.steps ? batch.steps[i]! : 1) * (1 - batch.terminated[i]!));
      return tf.add(tf.tensor1d(batch.rewards), tf.mul(tf.tensor1d(d), tf.sum(tf.mul(this.values(targetOut), nextMask), 1))).dataSync() as Float32Array;
    });
  }

  takeStats(): LearnerStats {
    const [loss, q] = this.sums.dataSync() as Float32Array;
    const n = this.windowUpdates;
    tf.tidy(() => this.sums.assign(tf.zeros([2])));
    this.windowUpdates = 0;
    return {
      updates: n,
      actorUpdates: 0,
      criticLoss: n ? loss! / n : Number.NaN,
      actorLoss: null,
      qMean: n ? q! / n : Number.NaN,
      finite: Number.isFinite(loss) && Number.isFinite(q),
    };
  }

  healthy(): boolean {
    const s = this.sums.dataSync();
    return Number.isFinite(s[0]) && Number.isFinite(s[1]);
  }

  reseed(seed: number): void {
    this.rng.seed(seed);
  }

  snapshot(): Snapshot<DqnJson> {
    const arrays: Record<string, SnapshotArray> = {};
    // "actor.<i>": the greedy policy's Mlp weights, where rl/checkpoint/policy.ts reads a policy.
    this.q.policyWeights().forEach((w, i) => (arrays[`actor.${i}`] = w));
    this.q.getWeights().forEach((w, i) => (arrays[`q.${i}`] = w));
    this.target.getWeights().forEach((w, i) => (arrays[`target.${i}`] = w));
    const opt = this.opt.snapshot();
    Object.assign(arrays, prefixArrays('opt', opt.arrays));
    arrays.sums = this.sums.dataSync().slice() as Float32Array;
    return {
      json: {
        updates: this.updates,
        windowUpdates: this.windowUpdates,
        envSteps: this.envSteps,
        targetUpdates: this.targetUpdates,
        rng: rngToJson(this.rng),
        opt: opt.json,
      },
      arrays,
    };
  }

  restore(snap: Snapshot): void {
    const j = snap.json as DqnJson;
    const a = snap.arrays;
    this.q.setWeights(this.q.variables.map((v, i) => requireArray(a, `q.${i}`, Float32Array, v.size)));
    this.target.setWeights(this.target.variables.map((v, i) => requireArray(a, `target.${i}`, Float32Array, v.size)));
    this.opt.restore({ json: j.opt, arrays: unprefixArrays('opt', a) });
    const sums = requireArray(a, 'sums', Float32Array, 2);
    tf.tidy(() => this.sums.assign(tf.tensor1d(sums)));
    this.updates = j.updates;
    this.windowUpdates = j.windowUpdates;
    this.envSteps = j.envSteps;
    this.targetUpdates = j.targetUpdates;
    rngFromJson(this.rng, j.rng);
  }

  dispose(): void {
    this.q.dispose();
    this.target.dispose();
    this.policyNet.dispose();
    this.opt.dispose();
    this.sums.dispose();
  }
}

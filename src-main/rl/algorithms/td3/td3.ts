/**
 * TD3 (Fujimoto et al. 2018), with DDPG (Lillicrap et al. 2016) as its preset, as in
 * Stable-Baselines3. One gradient step (`train`):
 *
 *   a'  = clip(mu_target(s') + clip(N(0, targetNoise^2), -noiseClip, noiseClip), -1, 1)
 *   y   = r + gamma (1 - terminated) min_i Q_target_i(s', a')
 *   L_Q = sum_i mean((Q_i(s, a) - y)^2)                       -> Adam step on every critic
 *   every policyDelay-th step:
 *     L_mu = -mean(Q_1(s, mu(s)))                              -> Adam step on the actor
 *            (+ actorPreActivationPenalty * mean(u^2), mu = tanh(u), when set)
 *     targets <- tau * online + (1 - tau) * targets  (Polyak)
 *
 * DDPG = {nCritics: 1, policyDelay: 1, targetNoise: 0}. Truncated transitions bootstrap
 * (only `terminated` zeroes the discount). With n-step replay (td3.replay.nStep, D4PG) a sample
 * carries r = sum_j<k gamma^j r_t+j and s' = s_t+k (k <= n, cut at the episode's end), and the
 * target discounts by gamma^k instead of gamma.
 *
 * Speed: one tf.tidy per step, no reads from the backend inside it; the losses and Q values are
 * accumulated on the backend and read only when `takeStats` or `healthy` is called.
 */
import * as tf from '@tensorflow/tfjs';
import type { Td3Config } from '../../../../src-shared/config/algo.js';
import { ConvEncoder, type ConvEncoderSpec } from '../../../ml/conv-encoder.js';
import { checkInputWidth, Mlp, type MlpSpec } from '../../../ml/mlp.js';
import { Rng } from '../../../core/rng.js';
import { prefixArrays, requireArray, rngFromJson, rngToJson, unprefixArrays, type RngJson, type Snapshot, type SnapshotArray } from '../../../core/snapshot.js';
import type { ReplayBatch } from '../../replay/replay-buffer.js';
import { FlatAdam } from '../../../ml/optim.js';
import type { Learner, LearnerStats } from '../learner.js';
import { takeWindowStats, windowFinite } from '../loss-window.js';

export interface Td3Spaces {
  obsDim: number;
  actDim: number;
}

/**
 * A trainable conv encoder in front of the actor and the critics (image observations): the
 * observation is [image (height * width * channels), extra (extraDim)], the networks see
 * [latent, extra]. The critic loss trains the encoder (with the critics' optimizer and learning
 * rate); the actor loss does not reach it (its input is the encoder's output, taken as a
 * constant), as in SAC-AE (Yarats et al. 2019). The TD target reads a Polyak-averaged target
 * encoder (rate `tau`).
 */
export interface Td3EncoderOptions {
  spec: ConvEncoderSpec;
  extraDim: number;
  /** Starting weights (ConvEncoder order); absent = drawn from the network seed after the MLPs. */
  weights?: readonly Float32Array[];
  /** Polyak factor of the target encoder. */
  tau: number;
}

/** What Td3 checkpoints per network. */
interface Net {
  readonly variables: tf.Variable[];
  getWeights(): Float32Array[];
  setWeights(w: readonly Float32Array[]): void;
  dispose(): void;
}

/** Means over the updates since the last `takeStats`. */
export type Td3Stats = LearnerStats;

interface Td3Json {
  updates: number;
  actorUpdates: number;
  windowUpdates: number;
  windowActorUpdates: number;
  rng: RngJson;
  actorOpt: unknown;
  criticOpt: unknown;
}

let instances = 0;

/** The TD target's discount per sample: gamma^k (k rewards summed, n-step) times (1 - terminated). */
export function discountsInto(out: Float32Array, batch: ReplayBatch, gamma: number): Float32Array {
  const steps = batch.steps;
  for (let i = 0; i < batch.size; i++) {
    const k = steps ? steps[i]! : 1;
    out[i] = (k === 1 ? gamma : Math.pow(gamma, k)) * (1 - batch.terminated[i]!);
  }
  return out;
}

/** Actor spec: obs -> hidden (ReLU) -> action (tanh). */
export function actorSpec(spaces: Td3Spaces, hidden: readonly number[]): MlpSpec {
  return { inputDim: spaces.obsDim, hidden, outputDim: spaces.actDim, outputActivation: 'tanh' };
}

/** Critic spec: [obs, action] -> hidden (ReLU) -> Q. */
export function criticSpec(spaces: Td3Spaces, hidden: readonly number[]): MlpSpec {
  return { inputDim: spaces.obsDim + spaces.actDim, hidden, outputDim: 1, outputActivation: 'linear' };
}

export class Td3 implements Learner {
  readonly actor: Mlp;
  readonly actorTarget: Mlp;
  readonly critics: Mlp[];
  readonly criticTargets: Mlp[];
  /** The trainable conv encoder and its target, when the observation is an image. */
  readonly encoder: ConvEncoder | undefined;
  readonly encoderTarget: ConvEncoder | undefined;
  /** Input size of the actor (and, with the action, of the critics): obsDim, or latent + extra with an encoder. */
  readonly featureDim: number;
  readonly name: string;
  /** Critic updates done (gradient steps). */
  updates = 0;
  /** Actor (and target) updates done. */
  actorUpdates = 0;
  private readonly actorOpt: FlatAdam;
  private readonly criticOpt: FlatAdam;
  private readonly criticVars: tf.Variable[];
  /** Target-policy smoothing noise. */
  private readonly rng: Rng;
  /** [sum critic loss, sum actor loss, sum Q_1] over the current stats window. */
  private readonly sums: tf.Variable;
  private windowUpdates = 0;
  private windowActorUpdates = 0;
  private noiseScratch = new Float32Array(0);
  private discountScratch = new Float32Array(0);

  constructor(
    readonly spaces: Td3Spaces,
    readonly cfg: Td3Config,
    seeds: { networks: number; targetNoise: number },
    name?: string,
    readonly encoderOptions?: Td3EncoderOptions,
  ) {
    this.name = name ?? `td3-${++instances}`;
    const init = new Rng(seeds.networks);
    const throwaway = new Rng(0);
    const enc = encoderOptions;
    if (enc) {
      const image = enc.spec.height * enc.spec.width * enc.spec.channels;
      if (image + enc.extraDim !== spaces.obsDim)
        throw new Error(`td3: the encoder reads ${image} image values + ${enc.extraDim} extra, but observations have ${spaces.obsDim}`);
    }
    this.featureDim = enc ? enc.spec.latentDim + enc.extraDim : spaces.obsDim;
    const netSpaces = { obsDim: this.featureDim, actDim: spaces.actDim };
    this.actor = new Mlp(actorSpec(netSpaces, cfg.actorHidden), init, `${this.name}/actor`);
    this.critics = [];
    for (let i = 0; i < cfg.nCritics; i++) this.critics.push(new Mlp(criticSpec(netSpaces, cfg.criticHidden), init, `${this.name}/critic${i}`));
    if (enc) {
      this.encoder = new ConvEncoder(enc.spec, init, `${this.name}/encoder`);
      if (enc.weights) this.encoder.setWeights(enc.weights);
      this.encoderTarget = new ConvEncoder(enc.spec, throwaway, `${this.name}/encoder-target`, false);
      this.encoderTarget.copyFrom(this.encoder);
    } else {
      this.encoder = undefined;
      this.encoderTarget = undefined;
    }
    this.actorTarget = new Mlp(this.actor.spec, throwaway, `${this.name}/actor-target`);
    this.actorTarget.copyFrom(this.actor);
    this.criticTargets = this.critics.map((c, i) => {
      const t = new Mlp(c.spec, throwaway, `${this.name}/critic${i}-target`);
      t.copyFrom(c);
      return t;
    });
    this.criticVars = [...this.critics.flatMap((c) => c.variables), ...(this.encoder?.variables ?? [])];
    const clip = cfg.maxGradNorm;
    this.actorOpt = new FlatAdam(this.actor.variables, { lr: cfg.actorLr, maxGradNorm: clip }, `${this.name}/actor-adam`);
    this.criticOpt = new FlatAdam(this.criticVars, { lr: cfg.criticLr, maxGradNorm: clip }, `${this.name}/critic-adam`);
    this.rng = new Rng(seeds.targetNoise);
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

  /** Deterministic actions for `n` observations [n * obsDim] -> [n * actDim] (a fresh array). */
  act(obs: Float32Array, n: number): Float32Array {
    const od = this.spaces.obsDim;
    checkInputWidth(this.name, obs.length, n, od);
    return tf.tidy(() => this.actor.apply(this.features(tf.tensor2d(obs, [n, od]), this.encoder)).dataSync() as Float32Array);
  }

  /** The networks' input for raw observations: the observations themselves, or [latent, extra] through `encoder`. */
  private features(obs: tf.Tensor2D, encoder: ConvEncoder | undefined): tf.Tensor2D {
    return encoder ? encoder.features(obs, this.encoderOptions!.extraDim) : obs;
  }

  /**
   * The first critic's Q(s, a) for one observation (as `act` takes it: raw, through the encoder
   * when there is one) and action (the live view's value readout).
   */
  qValue(obs: Float32Array, action: Float32Array): number {
    const { obsDim: od, actDim: ad } = this.spaces;
    checkInputWidth(this.name, obs.length, 1, od);
    if (action.length !== ad) throw new Error(`${this.name}: the action has ${action.length} values, the critic takes ${ad}`);
    return tf.tidy(() => {
      const feat = this.features(tf.tensor2d(obs, [1, od]), this.encoder);
      return this.critics[0]!.apply(tf.concat([feat, tf.tensor2d(action, [1, ad])], 1)).dataSync()[0]!;
    });
  }

  /** One TD3 gradient step on `batch`. */
  train(batch: ReplayBatch): void {
    const B = batch.size;
    const { obsDim: od, actDim: ad } = this.spaces;
    const cfg = this.cfg;
    this.updates++;
    const updateActor = this.updates % cfg.policyDelay === 0;
    if (this.discountScratch.length !== B) this.discountScratch = new Float32Array(B);
    discountsInto(this.discountScratch, batch, cfg.gamma);
    const smoothing = cfg.targetNoise > 0;
    if (smoothing) {
      if (this.noiseScratch.length !== B * ad) this.noiseScratch = new Float32Array(B * ad);
      const c = cfg.noiseClip;
      for (let i = 0; i < B * ad; i++) {
        const e = cfg.targetNoise * this.rng.normal();
        this.noiseScratch[i] = e > c ? c : e < -c ? -c : e;
      }
    }
    tf.tidy(() => {
      const obs = tf.tensor2d(batch.obs, [B, od]);
      const act = tf.tensor2d(batch.actions, [B, ad]);
      const rew = tf.tensor2d(batch.rewards, [B, 1]);
      const nextObs = tf.tensor2d(batch.nextObs, [B, od]);
      const discount = tf.tensor2d(this.discountScratch, [B, 1]);

      const y = this.target(nextObs, rew, discount, smoothing ? tf.tensor2d(this.noiseScratch, [B, ad]) : null);

      // Critics (and the encoder, which only the critic loss trains).
      let qMean: tf.Scalar | undefined;
      let feat: tf.Tensor2D = obs;
      const critic = tf.variableGrads(() => {
        let input: tf.Tensor2D;
        if (this.encoder) {
          feat = tf.keep(this.features(obs, this.encoder));
          input = tf.concat([feat, act], 1);
        } else {
          input = tf.concat([obs, act], 1);
        }
        const losses = this.critics.map((c, i) => {
          const q = c.apply(input);
          if (i === 0) qMean = tf.keep(tf.mean(q) as tf.Scalar);
          return tf.mean(tf.squaredDifference(q, y));
        });
        return (losses.length === 1 ? losses[0]! : tf.addN(losses)) as tf.Scalar;
      }, this.criticVars);
      this.criticOpt.apply(this.criticVars.map((v) => critic.grads[v.name]!));

      let actorLoss: tf.Scalar = tf.scalar(0);
      if (updateActor) {
        // With an encoder, `feat` is its output before this step's critic update, a constant here:
        // the actor loss never reaches the encoder.
        const pen = cfg.actorPreActivationPenalty ?? 0;
        const actor = tf.variableGrads(() => {
          if (pen <= 0) return tf.neg(tf.mean(this.critics[0]!.apply(tf.concat([feat, this.actor.apply(feat)], 1)))) as tf.Scalar;
          const pre = this.actor.applyPreActivation(feat);
          const q = tf.mean(this.critics[0]!.apply(tf.concat([feat, tf.tanh(pre)], 1)));
          return tf.sub(tf.mul(pen, tf.mean(tf.square(pre))), q) as tf.Scalar;
        }, this.actor.variables);
        this.actorOpt.apply(this.actor.variables.map((v) => actor.grads[v.name]!));
        actorLoss = actor.value;
        for (let i = 0; i < this.critics.length; i++) this.criticTargets[i]!.polyakFrom(this.critics[i]!, cfg.tau);
        this.actorTarget.polyakFrom(this.actor, cfg.tau);
        if (this.encoder) this.encoderTarget!.polyakFrom(this.encoder, this.encoderOptions!.tau);
      }
      this.sums.assign(tf.add(this.sums, tf.stack([critic.value, actorLoss, qMean!])));
      qMean!.dispose();
    });
    this.windowUpdates++;
    if (updateActor) {
      this.actorUpdates++;
      this.windowActorUpdates++;
    }
  }

  /** y = r + gamma (1 - terminated) min_i Q'_i(s', clip(mu'(s') + noise, -1, 1)). Inside tf.tidy. */
  private target(nextRaw: tf.Tensor2D, rew: tf.Tensor2D, discount: tf.Tensor2D, noise: tf.Tensor2D | null): tf.Tensor2D {
    const nextObs = this.features(nextRaw, this.encoderTarget);
    let nextAct: tf.Tensor2D = this.actorTarget.apply(nextObs);
    if (noise) nextAct = tf.clipByValue(tf.add(nextAct, noise) as tf.Tensor2D, -1, 1);
    const nextIn = tf.concat([nextObs, nextAct], 1);
    let nextQ = this.criticTargets[0]!.apply(nextIn);
    for (let i = 1; i < this.criticTargets.length; i++) nextQ = tf.minimum(nextQ, this.criticTargets[i]!.apply(nextIn));
    return tf.add(rew, tf.mul(discount, nextQ));
  }

  /**
   * The TD targets `train` would regress the critics on for `batch`, with the given smoothing
   * noise [size * actDim] (null: none). For tests and debugging; draws no random numbers.
   */
  tdTargets(batch: ReplayBatch, noise: Float32Array | null = null): Float32Array {
    const B = batch.size;
    const { obsDim: od, actDim: ad } = this.spaces;
    const discount = discountsInto(new Float32Array(B), batch, this.cfg.gamma);
    return tf.tidy(
      () =>
        this.target(
          tf.tensor2d(batch.nextObs, [B, od]),
          tf.tensor2d(batch.rewards, [B, 1]),
          tf.tensor2d(discount, [B, 1]),
          noise ? tf.tensor2d(noise, [B, ad]) : null,
        ).dataSync() as Float32Array,
    );
  }

  /** Reads and resets the window statistics (one small read from the backend). */
  takeStats(): Td3Stats {
    const stats = takeWindowStats(this.sums, this.windowUpdates, this.windowActorUpdates);
    this.windowUpdates = 0;
    this.windowActorUpdates = 0;
    return stats;
  }

  /** True while every loss since the last `takeStats` was finite (one small read). */
  healthy(): boolean {
    return windowFinite(this.sums);
  }

  /** Reseeds the target-smoothing noise (after a divergence roll-back). */
  reseed(seed: number): void {
    this.rng.seed(seed);
  }

  private nets(): Array<[string, Net]> {
    return [
      ['actor', this.actor],
      ['actorTarget', this.actorTarget],
      ...this.critics.map((c, i): [string, Net] => [`critic${i}`, c]),
      ...this.criticTargets.map((c, i): [string, Net] => [`criticTarget${i}`, c]),
      ...(this.encoder ? [['encoder', this.encoder] as [string, Net], ['encoderTarget', this.encoderTarget!] as [string, Net]] : []),
    ];
  }

  snapshot(): Snapshot<Td3Json> {
    const arrays: Record<string, SnapshotArray> = {};
    for (const [key, net] of this.nets()) net.getWeights().forEach((w, i) => (arrays[`${key}.${i}`] = w));
    const actorOpt = this.actorOpt.snapshot();
    const criticOpt = this.criticOpt.snapshot();
    Object.assign(arrays, prefixArrays('actorOpt', actorOpt.arrays), prefixArrays('criticOpt', criticOpt.arrays));
    arrays.sums = this.sums.dataSync().slice() as Float32Array;
    return {
      json: {
        updates: this.updates,
        actorUpdates: this.actorUpdates,
        windowUpdates: this.windowUpdates,
        windowActorUpdates: this.windowActorUpdates,
        rng: rngToJson(this.rng),
        actorOpt: actorOpt.json,
        criticOpt: criticOpt.json,
      },
      arrays,
    };
  }

  restore(snap: Snapshot): void {
    const j = snap.json as Td3Json;
    const a = snap.arrays;
    for (const [key, net] of this.nets()) {
      net.setWeights(net.variables.map((v, i) => requireArray(a, `${key}.${i}`, Float32Array, v.size)));
    }
    this.actorOpt.restore({ json: j.actorOpt, arrays: unprefixArrays('actorOpt', a) });
    this.criticOpt.restore({ json: j.criticOpt, arrays: unprefixArrays('criticOpt', a) });
    const sums = requireArray(a, 'sums', Float32Array, 3);
    tf.tidy(() => this.sums.assign(tf.tensor1d(sums)));
    this.updates = j.updates;
    this.actorUpdates = j.actorUpdates;
    this.windowUpdates = j.windowUpdates;
    this.windowActorUpdates = j.windowActorUpdates;
    rngFromJson(this.rng, j.rng);
  }

  dispose(): void {
    for (const [, net] of this.nets()) net.dispose();
    this.actorOpt.dispose();
    this.criticOpt.dispose();
    this.sums.dispose();
  }
}

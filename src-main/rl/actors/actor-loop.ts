/**
 * One actor of an async run, whatever carries its messages (a worker thread, or Redis across
 * machines): its own envs (a VecEnv with Gymnasium same-step autoreset), a copy of the learner's
 * actor built from versioned weights, and its own exploration noise. `collect` steps the envs
 * and returns the transitions as one batch, each tagged with the weight version that chose it.
 */
import type { EnvConfig } from '../../../src-shared/config/envs/index.js';
import type { NoiseConfig } from '../../../src-shared/config/noise.js';
import { TRANSITION_TERMINATED, TRANSITION_TRUNCATED, type ActorEpisode, type ActorWeights, type FloatTransitionBatch } from '../../../src-shared/actors.js';
import { Rng } from '../../core/rng.js';
import { episodeInfoNumbers } from '../../sim/adapter.js';
import { makeEnv } from '../../sim/registry.js';
import { VecEnv } from '../../sim/vec-env.js';
import type { ConvEncoderSpec } from '../../ml/conv-encoder.js';
import type { MlpSpec } from '../../ml/mlp.js';
import { GaussianNoise, NoNoise, OrnsteinUhlenbeckNoise, type ExplorationNoise } from '../noise/index.js';
import { policyFromWeights, type WeightsPolicy } from '../policy/policy.js';

export interface ActorLoopInit {
  runId: string;
  digest: string;
  /** This incarnation's id, and the slot it fills. */
  actor: string;
  slot: number;
  env: EnvConfig;
  numEnvs: number;
  /** Seeds of the envs' episode streams, the noise and the random actions before learning starts. */
  seeds: { envs: number; noise: number; actions: number };
  noise: NoiseConfig;
  actorSpec: MlpSpec;
  /** The trainable image encoder in front of the actor, when the run has one. */
  encoder?: { spec: ConvEncoderSpec; extraDim: number };
}

/** Noises an actor can own: action-space ones (parameter noise perturbs the learner's actor). */
function actorNoise(config: NoiseConfig, numEnvs: number, actDim: number, seed: number): ExplorationNoise {
  switch (config.type) {
    case 'gaussian':
      return new GaussianNoise(actDim, config.sigma, seed);
    case 'ou':
      return new OrnsteinUhlenbeckNoise(numEnvs, actDim, config, seed);
    case 'none':
      return new NoNoise();
    case 'param':
      throw new Error('parallel actors add action noise; parameter noise needs the synchronous loop (use gaussian or ou noise)');
    case 'scripted':
      throw new Error(
        "parallel actors add action noise; scripted exploration (the env's own controller) needs the synchronous loop (use gaussian or ou noise)",
      );
  }
}

/** Seeds of an actor incarnation: distinct per slot, incarnation and the step (or time) it started at. */
export function actorSeeds(base: number, slot: number, generation: number, fromStep: number): ActorLoopInit['seeds'] {
  const rng = new Rng((base ^ Math.imul(slot + 1, 0x9e3779b1) ^ Math.imul(generation + 1, 0x85ebca6b) ^ Math.imul(fromStep + 1, 0xc2b2ae35)) >>> 0);
  return { envs: rng.nextU32(), noise: rng.nextU32(), actions: rng.nextU32() };
}

/** Items per batch a `collect` call aims at when steps are fast. */
export const BATCH_TRANSITIONS = 64;

export class ActorLoop {
  readonly vec: VecEnv;
  readonly obsDim: number;
  readonly actDim: number;
  /** Leading observation values that are camera pixels (byte / 255; the env's imageLayout), 0 without a camera. */
  readonly imageDim: number;
  private readonly noise: ExplorationNoise;
  private readonly actionRng: Rng;
  private policy: WeightsPolicy | undefined;
  private random = true;
  /** Weight version of the actions chosen now. */
  version = 0;
  private seq = 0;
  steps = 0;
  private readonly noiseRow: Float32Array;
  private readonly actions: Float32Array;
  private readonly prevObs: Float32Array;
  private rateStart = performance.now();
  private rateSteps = 0;
  stepsPerS = 0;

  constructor(readonly init: ActorLoopInit) {
    const envs = Array.from({ length: init.numEnvs }, () => makeEnv(init.env));
    this.vec = new VecEnv(envs, init.seeds.envs);
    this.obsDim = this.vec.obsDim;
    this.actDim = this.vec.actDim;
    const layout = envs[0]!.imageLayout;
    this.imageDim = layout ? layout.height * layout.width * layout.channels : 0;
    this.noise = actorNoise(init.noise, init.numEnvs, this.actDim, init.seeds.noise);
    this.actionRng = new Rng(init.seeds.actions);
    this.noiseRow = new Float32Array(this.actDim);
    this.actions = new Float32Array(init.numEnvs * this.actDim);
    this.prevObs = new Float32Array(init.numEnvs * this.obsDim);
    this.vec.reset();
  }

  /** Takes the learner's newest weights (the caller has checked run and digest). */
  setWeights(w: ActorWeights): void {
    this.random = w.random;
    this.version = w.version;
    if (!this.policy) {
      const enc = this.init.encoder;
      this.policy = policyFromWeights(
        { spec: this.init.actorSpec, weights: w.actor, ...(enc ? { encoder: { ...enc, weights: w.encoder ?? [] } } : {}) },
        `actor-${this.init.slot}`,
      );
    } else {
      this.policy.setWeights(w.actor, w.encoder);
    }
  }

  get hasWeights(): boolean {
    return this.policy !== undefined;
  }

  /** Steps the envs until about `target` transitions (at least one vector step) or `maxMs` passed. */
  collect(target = BATCH_TRANSITIONS, maxMs = 50): FloatTransitionBatch {
    const n = this.vec.numEnvs;
    const { obsDim: od, actDim: ad } = this;
    const vecSteps = Math.max(1, Math.ceil(target / n));
    const cap = vecSteps * n;
    const env = new Uint8Array(cap);
    const obs = new Float32Array(cap * od);
    const actions = new Float32Array(cap * ad);
    const rewards = new Float64Array(cap);
    const next = new Float32Array(cap * od);
    const flags = new Uint8Array(cap);
    const episodes: ActorEpisode[] = [];
    const start = performance.now();
    const version = this.version;
    let count = 0;
    for (let v = 0; v < vecSteps; v++) {
      if (v > 0 && performance.now() - start > maxMs) break;
      this.act();
      this.prevObs.set(this.vec.obs);
      const res = this.vec.step(this.actions);
      for (let e = 0; e < n; e++, count++) {
        const term = res.terminated[e] === 1;
        const trunc = res.truncated[e] === 1;
        env[count] = e;
        obs.set(this.prevObs.subarray(e * od, (e + 1) * od), count * od);
        actions.set(this.actions.subarray(e * ad, (e + 1) * ad), count * ad);
        rewards[count] = res.rewards[e]!;
        const src = term || trunc ? res.finalObs : this.vec.obs;
        next.set(src.subarray(e * od, (e + 1) * od), count * od);
        flags[count] = (term ? TRANSITION_TERMINATED : 0) | (trunc ? TRANSITION_TRUNCATED : 0);
        if (term || trunc) {
          this.noise.reset(e);
          const info = episodeInfoNumbers(res.infos[e]!);
          episodes.push({ env: e, return: res.episodeReturns[e]!, length: res.episodeLengths[e]!, ...(Object.keys(info).length ? { info } : {}) });
        }
      }
    }
    this.steps += count;
    this.updateRate(count);
    const cut = count === cap;
    return {
      type: 'transitions',
      runId: this.init.runId,
      digest: this.init.digest,
      actor: this.init.actor,
      slot: this.init.slot,
      version,
      seq: this.seq++,
      count,
      obsDim: od,
      actDim: ad,
      env: cut ? env : env.slice(0, count),
      obs: cut ? obs : obs.slice(0, count * od),
      actions: cut ? actions : actions.slice(0, count * ad),
      rewards: cut ? rewards : rewards.slice(0, count),
      next: cut ? next : next.slice(0, count * od),
      flags: cut ? flags : flags.slice(0, count),
      episodes,
      stepsPerS: this.stepsPerS,
    };
  }

  /** Actions for every env: uniform random before learning starts, else the actor plus noise, clipped to [-1, 1]. */
  private act(): void {
    const n = this.vec.numEnvs;
    const ad = this.actDim;
    if (this.random || !this.policy) {
      for (let i = 0; i < this.actions.length; i++) this.actions[i] = this.actionRng.uniform(-1, 1);
      return;
    }
    const clean = this.policy.act(this.vec.obs, n);
    this.noise.prepare(this.vec.obs, clean);
    for (let e = 0; e < n; e++) {
      this.noise.sample(e, this.noiseRow);
      for (let k = 0; k < ad; k++) {
        const a = clean[e * ad + k]! + this.noiseRow[k]!;
        this.actions[e * ad + k] = a > 1 ? 1 : a < -1 ? -1 : a;
      }
    }
  }

  /** Steps per second over windows of about a second. */
  private updateRate(steps: number): void {
    this.rateSteps += steps;
    const now = performance.now();
    const dt = now - this.rateStart;
    if (dt >= 1000 || this.stepsPerS === 0) {
      this.stepsPerS = (this.rateSteps * 1000) / Math.max(1, dt);
      if (dt >= 1000) {
        this.rateStart = now;
        this.rateSteps = 0;
      }
    }
  }

  dispose(): void {
    this.policy?.dispose();
    this.noise.dispose();
    for (const e of this.vec.envs) e.close?.();
  }
}

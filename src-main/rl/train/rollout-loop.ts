/**
 * The on-policy collection step the Trainer (trainer.ts) runs instead of its replay loop when the
 * learner is an OnPolicyLearner (rl/algorithms/on-policy-learner.ts):
 *
 *   one vector step: the learner samples actions from its stochastic policy (recording their
 *     log-probabilities and V(s)); continuous samples are clipped to [-1, 1] for the envs; the
 *     step, its ending (terminated / truncated, with V(final obs) for truncations) and reward go
 *     to the rollout store; finished episodes and env events are reported as by the replay loop
 *   when the rollout is complete (nSteps per env, or enough finished episodes): GAE advantages,
 *     `learner.update`, the afterUpdate hook, a health check
 *
 * The trainer keeps everything else (controls, evaluation, checkpoints, logs, roll-backs); the
 * store's contents go into its checkpoints, so a run stopped mid-rollout resumes exactly.
 */
import type { VecEnv } from '../../sim/vec-env.js';
import type { Snapshot } from '../../core/snapshot.js';
import type { OnPolicyLearner, RolloutBatch } from '../algorithms/on-policy-learner.js';
import { STEP_CONTINUES, STEP_TERMINATED, STEP_TRUNCATED } from '../algorithms/on-policy/gae.js';
import { DivergenceError } from './divergence.js';
import { episodeInfoNumbers } from './evaluate.js';
import { fillStepView, forwardEnvEvents, type StepView, type TrainHooks } from './hooks.js';
import { RolloutStore } from './rollout-store.js';
import type { Throughput } from './throughput.js';
import type { TrainOutputs } from './types.js';

/** The trainer's counters the loop advances. */
export interface LoopCounters {
  step: number;
  vecSteps: number;
  episodes: number;
}

export interface RolloutLoopParts {
  learner: OnPolicyLearner;
  vec: VecEnv;
  out: TrainOutputs;
  hooks: TrainHooks<unknown>;
  rates: Throughput;
  totalSteps: number;
  /** The trainer's scratch rows (the live view's StepView reads them): observations acted in, env actions. */
  prevObs: Float32Array;
  actions: Float32Array;
  view: StepView;
  /** What to do with a complete rollout instead of `learner.update` (A3C's workers: a gradient for the shared parameters). */
  learn?: (batch: RolloutBatch, progressRemaining: number) => void;
}

export class RolloutLoop {
  readonly store: RolloutStore;
  private readonly raw: Float32Array;
  private readonly logProbs: Float32Array;
  private readonly values: Float32Array;

  constructor(private readonly p: RolloutLoopParts) {
    const { numEnvs, obsDim, actDim } = p.vec;
    this.store = new RolloutStore(numEnvs, obsDim, actDim, p.learner.onPolicy);
    this.raw = new Float32Array(numEnvs * actDim);
    this.logProbs = new Float32Array(numEnvs);
    this.values = new Float32Array(numEnvs);
  }

  /** One vector step, and an update when the rollout is complete; returns how many episodes ended and their total length. */
  iterate(c: LoopCounters): { episodes: number; steps: number } {
    const { learner, vec, out, hooks, rates, prevObs, actions } = this.p;
    const { numEnvs: n, obsDim: od, actDim: ad } = vec;
    prevObs.set(vec.obs);
    learner.sample(prevObs, n, this.raw, this.logProbs, this.values);
    for (let i = 0; i < actions.length; i++) {
      const a = this.raw[i]!;
      actions[i] = learner.discrete ? a : a > 1 ? 1 : a < -1 ? -1 : a;
    }
    const res = vec.step(actions);
    c.step += n;
    c.vecSteps++;
    rates.addEnvSteps(n);
    const boot = this.truncationValues(res.terminated, res.truncated, res.finalObs);
    let endedEpisodes = 0;
    let endedSteps = 0;
    for (let e = 0; e < n; e++) {
      const term = res.terminated[e] === 1;
      const trunc = res.truncated[e] === 1;
      const end = term ? STEP_TERMINATED : trunc ? STEP_TRUNCATED : STEP_CONTINUES;
      const row = prevObs.subarray(e * od, (e + 1) * od);
      this.store.push(e, row, this.raw.subarray(e * ad, (e + 1) * ad), this.logProbs[e]!, this.values[e]!, res.rewards[e]!, end, boot[e]!);
      const info = res.infos[e]!;
      forwardEnvEvents(out, info, c.step, e, c.episodes + 1);
      if (term || trunc) {
        c.episodes++;
        endedEpisodes++;
        endedSteps += res.episodeLengths[e]!;
        out.metric({ ...episodeInfoNumbers(info), kind: 'episode', step: c.step, return: res.episodeReturns[e]!, length: res.episodeLengths[e]! });
      }
    }
    if (hooks.onStep) hooks.onStep(fillStepView(this.p.view, res, c.step, true, c.episodes));
    if (this.store.complete()) this.update(c);
    return { episodes: endedEpisodes, steps: endedSteps };
  }

  private update(c: LoopCounters): void {
    const { learner, vec, hooks, rates } = this.p;
    const last = learner.onPolicy.schedule.mode === 'steps' ? learner.values(vec.obs, vec.numEnvs) : undefined;
    const batch = this.store.takeBatch(last);
    const before = learner.updates;
    const progressRemaining = 1 - c.step / this.p.totalSteps;
    if (this.p.learn) this.p.learn(batch, progressRemaining);
    else learner.update(batch, progressRemaining);
    for (let k = before; k < learner.updates; k++) rates.addUpdate();
    hooks.afterUpdate?.(learner, learner.updates);
    if (!learner.healthy()) throw new DivergenceError('a loss became NaN or infinite');
  }

  /** V(final obs) of the envs whose episode was truncated (not terminated) in this step; 0 elsewhere. */
  private truncationValues(terminated: Uint8Array, truncated: Uint8Array, finalObs: Float32Array): Float32Array {
    const { vec, learner } = this.p;
    const od = vec.obsDim;
    const out = new Float32Array(vec.numEnvs);
    const which: number[] = [];
    for (let e = 0; e < vec.numEnvs; e++) if (truncated[e] === 1 && terminated[e] !== 1) which.push(e);
    if (!which.length) return out;
    const rows = new Float32Array(which.length * od);
    which.forEach((e, i) => rows.set(finalObs.subarray(e * od, (e + 1) * od), i * od));
    const v = learner.values(rows, which.length);
    which.forEach((e, i) => (out[e] = v[i]!));
    return out;
  }

  snapshot(): Snapshot {
    return this.store.snapshot();
  }

  restore(snap: Snapshot): void {
    this.store.restore(snap);
  }
}

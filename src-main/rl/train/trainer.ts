/**
 * The training loop of one run (runs in the run's worker thread):
 *
 *   until totalSteps env steps:
 *     honour controls (stop -> checkpoint and end; pause; evaluate now)
 *     act: uniform random actions before learningStarts, then actor + exploration noise (or
 *       the learner's own explore, for stochastic policies)
 *     step the vectorized envs, store transitions, report finished episodes and env events
 *     every trainFreq vector steps after learningStarts: gradientSteps learner updates
 *       (schedule "episodes": gradientSteps updates after every finished episode; the loop
 *       settings come from the algorithm's config block through the registry's loopOf)
 *     after a finished episode: the afterEpisode hook (may ask for a checkpoint or the end)
 *     every logEvery env steps: a "train" metric line (means over the window)
 *     every evalEvery env steps: a deterministic evaluation on held-out seeds
 *     every checkpointEvery env steps: a full checkpoint
 *   final evaluation -> eval.json, final checkpoint, status "finished"
 *
 * On-policy learners (PPO, A2C, REINFORCE: rl/algorithms/on-policy-learner.ts) have no replay or
 * noise: the vector step and the updates are rollout-loop.ts's, which collects rollouts of their
 * stochastic policy and updates when one is complete; controls, evaluation, logs, checkpoints
 * and roll-backs are this loop's for every algorithm.
 *
 * Everything that shapes the numbers (weights, Adam moments, replay buffer, every RNG, noise
 * state, episodes in progress, counters, statistics windows) is in the checkpoint, so a resumed
 * run continues exactly as the uninterrupted run would on the same backend. A non-finite loss or
 * weight rolls the run back to its last checkpoint (which is only ever written healthy).
 *
 * Image observations with a conv encoder (lane obs "vae", rl/encoder/): a frozen encoder
 * wraps the envs (LatentObsEnv: the learner and the replay buffer see latents); a trainable one
 * ("finetune", "scratch") sits in the learner (Td3 encoder) and the replay buffer keeps the
 * frames as bytes.
 */
import { truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { RunConfig } from '../../../src-shared/config/run-config.js';
import { envAdapter, makeEnv } from '../../sim/registry.js';
import { DEFAULT_CONTROL_DT_S, type Env } from '../../sim/env.js';
import { VecEnv } from '../../sim/vec-env.js';
import { RUN_FILES } from '../../store/run-store.js';
import { CheckpointStore } from '../checkpoint/store.js';
import { policySnapshot, type PolicyMeta } from '../checkpoint/policy.js';
import { LatentObsEnv } from '../encoder/latent-env.js';
import type { ObsEncoderSetup } from '../encoder/setup.js';
import type { ConvEncoder } from '../../ml/conv-encoder.js';
import { Rng } from '../../core/rng.js';
import { prefixArrays, rngFromJson, rngToJson, unprefixArrays, type Snapshot, type SnapshotArray } from '../../core/snapshot.js';
import type { LoadedArchive } from '../checkpoint/archive.js';
import { makeNoise, type ExplorationNoise } from '../noise';
import { makeReplay, type Replay } from '../replay';
import type { Learner, OffPolicyLoop } from '../algorithms/learner.js';
import { loopOf, makeLearner } from '../algorithms/registry.js';
import { isOnPolicy } from '../algorithms/on-policy-learner.js';
import { DivergenceError } from './divergence.js';
import { RolloutLoop } from './rollout-loop.js';
import { policyOfLearner, type Policy } from '../policy/policy.js';
import { evaluateSelectedPolicy } from './select-best.js';
import { episodeInfoNumbers, evalMetricLine, evaluateRunPolicy, type EvalResult } from './evaluate.js';
import { trainMetricLine, writeEvalJson } from './run-lines.js';
import { initActorFromExport, policyMetaOf, runEncoders } from './run-encoders.js';
import { deriveSeeds, reseedAfterRollback, validationSeeds, type RunSeeds } from './seeds.js';
import { configDigest, fileSize, firstNonFinite, LoopClock, type TrainerJson } from './run-state.js';
import { fillStepView, forwardEnvEvents, newStepView, type StepView, type TrainHooks as HooksOf } from './hooks.js';
import type { TrainJob } from './types.js';
import { Throughput } from './throughput.js';
import { fillRandomActions } from './random-actions.js';

export type { StepView } from './hooks.js';
/** The hooks a Trainer calls (hooks.ts), with the Trainer itself in afterEpisode. */
export type TrainHooks = HooksOf<Trainer>;
export { configDigest } from './run-state.js';

/** Roll-backs allowed before the run is declared failed. */
export const MAX_ROLLBACKS = 5;
/** Gradient steps between on-backend health checks of the losses. */
const HEALTH_CHECK_EVERY = 100;
/** Evaluation episodes run side by side (at most). */
const MAX_EVAL_ENVS = 16;

export class Trainer {
  readonly config: RunConfig;
  readonly seeds: RunSeeds;
  readonly vec: VecEnv;
  readonly learner: Learner;
  /** The deterministic policy on raw observations (evaluation, best snapshots, the drive pipeline). */
  readonly policy: Policy;
  /** Replay, exploration noise and how the loop feeds the learner: off-policy learners only. */
  readonly buffer: Replay | undefined;
  readonly noise: ExplorationNoise | undefined;
  readonly loop: OffPolicyLoop | undefined;
  /** The rollout collection of on-policy learners (rollout-loop.ts). */
  readonly rollout: RolloutLoop | undefined;
  readonly checkpoints: CheckpointStore;
  /** The observation's conv encoder, if it has one (lane obs "vae"). */
  readonly encoderSetup: ObsEncoderSetup | undefined;
  /** A frozen encoder shared by every env wrapper (mode "frozen"). */
  readonly frozenEncoder: ConvEncoder | undefined;
  private readonly evalEnvs: Env[];
  private readonly actionRng: Rng;
  private readonly metricsPath: string;
  private readonly eventsPath: string;
  private readonly digest: string;

  step = 0;
  vecSteps = 0;
  episodes = 0;
  rollbacks = 0;
  bestEval: number | null = null;
  /** True once the afterEpisode hook asked to end training. */
  finishRequested = false;
  /** True once the final evaluation is written (kept in the final checkpoint). */
  private finalEvalDone = false;
  private updatesSinceHealthCheck = 0;
  /** The latest evaluation (for the app). */
  lastEval: EvalResult | undefined;

  // Scratch (allocation-free hot loop).
  private readonly prevObs: Float32Array;
  private readonly actions: Float32Array;
  private readonly noiseRow: Float32Array;
  private readonly view: StepView;

  // Wall-clock bookkeeping (never part of the numbers).
  private readonly rates = new Throughput();
  private readonly clock = new LoopClock();

  constructor(
    private readonly job: TrainJob,
    private readonly hooks: TrainHooks = {},
  ) {
    const cfg = (this.config = job.config);
    this.seeds = deriveSeeds(cfg.seed);
    this.digest = configDigest(cfg);
    const rawBuild = hooks.makeEnv ?? makeEnv;
    const { setup, frozen: frozenEncoder, trainable: encoderOptions } = runEncoders(cfg, job.runId, job.runDir);
    this.encoderSetup = setup;
    this.frozenEncoder = frozenEncoder;
    const frozen = this.frozenEncoder;
    const build = frozen ? (c: RunConfig['env']) => new LatentObsEnv(rawBuild(c), frozen) : rawBuild;
    // The simulators as built (HER reads the goal env's layout from them), then as the loop steps them (the live view's tap wraps them).
    const rawEnvs = Array.from({ length: cfg.numEnvs }, () => build(cfg.env));
    const envs = rawEnvs.map((env, i) => (hooks.wrapEnv ? hooks.wrapEnv(env, i) : env));
    this.vec = new VecEnv(envs, this.seeds.envs);
    const spaces = { obsDim: this.vec.obsDim, actDim: this.vec.actDim };
    this.learner = makeLearner({
      spaces,
      actionSpace: this.vec.envs[0]!.actionSpace,
      config: cfg,
      seeds: { networks: this.seeds.networks, learner: this.seeds.targetNoise },
      ...(encoderOptions ? { encoder: encoderOptions } : {}),
    });
    this.policy = policyOfLearner(this.learner, frozen && setup ? { encoder: frozen, extraDim: setup.extraDim } : undefined);
    // No need to hold more transitions than the run will ever collect.
    const loop = (this.loop = loopOf(cfg));
    const capacity = Math.min(loop?.bufferSize ?? 0, cfg.totalSteps + cfg.numEnvs);
    const imageDim = encoderOptions ? setup!.spec.height * setup!.spec.width * setup!.spec.channels : 0;
    this.buffer =
      loop &&
      makeReplay(loop.replay, {
        capacity,
        obsDim: spaces.obsDim,
        actDim: spaces.actDim,
        numEnvs: cfg.numEnvs,
        seed: this.seeds.replay,
        env: rawEnvs[0]!,
        imageDim,
        gamma: loop.gamma,
        totalSteps: cfg.totalSteps,
      });
    this.noise =
      loop &&
      makeNoise(loop.noise, {
        numEnvs: cfg.numEnvs,
        actDim: spaces.actDim,
        seed: this.seeds.noise,
        actor: this.learner.actor,
        name: this.learner.name,
        env: cfg.env,
      });
    this.actionRng = new Rng(this.seeds.actions);
    // Evaluation steps the simulators themselves: the policy takes raw observations.
    // (None when the env's adapter has its own protocol: it builds what it drives.)
    this.evalEnvs = envAdapter(cfg.env.id).evaluate ? [] : Array.from({ length: Math.min(cfg.evalEpisodes, MAX_EVAL_ENVS) }, () => rawBuild(cfg.env));
    this.checkpoints = new CheckpointStore(join(job.runDir, RUN_FILES.checkpoints));
    this.metricsPath = join(job.runDir, RUN_FILES.metrics);
    this.eventsPath = join(job.runDir, RUN_FILES.events);
    this.prevObs = new Float32Array(cfg.numEnvs * spaces.obsDim);
    this.actions = new Float32Array(cfg.numEnvs * spaces.actDim);
    this.noiseRow = new Float32Array(spaces.actDim);
    this.view = newStepView(cfg.numEnvs, this.prevObs, this.actions, this.vec.obs);
    const parts = {
      vec: this.vec,
      out: job.out,
      hooks,
      rates: this.rates,
      totalSteps: cfg.totalSteps,
      prevObs: this.prevObs,
      actions: this.actions,
      view: this.view,
    };
    this.rollout = isOnPolicy(this.learner) ? new RolloutLoop({ ...parts, learner: this.learner }) : undefined;
  }

  /** Runs to the end, or until stopped. Reports status through the job's outputs. */
  async run(): Promise<void> {
    const { out, controls } = this.job;
    const cfg = this.config;
    const torn = this.checkpoints.cleanTemp();
    if (torn.length) out.log('warn', `removed ${torn.length} incomplete checkpoint folder(s) left by an interrupted write`);
    // Resume whenever a complete checkpoint exists: the manager asks for it when run.json has
    // progress, but a crash can come before run.json records any.
    if (this.resumeFromCheckpoint()) {
      out.log('info', `resumed from the checkpoint at step ${this.step}`);
      if (this.finalEvalDone) {
        // Interrupted after the final checkpoint but before "finished" was recorded: nothing is left to do.
        out.status('finished', this.step);
        return;
      }
    } else {
      // A fresh start (or a restart the user asked for) owns the run's logs: drop lines an
      // attempt without a checkpoint left. resumeFromCheckpoint refused if there was history.
      const keep = this.hooks.freshLogOffsets;
      for (const [path, bytes] of [
        [this.metricsPath, keep?.metrics ?? 0],
        [this.eventsPath, keep?.events ?? 0],
      ] as const) {
        if (fileSize(path) > bytes) truncateSync(path, bytes);
      }
      if (cfg.initPolicy) await initActorFromExport(this.learner, cfg, cfg.initPolicy, this.job.out, this.hooks.loadInitPolicy);
      this.vec.reset();
      this.writeCheckpoint();
    }
    out.status('running', this.step);
    this.resetWindows();

    for (;;) {
      while (this.step < cfg.totalSteps && !this.finishRequested) {
        await this.clock.yieldNow();
        const due = this.hooks.interlude?.();
        if (due) {
          await this.finishInterlude(due);
          continue;
        }
        if (controls.paused && !controls.stopRequested) {
          out.status('paused', this.step);
          for (;;) {
            await controls.waitWhilePaused();
            // Woken for an interlude (manual driving while paused): run it, then wait on.
            const woke = controls.stopRequested ? undefined : this.hooks.interlude?.();
            if (!woke) break;
            await this.finishInterlude(woke);
            if (!controls.paused) break;
          }
          if (!controls.stopRequested) out.status('running', this.step);
          this.resetWindows();
        }
        if (controls.stopRequested) {
          const g = this.guard(() => {
            this.assertHealthy();
            this.writeCheckpoint();
          });
          if (g === 'ok') out.status('stopped', this.step);
          if (g !== 'rolled-back') return;
          continue; // rolled back: the next pass writes the stop checkpoint
        }
        if (controls.takeEvaluateRequest()) this.evaluate();
        if (this.guard(() => this.iterate()) === 'gave-up') return;
        await this.clock.pace(this.job.controls, this.vec.envs[0]?.controlDtS ?? DEFAULT_CONTROL_DT_S);
      }

      // The end: last statistics, final evaluation, final checkpoint.
      let g = this.guard(() => {
        if (this.step % cfg.logEvery !== 0) this.logTrainLine();
        this.assertHealthy();
      });
      if (g === 'gave-up') return;
      if (g === 'rolled-back') continue;
      if (cfg.selectBest) this.evaluate(); // the last policy is a candidate too
      const selected = cfg.selectBest ? evaluateSelectedPolicy(this.job.runDir, this.checkpoints, cfg, this.evalEnvs, this.job.out) : undefined;
      writeEvalJson(join(this.job.runDir, 'eval.json'), this.step, selected?.result ?? this.evaluate(), selected?.extra);
      this.finalEvalDone = true;
      g = this.guard(() => this.writeCheckpoint());
      if (g === 'gave-up') return;
      if (g === 'rolled-back') continue;
      out.status('finished', this.step);
      return;
    }
  }

  /** Waits for an interlude to end; wall-clock windows and pacing restart after it. */
  private async finishInterlude(p: Promise<void>): Promise<void> {
    await p;
    this.resetWindows();
    this.clock.restart();
  }

  /** Runs `fn`; on divergence rolls back. 'gave-up' means the run has been marked failed. */
  private guard(fn: () => void): 'ok' | 'rolled-back' | 'gave-up' {
    try {
      fn();
      return 'ok';
    } catch (e) {
      if (!(e instanceof DivergenceError)) throw e;
      return this.rollback(e.message) ? 'rolled-back' : 'gave-up';
    }
  }

  private assertHealthy(): void {
    if (!this.learner.healthy()) throw new DivergenceError('a loss became NaN or infinite');
  }

  /** One vector step plus whatever training, logging, evaluation and checkpointing falls due. */
  private iterate(): void {
    const cfg = this.config;
    const { loop, buffer } = this;
    const before = this.step;
    const ended = loop && buffer ? this.collect(loop, buffer) : this.rollout!.iterate(this);
    let n = 0;
    if (!loop || !buffer) {
      // On-policy: the rollout loop updated when its rollout was complete.
    } else if (loop.trainSchedule === 'episodes') {
      // Kendall et al.: a fixed number of optimisation steps after each episode (-1: its length).
      if (ended.episodes > 0 && this.step > loop.learningStarts) n = loop.gradientSteps >= 0 ? ended.episodes * loop.gradientSteps : ended.steps;
    } else if (this.vecSteps % loop.trainFreq === 0 && this.step > loop.learningStarts) {
      n = loop.gradientSteps >= 0 ? loop.gradientSteps : loop.trainFreq * cfg.numEnvs;
    }
    // (A HER buffer has nothing to sample until an episode has ended.)
    if (n > 0 && buffer && buffer.size > 0) {
      for (let k = 0; k < n; k++) {
        const batch = buffer.sample(loop!.batchSize);
        const priorities = this.learner.train(batch);
        if (priorities && batch.indices) buffer.updatePriorities?.(batch.indices, priorities);
        this.rates.addUpdate();
        this.hooks.afterUpdate?.(this.learner, this.learner.updates);
        if (++this.updatesSinceHealthCheck >= HEALTH_CHECK_EVERY) {
          this.updatesSinceHealthCheck = 0;
          if (!this.learner.healthy()) throw new DivergenceError('a loss became NaN or infinite');
        }
      }
    }
    if (ended.episodes > 0 && this.hooks.afterEpisode) {
      const r = this.hooks.afterEpisode(this);
      if (r?.finish) this.finishRequested = true;
      if (r?.checkpoint) {
        this.assertHealthy();
        this.writeCheckpoint();
      }
    }
    const crossed = (every: number) => every > 0 && Math.floor(before / every) < Math.floor(this.step / every);
    if (crossed(cfg.logEvery)) this.logTrainLine();
    if (this.step < cfg.totalSteps && crossed(cfg.evalEvery)) this.evaluate();
    if (this.step < cfg.totalSteps && crossed(cfg.checkpointEvery)) {
      this.assertHealthy();
      this.writeCheckpoint();
    }
    this.maybeProgress();
  }

  /** One vector step; returns how many episodes ended in it and their total length. */
  private collect(loop: OffPolicyLoop, buffer: Replay): { episodes: number; steps: number } {
    const { numEnvs: n, obsDim: od, actDim: ad } = this.vec;
    let endedEpisodes = 0;
    let endedSteps = 0;
    const out = this.job.out;
    this.prevObs.set(this.vec.obs);
    const fromActor = this.step >= loop.learningStarts;
    const noise = this.noise!;
    if (!fromActor) {
      fillRandomActions(this.vec.envs[0]!.actionSpace, this.actionRng, this.actions);
    } else if (this.learner.explore) {
      this.learner.explore(this.prevObs, n, this.actions, this.step);
    } else {
      const clean = this.learner.act(this.prevObs, n);
      noise.prepare(this.prevObs, clean);
      for (let e = 0; e < n; e++) {
        noise.sample(e, this.noiseRow);
        for (let k = 0; k < ad; k++) {
          const a = clean[e * ad + k]! + this.noiseRow[k]!;
          this.actions[e * ad + k] = a > 1 ? 1 : a < -1 ? -1 : a;
        }
      }
    }
    const res = this.vec.step(this.actions);
    this.step += n;
    this.vecSteps++;
    this.rates.addEnvSteps(n);
    for (let e = 0; e < n; e++) {
      const term = res.terminated[e] === 1;
      const trunc = res.truncated[e] === 1;
      const done = term || trunc;
      const next = done ? res.finalObs.subarray(e * od, (e + 1) * od) : this.vec.obs.subarray(e * od, (e + 1) * od);
      buffer.add(e, this.prevObs.subarray(e * od, (e + 1) * od), this.actions.subarray(e * ad, (e + 1) * ad), res.rewards[e]!, next, term, trunc);
      const info = res.infos[e]!;
      forwardEnvEvents(out, info, this.step, e, this.episodes + 1);
      if (done) {
        noise.reset(e);
        this.episodes++;
        endedEpisodes++;
        endedSteps += res.episodeLengths[e]!;
        out.metric({ ...episodeInfoNumbers(info), kind: 'episode', step: this.step, return: res.episodeReturns[e]!, length: res.episodeLengths[e]! });
      }
    }
    if (this.hooks.onStep) this.hooks.onStep(fillStepView(this.view, res, this.step, fromActor, this.episodes));
    return { episodes: endedEpisodes, steps: endedSteps };
  }

  private logTrainLine(): void {
    const stats = this.learner.takeStats();
    if (!stats.finite) throw new DivergenceError('a loss became NaN or infinite');
    const line = trainMetricLine(stats, this.rates.window.rates(), this.step);
    if (line) this.job.out.metric(line);
    this.resetWindows();
  }

  private resetWindows(): void {
    this.rates.window.reset();
  }

  /** Deterministic evaluation on the fixed evaluation (selectBest: validation) seeds; keeps the best policy snapshot. */
  evaluate(): EvalResult {
    const cfg = this.config;
    // The env's protocol (lane: Kendall et al.'s held-out routes), or episodes on held-out seeds.
    const seeds = cfg.selectBest ? validationSeeds(cfg.evalEpisodes) : undefined;
    const result = evaluateRunPolicy((obs, n) => this.policy.act(obs, n), cfg.env, cfg.evalEpisodes, this.evalEnvs, seeds);
    this.lastEval = result;
    this.job.out.metric(evalMetricLine(result, this.step));
    if (Number.isFinite(result.mean_return) && (this.bestEval === null || result.mean_return > this.bestEval)) {
      this.bestEval = result.mean_return;
      const snap = policySnapshot(this.learner.actor.getWeights(), this.policyEncoderWeights());
      if (firstNonFinite(snap.arrays) === undefined) {
        this.checkpoints.writeBest(this.step, result.mean_return, snap, { ...this.policyMeta(), std_return: result.std_return, episodes: result.episodes });
      }
    }
    return result;
  }

  private policyMeta(): PolicyMeta & { algo: string; configDigest: string } {
    return policyMetaOf(this.learner, this.config, this.digest, this.encoderSetup);
  }

  /** The weights of the encoder in front of the actor (trained or frozen), if there is one. */
  policyEncoderWeights(): Float32Array[] | undefined {
    return (this.learner.encoder ?? this.frozenEncoder)?.getWeights();
  }

  /** The deterministic policy on raw observations as a function (the drive pipeline, benchmarks). */
  rawPolicy(): (obs: Float32Array, n: number) => Float32Array {
    return (obs, n) => this.policy.act(obs, n);
  }

  /** Everything that shapes the numbers from here on. */
  snapshot(): Snapshot<Record<string, unknown>> {
    const learner = this.learner.snapshot();
    const replay = this.buffer?.snapshot();
    const noise = this.noise?.snapshot();
    const rollout = this.rollout?.snapshot();
    const vec = this.vec.snapshot();
    const trainer: TrainerJson = {
      step: this.step,
      vecSteps: this.vecSteps,
      episodes: this.episodes,
      rollbacks: this.rollbacks,
      bestEval: this.bestEval,
      updatesSinceHealthCheck: this.updatesSinceHealthCheck,
      actionRng: rngToJson(this.actionRng),
      metricsBytes: fileSize(this.metricsPath),
      eventsBytes: fileSize(this.eventsPath),
      configDigest: this.digest,
      ...(this.finishRequested ? { finishRequested: true } : {}),
      ...(this.finalEvalDone ? { finalEvalDone: true } : {}),
    };
    const frozen: Record<string, SnapshotArray> = {};
    this.frozenEncoder?.getWeights().forEach((w, i) => (frozen[`frozenEncoder.${i}`] = w));
    return {
      json: { trainer, learner: learner.json, replay: replay?.json, noise: noise?.json, ...(rollout ? { rollout: rollout.json } : {}), vec: vec.json },
      arrays: {
        ...frozen,
        ...prefixArrays('learner', learner.arrays),
        ...(replay ? prefixArrays('replay', replay.arrays) : {}),
        ...(noise ? prefixArrays('noise', noise.arrays) : {}),
        ...(rollout ? prefixArrays('rollout', rollout.arrays) : {}),
        ...prefixArrays('vec', vec.arrays),
      },
    };
  }

  restore(archive: LoadedArchive): void {
    const json = archive.snapshot.json as { trainer: TrainerJson; learner: unknown; replay: unknown; noise: unknown; rollout?: unknown; vec: unknown };
    const arrays = archive.snapshot.arrays;
    const t = json.trainer;
    if (t.configDigest !== this.digest) throw new Error('the checkpoint was written with a different config; it cannot be resumed with this one');
    this.learner.restore({ json: json.learner, arrays: unprefixArrays('learner', arrays) });
    this.buffer?.restore({ json: json.replay, arrays: unprefixArrays('replay', arrays) });
    this.noise?.restore({ json: json.noise, arrays: unprefixArrays('noise', arrays) });
    this.rollout?.restore({ json: json.rollout, arrays: unprefixArrays('rollout', arrays) });
    if (this.frozenEncoder && 'frozenEncoder.0' in arrays) {
      // The encoder the run was trained with (even if the VAE model folder changed since).
      this.frozenEncoder.setWeights(this.frozenEncoder.variables.map((_, i) => arrays[`frozenEncoder.${i}`] as Float32Array));
    }
    const mismatched = this.vec.restore({ json: json.vec, arrays: unprefixArrays('vec', arrays) });
    if (mismatched.length) {
      this.job.out.log(
        'warn',
        `env(s) ${mismatched.join(', ')} did not replay to the saved state (non-deterministic env); they start a new episode, so this run will not match an uninterrupted one exactly`,
      );
    }
    this.step = t.step;
    this.vecSteps = t.vecSteps;
    this.episodes = t.episodes;
    this.rollbacks = t.rollbacks;
    this.bestEval = t.bestEval;
    this.finishRequested = t.finishRequested === true;
    this.finalEvalDone = t.finalEvalDone === true;
    this.updatesSinceHealthCheck = t.updatesSinceHealthCheck;
    rngFromJson(this.actionRng, t.actionRng);
    // Lines written after the checkpoint are replaced by the resumed run's own.
    for (const [path, bytes] of [
      [this.metricsPath, t.metricsBytes],
      [this.eventsPath, t.eventsBytes],
    ] as const) {
      if (fileSize(path) > bytes) truncateSync(path, bytes);
    }
  }

  /**
   * Restores the newest checkpoint that loads. When none loads but the run has history
   * (checkpoint folders, metrics or events), starting over would destroy it:
   * that needs the user's explicit restart, else this throws with each checkpoint's reason.
   */
  private resumeFromCheckpoint(): boolean {
    const loaded = this.checkpoints.loadLatest();
    for (const s of loaded?.skipped ?? []) this.job.out.log('warn', `skipped checkpoint ${s}`);
    if (loaded) {
      this.restore(loaded.archive);
      return true;
    }
    const keep = this.hooks.freshLogOffsets;
    const reasons = this.checkpoints.unloadable();
    // Evidence, not the resume flag: a pipeline entering this stage for the first time resumes too.
    // (A pipeline re-logs its own stage events past its offsets before the trainer starts: there
    // only checkpoints and metrics count.)
    const hasHistory = reasons.length > 0 || fileSize(this.metricsPath) > (keep?.metrics ?? 0) || (!keep && fileSize(this.eventsPath) > 0);
    if (!hasHistory) return false;
    const why = reasons.length ? reasons.join('; ') : 'the run has no checkpoint';
    if (!this.job.restart) {
      throw new Error(
        `refusing to resume: no checkpoint can be loaded (${why}); nothing was changed. Restart it from step 0 with --restart (this empties metrics.jsonl and events.jsonl)`,
      );
    }
    this.job.out.log('warn', `no checkpoint can be loaded (${why}); restarting from step 0 as asked`);
    return false;
  }

  /** Writes a full checkpoint (the caller has checked the losses); throws on non-finite weights. */
  private writeCheckpoint(): void {
    const snap = this.snapshot();
    const bad = firstNonFinite(unprefixArrays('learner', snap.arrays));
    if (bad) throw new DivergenceError(`weight "${bad}" is not finite`);
    this.checkpoints.writeFull(this.step, snap, { ...this.policyMeta(), episodes: this.episodes, updates: this.learner.updates });
  }

  /** Restores the last good checkpoint after a divergence. Returns false if the run gave up. */
  private rollback(reason: string): boolean {
    const { out } = this.job;
    const detectedAt = this.step;
    const rollbacks = this.rollbacks + 1;
    const loaded = this.checkpoints.loadLatest();
    if (!loaded) {
      out.event({ kind: 'divergence', step: detectedAt, t: Date.now(), reason, rolledBackTo: null, rollbacks });
      out.status('failed', detectedAt, `diverged (${reason}) and no checkpoint is left to roll back to`);
      return false;
    }
    this.restore(loaded.archive);
    this.rollbacks = rollbacks;
    // Take a different path from the checkpoint than the one that diverged.
    this.buffer?.reseed(reseedAfterRollback(this.seeds.replay, rollbacks));
    this.learner.reseed(reseedAfterRollback(this.seeds.targetNoise, rollbacks));
    out.event({ kind: 'divergence', step: detectedAt, t: Date.now(), reason, rolledBackTo: this.step, rollbacks });
    out.log('warn', `training diverged at step ${detectedAt} (${reason}); rolled back to the checkpoint at step ${this.step}`);
    this.resetWindows();
    if (rollbacks > MAX_ROLLBACKS) {
      out.status('failed', this.step, `diverged ${rollbacks} times; lower the learning rates or enable maxGradNorm`);
      return false;
    }
    return true;
  }

  private maybeProgress(): void {
    const rates = this.rates.progressDue();
    if (rates) this.job.out.progress({ step: this.step, totalSteps: this.config.totalSteps, episodes: this.episodes, ...rates });
  }

  dispose(): void {
    this.learner.dispose();
    this.frozenEncoder?.dispose();
    this.noise?.dispose();
    for (const e of [...this.vec.envs, ...this.evalEnvs]) e.close?.();
  }
}

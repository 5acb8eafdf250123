/**
 * The training loop of one run (runs in the run's worker thread):
 *
 *   until totalSteps env steps:
 *     honour controls (stop -> checkpoint and end; pause; evaluate now)
 *     act: uniform random actions before learningStarts, then actor + exploration noise
 *     step the vectorized envs, store transitions, report finished episodes and env events
 *     every trainFreq vector steps after learningStarts: gradientSteps TD3 updates
 *     every logEvery env steps: a "train" metric line (means over the window)
 *     every evalEvery env steps: a deterministic evaluation on held-out seeds
 *     every checkpointEvery env steps: a full checkpoint
 *   final evaluation -> eval.json, final checkpoint, status "finished"
 *
 * Everything that shapes the numbers (weights, Adam moments, replay buffer, every RNG, noise
 * state, episodes in progress, counters, statistics windows) is in the checkpoint, so a resumed
 * run continues exactly as the uninterrupted run would on the same backend. A non-finite loss or
 * weight rolls the run back to its last checkpoint (which is only ever written healthy).
 */
import { statSync, truncateSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { RunConfig } from '../../../src-shared/config/run-config.js';
import type { MetricLine } from '../../../src-shared/types.js';
import { makeEnv } from '../../sim/registry.js';
import { DEFAULT_CONTROL_DT_S, type Env } from '../../sim/env.js';
import { VecEnv } from '../../sim/vec-env.js';
import { writeJsonAtomic } from '../../store/atomic.js';
import { RUN_FILES } from '../../store/run-store.js';
import { Rng } from '../rng.js';
import { CheckpointStore } from '../checkpoint/store.js';
import { policySnapshot, type PolicyMeta } from '../checkpoint/policy.js';
import { prefixArrays, rngFromJson, rngToJson, unprefixArrays, type RngJson, type Snapshot, type SnapshotArray } from '../checkpoint/snapshot.js';
import type { LoadedArchive } from '../checkpoint/archive.js';
import { makeNoise, type ExplorationNoise } from '../noise/index.js';
import { makeReplay, type Replay } from '../replay/index.js';
import { Td3 } from '../td3/td3.js';
import { episodeInfoNumbers, evaluatePolicy, type EvalResult } from './evaluate.js';
import { deriveSeeds, evalSeeds, reseedAfterRollback, type RunSeeds } from './seeds.js';
import type { TrainJob } from './types.js';

/** What one vector step did, for live views (the UI's "what the agent does"). Reused objects. */
export interface StepView {
  /** Env steps done after this vector step. */
  step: number;
  numEnvs: number;
  /** [numEnvs * obsDim] observations the actions were chosen in. */
  obs: Float32Array;
  /** [numEnvs * actDim] actions taken (after noise and clipping). */
  actions: Float32Array;
  rewards: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  /** [numEnvs * obsDim] current observations (the next episode's first one where an episode ended). */
  nextObs: Float32Array;
  /** Whether the actions came from the actor (false: uniform random warm-up). */
  fromActor: boolean;
}

export interface TrainHooks {
  /** Called after every vector step. Keep it cheap: it runs on the training thread. */
  onStep?(view: StepView): void;
  /** Called after every gradient step (tests use it to inject faults). */
  afterUpdate?(learner: Td3, updates: number): void;
  /** Builds the envs instead of the registry (tests, custom envs). */
  makeEnv?(config: RunConfig['env']): Env;
}

/** Roll-backs allowed before the run is declared failed. */
export const MAX_ROLLBACKS = 5;
/** Gradient steps between on-backend health checks of the losses. */
const HEALTH_CHECK_EVERY = 100;
/** Progress messages per second (at most). */
const PROGRESS_INTERVAL_MS = 250;
/** Longest stretch of work between yields to the event loop (control messages arrive there). */
const YIELD_INTERVAL_MS = 25;
/** Evaluation episodes run side by side (at most). */
const MAX_EVAL_ENVS = 16;

interface TrainerJson {
  step: number;
  vecSteps: number;
  episodes: number;
  rollbacks: number;
  bestEval: number | null;
  updatesSinceHealthCheck: number;
  actionRng: RngJson;
  metricsBytes: number;
  eventsBytes: number;
  configDigest: string;
}

class DivergenceError extends Error {}

export function configDigest(config: RunConfig): string {
  // The name is cosmetic (runs can be renamed); everything else shapes the numbers.
  const { name: _name, ...rest } = config;
  // Fields added after runs existed are left out at their default, so those runs still resume.
  const { replay, ...td3 } = rest.td3;
  const digested = replay.type === 'uniform' ? { ...rest, td3 } : rest;
  return createHash('sha256').update(JSON.stringify(digested)).digest('hex').slice(0, 16);
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function firstNonFinite(arrays: Record<string, SnapshotArray>): string | undefined {
  for (const [name, a] of Object.entries(arrays)) {
    if (!(a instanceof Float32Array)) continue;
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return name;
  }
  return undefined;
}

export class Trainer {
  readonly config: RunConfig;
  readonly seeds: RunSeeds;
  readonly vec: VecEnv;
  readonly learner: Td3;
  readonly buffer: Replay;
  readonly noise: ExplorationNoise;
  readonly checkpoints: CheckpointStore;
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
  private updatesSinceHealthCheck = 0;

  // Scratch (allocation-free hot loop).
  private readonly prevObs: Float32Array;
  private readonly actions: Float32Array;
  private readonly noiseRow: Float32Array;
  private readonly view: StepView;

  // Wall-clock bookkeeping (never part of the numbers).
  private windowStart = performance.now();
  private windowEnvSteps = 0;
  private windowUpdates = 0;
  private lastProgress = 0;
  private progressStart = performance.now();
  private progressEnvSteps = 0;
  private progressUpdates = 0;
  private lastYield = performance.now();
  /** Real-time pacing: wall-clock start and simulated seconds since then (undefined = not pacing). */
  private paceStart: number | undefined;
  private paceSimS = 0;

  constructor(
    private readonly job: TrainJob,
    private readonly hooks: TrainHooks = {},
  ) {
    const cfg = (this.config = job.config);
    this.seeds = deriveSeeds(cfg.seed);
    this.digest = configDigest(cfg);
    const build = hooks.makeEnv ?? makeEnv;
    const envs = Array.from({ length: cfg.numEnvs }, () => build(cfg.env));
    this.vec = new VecEnv(envs, this.seeds.envs);
    const spaces = { obsDim: this.vec.obsDim, actDim: this.vec.actDim };
    this.learner = new Td3(spaces, cfg.td3, { networks: this.seeds.networks, targetNoise: this.seeds.targetNoise });
    // No need to hold more transitions than the run will ever collect.
    const capacity = Math.min(cfg.td3.bufferSize, cfg.totalSteps + cfg.numEnvs);
    this.buffer = makeReplay(cfg.td3.replay, { capacity, obsDim: spaces.obsDim, actDim: spaces.actDim, numEnvs: cfg.numEnvs, seed: this.seeds.replay, env: envs[0]! });
    this.noise = makeNoise(cfg.td3.noise, { numEnvs: cfg.numEnvs, actDim: spaces.actDim, seed: this.seeds.noise, actor: this.learner.actor, name: this.learner.name });
    this.actionRng = new Rng(this.seeds.actions);
    this.evalEnvs = Array.from({ length: Math.min(cfg.evalEpisodes, MAX_EVAL_ENVS) }, () => build(cfg.env));
    this.checkpoints = new CheckpointStore(join(job.runDir, RUN_FILES.checkpoints));
    this.metricsPath = join(job.runDir, RUN_FILES.metrics);
    this.eventsPath = join(job.runDir, RUN_FILES.events);
    this.prevObs = new Float32Array(cfg.numEnvs * spaces.obsDim);
    this.actions = new Float32Array(cfg.numEnvs * spaces.actDim);
    this.noiseRow = new Float32Array(spaces.actDim);
    this.view = {
      step: 0,
      numEnvs: cfg.numEnvs,
      obs: this.prevObs,
      actions: this.actions,
      rewards: new Float64Array(cfg.numEnvs),
      terminated: new Uint8Array(cfg.numEnvs),
      truncated: new Uint8Array(cfg.numEnvs),
      nextObs: this.vec.obs,
      fromActor: false,
    };
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
    } else {
      // A fresh start owns the run's logs: drop lines an attempt without a checkpoint left.
      for (const path of [this.metricsPath, this.eventsPath]) if (fileSize(path) > 0) truncateSync(path, 0);
      if (cfg.initPolicy) await this.initActorFromExport(cfg.initPolicy);
      this.vec.reset();
      this.writeCheckpoint();
    }
    out.status('running', this.step);
    this.resetWindows();

    for (;;) {
      while (this.step < cfg.totalSteps) {
        await this.yieldNow();
        if (controls.paused && !controls.stopRequested) {
          out.status('paused', this.step);
          await controls.waitWhilePaused();
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
        await this.pace();
      }

      // The end: last statistics, final evaluation, final checkpoint.
      let g = this.guard(() => {
        if (this.step % cfg.logEvery !== 0) this.logTrainLine();
        this.assertHealthy();
      });
      if (g === 'gave-up') return;
      if (g === 'rolled-back') continue;
      const final = this.evaluate();
      writeJsonAtomic(join(this.job.runDir, 'eval.json'), {
        step: this.step,
        mean_return: final.mean_return,
        std_return: final.std_return,
        episodes: final.episodes,
        returns: final.returns,
        lengths: final.lengths,
        seeds: final.seeds,
        episode_stats: final.episodeStats,
        deterministic: true,
      });
      g = this.guard(() => this.writeCheckpoint());
      if (g === 'gave-up') return;
      if (g === 'rolled-back') continue;
      out.status('finished', this.step);
      return;
    }
  }

  /** Loads an exported actor into the actor and its target (a fresh run started from an export). */
  private async initActorFromExport(dir: string): Promise<void> {
    const { importPolicy } = await import('../../export/load.js');
    const imported = await importPolicy(dir);
    const want = this.learner.actor.spec;
    const got = imported.actor.spec;
    if (imported.meta.envId !== this.config.env.id) throw new Error(`the policy in ${dir} was exported for "${imported.meta.envId}", not "${this.config.env.id}"`);
    if (imported.encoder) throw new Error(`the policy in ${dir} has a camera encoder; this run's observations are vectors`);
    if (got.inputDim !== want.inputDim || got.outputDim !== want.outputDim || got.hidden.join(',') !== want.hidden.join(',') || got.outputActivation !== want.outputActivation) {
      throw new Error(`the actor in ${dir} is ${got.inputDim}-${got.hidden.join('-')}-${got.outputDim}; this run's actor is ${want.inputDim}-${want.hidden.join('-')}-${want.outputDim} (set td3.actorHidden to match)`);
    }
    this.learner.actor.setWeights(imported.actor.weights);
    this.learner.actorTarget.setWeights(imported.actor.weights);
    this.job.out.log('info', `actor initialized from the export in ${dir} (${imported.from})`);
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
    const td3 = cfg.td3;
    const before = this.step;
    this.collect();
    // (A HER buffer has nothing to sample until an episode has ended.)
    if (this.vecSteps % td3.trainFreq === 0 && this.step > td3.learningStarts && this.buffer.size > 0) {
      const n = td3.gradientSteps >= 0 ? td3.gradientSteps : td3.trainFreq * cfg.numEnvs;
      for (let k = 0; k < n; k++) {
        this.learner.train(this.buffer.sample(td3.batchSize));
        this.windowUpdates++;
        this.progressUpdates++;
        this.hooks.afterUpdate?.(this.learner, this.learner.updates);
        if (++this.updatesSinceHealthCheck >= HEALTH_CHECK_EVERY) {
          this.updatesSinceHealthCheck = 0;
          if (!this.learner.healthy()) throw new DivergenceError('a loss became NaN or infinite');
        }
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

  private collect(): void {
    const { numEnvs: n, obsDim: od, actDim: ad } = this.vec;
    const out = this.job.out;
    this.prevObs.set(this.vec.obs);
    const fromActor = this.step >= this.config.td3.learningStarts;
    if (!fromActor) {
      for (let i = 0; i < this.actions.length; i++) this.actions[i] = this.actionRng.uniform(-1, 1);
    } else {
      const clean = this.learner.act(this.prevObs, n);
      this.noise.prepare(this.prevObs, clean);
      for (let e = 0; e < n; e++) {
        this.noise.sample(e, this.noiseRow);
        for (let k = 0; k < ad; k++) {
          const a = clean[e * ad + k]! + this.noiseRow[k]!;
          this.actions[e * ad + k] = a > 1 ? 1 : a < -1 ? -1 : a;
        }
      }
    }
    const res = this.vec.step(this.actions);
    this.step += n;
    this.vecSteps++;
    this.windowEnvSteps += n;
    this.progressEnvSteps += n;
    for (let e = 0; e < n; e++) {
      const term = res.terminated[e] === 1;
      const trunc = res.truncated[e] === 1;
      const done = term || trunc;
      const next = done ? res.finalObs.subarray(e * od, (e + 1) * od) : this.vec.obs.subarray(e * od, (e + 1) * od);
      this.buffer.add(e, this.prevObs.subarray(e * od, (e + 1) * od), this.actions.subarray(e * ad, (e + 1) * ad), res.rewards[e]!, next, term, trunc);
      const info = res.infos[e]!;
      const events = info.events;
      if (Array.isArray(events)) {
        for (const ev of events) {
          if (ev && typeof ev === 'object' && typeof (ev as { kind?: unknown }).kind === 'string') {
            out.event({ ...(ev as Record<string, unknown>), kind: (ev as { kind: string }).kind, step: this.step, t: Date.now(), env: e });
          }
        }
      }
      if (done) {
        this.noise.reset(e);
        this.episodes++;
        out.metric({ ...episodeInfoNumbers(info), kind: 'episode', step: this.step, return: res.episodeReturns[e]!, length: res.episodeLengths[e]! });
      }
    }
    if (this.hooks.onStep) {
      const v = this.view;
      v.step = this.step;
      v.fromActor = fromActor;
      v.rewards.set(res.rewards);
      v.terminated.set(res.terminated);
      v.truncated.set(res.truncated);
      this.hooks.onStep(v);
    }
  }

  private logTrainLine(): void {
    const stats = this.learner.takeStats();
    if (!stats.finite) throw new DivergenceError('a loss became NaN or infinite');
    const seconds = Math.max(1e-9, (performance.now() - this.windowStart) / 1000);
    if (stats.updates > 0) {
      const line: MetricLine = {
        kind: 'train',
        step: this.step,
        critic_loss: stats.criticLoss,
        actor_loss: stats.actorLoss,
        q_mean: stats.qMean,
        updates_per_s: this.windowUpdates / seconds,
        env_steps_per_s: this.windowEnvSteps / seconds,
      };
      this.job.out.metric(line);
    }
    this.resetWindows();
  }

  private resetWindows(): void {
    this.windowStart = performance.now();
    this.windowEnvSteps = 0;
    this.windowUpdates = 0;
  }

  /** Deterministic evaluation on the fixed evaluation seeds; keeps the best policy snapshot. */
  evaluate(): EvalResult {
    const cfg = this.config;
    const result = evaluatePolicy((obs, n) => this.learner.act(obs, n), this.evalEnvs, evalSeeds(cfg.evalEpisodes));
    const stats: Record<string, number> = {};
    for (const [k, v] of Object.entries(result.episodeStats)) stats[`mean_${k}`] = v;
    this.job.out.metric({ ...stats, kind: 'eval', step: this.step, mean_return: result.mean_return, std_return: result.std_return, episodes: result.episodes });
    if (Number.isFinite(result.mean_return) && (this.bestEval === null || result.mean_return > this.bestEval)) {
      this.bestEval = result.mean_return;
      const weights = this.learner.actor.getWeights();
      if (firstNonFinite(policySnapshot(weights).arrays) === undefined) {
        this.checkpoints.writeBest(this.step, result.mean_return, policySnapshot(weights), { ...this.policyMeta(), std_return: result.std_return, episodes: result.episodes });
      }
    }
    return result;
  }

  private policyMeta(): PolicyMeta & { algo: string; configDigest: string } {
    return { actorSpec: this.learner.actor.spec, envId: this.config.env.id, algo: this.config.algo, configDigest: this.digest };
  }

  /** Everything that shapes the numbers from here on. */
  snapshot(): Snapshot<Record<string, unknown>> {
    const learner = this.learner.snapshot();
    const replay = this.buffer.snapshot();
    const noise = this.noise.snapshot();
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
    };
    return {
      json: { trainer, learner: learner.json, replay: replay.json, noise: noise.json, vec: vec.json },
      arrays: {
        ...prefixArrays('learner', learner.arrays),
        ...prefixArrays('replay', replay.arrays),
        ...prefixArrays('noise', noise.arrays),
        ...prefixArrays('vec', vec.arrays),
      },
    };
  }

  restore(archive: LoadedArchive): void {
    const json = archive.snapshot.json as { trainer: TrainerJson; learner: unknown; replay: unknown; noise: unknown; vec: unknown };
    const arrays = archive.snapshot.arrays;
    const t = json.trainer;
    if (t.configDigest !== this.digest) throw new Error('the checkpoint was written with a different config; it cannot be resumed with this one');
    this.learner.restore({ json: json.learner, arrays: unprefixArrays('learner', arrays) });
    this.buffer.restore({ json: json.replay, arrays: unprefixArrays('replay', arrays) });
    this.noise.restore({ json: json.noise, arrays: unprefixArrays('noise', arrays) });
    const mismatched = this.vec.restore({ json: json.vec, arrays: unprefixArrays('vec', arrays) });
    if (mismatched.length) {
      this.job.out.log('warn', `env(s) ${mismatched.join(', ')} did not replay to the saved state (non-deterministic env); they start a new episode, so this run will not match an uninterrupted one exactly`);
    }
    this.step = t.step;
    this.vecSteps = t.vecSteps;
    this.episodes = t.episodes;
    this.rollbacks = t.rollbacks;
    this.bestEval = t.bestEval;
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

  private resumeFromCheckpoint(): boolean {
    const loaded = this.checkpoints.loadLatest();
    for (const s of loaded?.skipped ?? []) this.job.out.log('warn', `skipped checkpoint ${s}`);
    if (!loaded) {
      if (this.job.resume) this.job.out.log('warn', 'no usable checkpoint found; training starts from the beginning');
      return false;
    }
    this.restore(loaded.archive);
    return true;
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
    this.buffer.reseed(reseedAfterRollback(this.seeds.replay, rollbacks));
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
    const now = performance.now();
    if (now - this.lastProgress < PROGRESS_INTERVAL_MS) return;
    const seconds = Math.max(1e-9, (now - this.progressStart) / 1000);
    this.job.out.progress({
      step: this.step,
      totalSteps: this.config.totalSteps,
      episodes: this.episodes,
      envStepsPerS: this.progressEnvSteps / seconds,
      updatesPerS: this.progressUpdates / seconds,
    });
    this.lastProgress = now;
    this.progressStart = now;
    this.progressEnvSteps = 0;
    this.progressUpdates = 0;
  }

  /**
   * In `realtime` speed, sleeps so that simulated time (the env's control period per vector
   * step) keeps pace with the wall clock, for watching; in `fast` speed, does nothing.
   */
  private async pace(): Promise<void> {
    if (this.job.controls.speed !== 'realtime' || this.job.controls.paused) {
      this.paceStart = undefined;
      return;
    }
    const now = performance.now();
    if (this.paceStart === undefined) {
      this.paceStart = now;
      this.paceSimS = 0;
    }
    this.paceSimS += this.vec.envs[0]?.controlDtS ?? DEFAULT_CONTROL_DT_S;
    const aheadMs = this.paceSimS * 1000 - (now - this.paceStart);
    if (aheadMs > 1) {
      await new Promise<void>((r) => setTimeout(r, aheadMs));
      this.lastYield = performance.now();
    } else if (aheadMs < -1000) {
      // Fell more than a second behind (slow updates): do not try to catch up in a burst.
      this.paceStart = now;
      this.paceSimS = 0;
    }
  }

  private async yieldNow(): Promise<void> {
    if (performance.now() - this.lastYield < YIELD_INTERVAL_MS) return;
    await new Promise<void>((r) => setImmediate(r));
    this.lastYield = performance.now();
  }

  dispose(): void {
    this.learner.dispose();
    this.noise.dispose();
    for (const e of [...this.vec.envs, ...this.evalEnvs]) e.close?.();
  }
}

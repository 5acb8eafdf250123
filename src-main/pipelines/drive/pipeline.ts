/**
 * The "learning to drive in a day" pipeline (Kendall et al. 2018) as one run, in the run's
 * worker thread. Stages, in order, each resumable:
 *
 *   collect  camera frames from random, zero and noisy lane-keeping policies on training roads
 *            -> frames/collected.frames.{bin,json}   (resumes at the last committed episode)
 *   vae      the ConvVae on every frame set in frames/ (the app's manual recordings included)
 *            -> vae/model, vae/reconstructions.png, "vae" metric lines (resumes at its last epoch)
 *   rl       TD3/DDPG (the run's algo and td3) on the frozen VAE latent + speed + last steering,
 *            episodes ending at disengagements, td3.trainSchedule "episodes" (Kendall: 250 steps
 *            after each); after every episode Kendall's protocol on the held-out test routes
 *            (no exploration noise) -> a "drive_eval" metric line; stops at the first evaluation
 *            without a disengagement, or at budgetEpisodes, or at budgetMinutes of this stage's
 *            own wall clock (budget.ts: never a clock shared with collect/vae). Then the final
 *            policy drives the fresh routes (fresh-routes.ts). The run's own checkpoints,
 *            metrics and events (the trainer's exact resume).
 *   pixels   the baseline "deep RL from pixels": the same conv encoder from scratch, trained by
 *            the critic loss, same schedule and evaluation, own budget -> pixels/ (a trainer run
 *            folder of its own). Skipped when drive.pixels.enabled is false.
 *   report   random and zero policies on the same routes, the Table I of Kendall et al. with our
 *            rows -> report.json, report.md.
 *
 * drive.json holds each stage's status, wall-clock seconds, stop reason in words and, while it
 * runs, an estimate of the seconds left. Every stage change is a "stage"
 * event in events.jsonl and, live, a run.stage event {stage, status, progress, message}.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DRIVE_STAGES, type DriveConfig, type DriveStageId } from '../../../src-shared/config/drive.js';
import { type LaneEnvConfig } from '../../../src-shared/config/envs/lane.js';
import type { RunConfig } from '../../../src-shared/config/run-config.js';
import type { MetricLine, RunStatus } from '../../../src-shared/types.js';
import { Trainer, type TrainHooks } from '../../rl/train/trainer.js';
import type { TrainJob, TrainOutputs } from '../../rl/train/types.js';
import { evaluateLaneBatch, type LaneEvalResult } from '../../sim/lane/evaluate.js';
import { FRAMES_MANIFEST_SUFFIX, listFrameSets } from '../../sim/lane/frames-file.js';
import { JsonlAppender, readJsonlLines, writeJsonAtomic } from '../../core/durable-write.js';
import { RUN_FILES } from '../../store/run-store.js';
import { collectFrames } from './collect.js';
import { writeReport } from './report.js';
import { DRIVE_FILES, readDriveState, VAE_FILES, type DriveEvalLine, type DriveState, type StageState, type StageStatus } from './drive-files.js';
import { trainVae } from './vae-train.js';
import { capText, rlBudgetOf, rlSecondsLeft, rlStopReason, stepsSecondsLeft } from './budget.js';
import { evaluateFresh, stoppingSeeds, type FreshResult } from './fresh-routes.js';

export { DRIVE_FILES, readDriveState, type DriveEvalLine, type DriveState, type StageState, type StageStatus };

/** A live stage update (the run.stage event without the run id). */
export interface StageUpdate {
  stage: DriveStageId;
  status: StageStatus;
  /** 0..1 within the stage. */
  progress: number;
  message: string;
  /** Stage-specific numbers (frames, epoch, losses, episode, disengagements...). */
  detail?: Record<string, unknown>;
}

/** How a stage ended: done (or stopped to resume later), what it produced, why it stopped. */
interface StageOutcome {
  done: boolean;
  detail?: Record<string, unknown>;
  failed?: string;
  stopReason?: string;
}

function initialState(): DriveState {
  const stages = {} as Record<DriveStageId, StageState>;
  for (const s of DRIVE_STAGES) stages[s] = { status: 'pending', seconds: 0 };
  return { version: 1, stages };
}

/** The lane env of the pipeline's evaluations: the run's env with the raw camera observation. */
export function evalEnvConfig(env: LaneEnvConfig): LaneEnvConfig {
  return { ...env, obs: 'pixels' };
}

/** The run config of the pixels baseline: the run's, with the same conv encoder from scratch. */
export function pixelsRunConfig(config: RunConfig): RunConfig {
  const env = config.env as LaneEnvConfig;
  const d = config.drive!;
  return {
    ...config,
    name: `${config.name} (pixels baseline)`,
    env: {
      ...env,
      obs: 'vae',
      vae: { model: env.vae?.model ?? `${VAE_FILES.model}`, mode: 'scratch', normalize: false, filters: [...d.vae.filters], latentDim: d.vae.latentDim },
    },
    drive: undefined,
  };
}

/** Training settings the pipeline imposes on its trainers (evaluation and checkpoints are its own). */
function trainerConfig(config: RunConfig): RunConfig {
  return { ...config, evalEvery: 0, evalEpisodes: 1, checkpointEvery: 0 };
}

/** Sum of the training episodes' distances and steps in a metrics file from byte `from`. */
function trainingTotals(metricsPath: string): { episodes: number; distance: number; steps: number } {
  const { lines } = readJsonlLines(metricsPath);
  let episodes = 0;
  let distance = 0;
  let steps = 0;
  for (const l of lines as MetricLine[]) {
    if (l.kind !== 'episode') continue;
    episodes++;
    if (typeof l.distance === 'number') distance += l.distance;
    if (typeof l.length === 'number') steps += l.length;
  }
  return { episodes, distance, steps };
}

export class DrivePipeline {
  readonly drive: DriveConfig;
  readonly env: LaneEnvConfig;
  private state: DriveState;
  private readonly statePath: string;
  private lastStageEmit = 0;
  /** The VAE agent's env steps at its last evaluation: the run's step in run.json and the app (0 before the rl stage). */
  private step: number;

  constructor(
    private readonly job: TrainJob,
    /** The app's live-view hooks (env taps, manual-driving interludes) for the RL stages' trainers. */
    private readonly liveHooks: TrainHooks = {},
    private readonly onCreated?: (trainer: Trainer) => void,
    /** The stages' clock (ms); tests inject a slow one. */
    private readonly now: () => number = () => performance.now(),
  ) {
    const cfg = job.config;
    if (!cfg.drive) throw new Error('this run has no drive block');
    if (cfg.env.id !== 'lane') throw new Error(`the drive pipeline runs on the lane env, not "${cfg.env.id}"`);
    if (cfg.env.obs !== 'vae') throw new Error('the drive pipeline trains on the "vae" observation (env.obs = "vae")');
    if ((cfg.env.vae?.mode ?? 'frozen') === 'scratch') throw new Error('the drive pipeline pretrains a VAE: env.vae.mode must be frozen or finetune');
    if (cfg.numEnvs !== 1) throw new Error('the drive pipeline trains with one env (numEnvs 1), as a car does');
    this.drive = cfg.drive;
    this.env = cfg.env;
    this.statePath = join(job.runDir, DRIVE_FILES.state);
    this.state = readDriveState(job.runDir) ?? initialState();
    this.step = lastVaeEvalStep(join(job.runDir, RUN_FILES.metrics));
  }

  get stages(): Readonly<Record<DriveStageId, StageState>> {
    return this.state.stages;
  }

  private save(): void {
    writeJsonAtomic(this.statePath, this.state);
  }

  /** Sends a live stage update (throttled to 4 per second unless `force`). */
  private emit(u: StageUpdate, force = false): void {
    const now = performance.now();
    if (!force && now - this.lastStageEmit < 250) return;
    this.lastStageEmit = now;
    this.job.out.stage?.(u);
  }

  private stageEvent(stage: DriveStageId, status: StageStatus, message: string, detail?: Record<string, unknown>): void {
    this.job.out.event({ kind: 'stage', step: 0, t: Date.now(), stage, status, message, ...(detail ? { detail } : {}) });
    this.emit({ stage, status, progress: status === 'done' || status === 'skipped' ? 1 : 0, message, ...(detail ? { detail } : {}) }, true);
  }

  private async between(): Promise<void> {
    const c = this.job.controls;
    if (c.paused && !c.stopRequested) {
      this.job.out.status('paused', this.step);
      await c.waitWhilePaused();
      if (!c.stopRequested) this.job.out.status('running', this.step);
    }
    await new Promise<void>((r) => setImmediate(r));
  }

  /** Runs the remaining stages. Reports status through the job's outputs. */
  async run(): Promise<void> {
    const out = this.job.out;
    out.status('running', this.step);
    for (const stage of DRIVE_STAGES) {
      const st = this.state.stages[stage];
      if (st.status === 'done' || st.status === 'skipped') continue;
      if (stage === 'pixels' && !this.drive.pixels.enabled) {
        this.state.stages.pixels = {
          status: 'skipped',
          seconds: 0,
          detail: { reason: 'drive.pixels.enabled is false' },
          stopReason: 'not requested (drive.pixels.enabled is false)',
        };
        this.save();
        this.stageEvent('pixels', 'skipped', 'pixels baseline not requested');
        continue;
      }
      st.status = 'running';
      st.startedAt ??= new Date().toISOString();
      this.save();
      this.stageEvent(stage, 'running', `${stage}: started`);
      const t0 = this.now();
      let outcome: StageOutcome;
      try {
        outcome = await this.runStage(stage, t0);
      } catch (e) {
        st.seconds += (this.now() - t0) / 1000;
        st.status = 'failed';
        this.save();
        this.stageEvent(stage, 'failed', `${stage}: ${e instanceof Error ? e.message : String(e)}`);
        throw e;
      }
      st.seconds += (this.now() - t0) / 1000;
      delete st.etaS;
      if (outcome.failed) {
        st.status = 'failed';
        this.save();
        this.stageEvent(stage, 'failed', `${stage}: ${outcome.failed}`);
        out.status('failed', this.step, `${stage}: ${outcome.failed}`);
        return;
      }
      if (!outcome.done) {
        st.status = 'pending';
        this.save();
        out.log('info', `drive: stopped during ${stage}; starting the run again resumes there`);
        out.status('stopped', this.step);
        return;
      }
      st.status = 'done';
      st.finishedAt = new Date().toISOString();
      if (outcome.detail) st.detail = outcome.detail;
      if (outcome.stopReason) st.stopReason = outcome.stopReason;
      this.save();
      this.stageEvent(stage, 'done', `${stage}: done in ${st.seconds.toFixed(1)} s${outcome.stopReason ? ` (${outcome.stopReason})` : ''}`, outcome.detail);
    }
    out.status('finished', this.step);
  }

  private runStage(stage: DriveStageId, t0: number): Promise<StageOutcome> {
    switch (stage) {
      case 'collect':
        return this.collect();
      case 'vae':
        return this.vae(t0);
      case 'rl':
        return this.rl('vae', t0);
      case 'pixels':
        return this.rl('pixels', t0);
      case 'report':
        return this.report();
    }
  }

  private async collect(): Promise<StageOutcome> {
    const dir = this.job.runDir;
    mkdirSync(join(dir, DRIVE_FILES.frames), { recursive: true });
    const target = this.drive.frames.count;
    const r = await collectFrames({
      env: this.env,
      frames: this.drive.frames,
      seed: this.job.config.seed,
      path: join(dir, DRIVE_FILES.collected),
      ...(this.drive.vae.target === 'canonical' ? { canonicalPath: join(dir, DRIVE_FILES.canonical) } : {}),
      between: () => this.between(),
      shouldStop: () => this.job.controls.stopRequested,
      onProgress: (count) =>
        this.emit({
          stage: 'collect',
          status: 'running',
          progress: count / target,
          message: `collect: ${count}/${target} frames`,
          detail: { frames: count, target },
        }),
    });
    const m = r.manifest;
    const bytes = m.count * m.frameBytes;
    const detail = {
      frames: m.count,
      sources: m.sources,
      episodes: m.segments.length,
      bytes,
      width: m.width,
      height: m.height,
      path: `${DRIVE_FILES.collected}.frames.json`,
    };
    if (r.complete)
      this.job.out.log(
        'info',
        `collect: ${m.count} frames (${Object.entries(m.sources)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}), ${(bytes / 1e6).toFixed(1)} MB`,
      );
    return { done: r.complete, detail, stopReason: `${m.count} frames collected` };
  }

  private async vae(t0: number): Promise<StageOutcome> {
    const dir = this.job.runDir;
    const seconds0 = this.state.stages.vae.seconds;
    // A canonical target pairs the collected frames with their plain-world renderings; other frame sets have none.
    const canonical = this.drive.vae.target === 'canonical';
    const all = listFrameSets(join(dir, DRIVE_FILES.frames));
    const sets = canonical ? [`${join(dir, DRIVE_FILES.collected)}${FRAMES_MANIFEST_SUFFIX}`] : all;
    if (canonical && all.length > sets.length)
      this.job.out.log(
        'warn',
        `vae: the canonical target trains on the collected frames only; ${all.length - sets.length} other frame set(s) in frames/ have no plain-world rendering and are not used`,
      );
    const cam = this.env.camera;
    const epochs = this.drive.vae.epochs;
    let firstStep: number | undefined;
    const r = await trainVae({
      framesPaths: sets,
      ...(canonical ? { targetPaths: [`${join(dir, DRIVE_FILES.canonical)}${FRAMES_MANIFEST_SUFFIX}`] } : {}),
      dir: join(dir, DRIVE_FILES.vae),
      config: this.drive.vae,
      height: cam.height,
      width: cam.width,
      seed: this.job.config.seed,
      metric: (line) => this.job.out.metric(line),
      metricsPath: join(dir, RUN_FILES.metrics),
      between: () => this.between(),
      shouldStop: () => this.job.controls.stopRequested,
      log: (m) => this.job.out.log('info', m),
      onProgress: (p) => {
        // Steps of this attempt only (a resumed stage starts at its last epoch): the rate of this attempt.
        const etaS = stepsSecondsLeft(p.step - (firstStep ??= p.step), p.steps - firstStep, (this.now() - t0) / 1000);
        if (etaS !== null) this.state.stages.vae.etaS = etaS;
        this.emit({
          stage: 'vae',
          status: 'running',
          progress: p.step / p.steps,
          message: `vae: epoch ${Math.min(p.epoch + 1, p.epochs)}/${p.epochs}, loss ${p.loss.toFixed(1)}${p.valLoss !== undefined ? `, held-out ${p.valLoss.toFixed(1)}` : ''}${etaS !== null ? `, about ${capText(etaS)} left` : ''}`,
          detail: { ...p, ...(etaS !== null ? { etaS } : {}), seconds: seconds0 + (this.now() - t0) / 1000 },
        });
      },
      onImage: (path, epoch) => this.job.out.event({ kind: 'vae_reconstructions', step: 0, t: Date.now(), epoch, path }),
    });
    return {
      done: r.complete,
      stopReason: `${epochs} epoch${epochs === 1 ? '' : 's'} done (its own budget)`,
      detail: {
        epochs,
        frames: r.frames,
        frameSets: sets.length,
        ...(r.valLoss ? { valLoss: r.valLoss } : {}),
        model: `${DRIVE_FILES.vae}/${VAE_FILES.model}`,
        reconstructions: `${DRIVE_FILES.vae}/${VAE_FILES.reconstructions}`,
      },
    };
  }

  /** The rl (VAE agent) or pixels (baseline) stage: a Trainer with the episode hook. */
  private async rl(agent: 'vae' | 'pixels', t0: number): Promise<StageOutcome> {
    const stage: DriveStageId = agent === 'vae' ? 'rl' : 'pixels';
    const rootDir = this.job.runDir;
    const runDir = agent === 'vae' ? rootDir : join(rootDir, DRIVE_FILES.pixels);
    mkdirSync(join(runDir, RUN_FILES.checkpoints), { recursive: true });
    const config = trainerConfig(agent === 'vae' ? this.job.config : pixelsRunConfig(this.job.config));
    const budget = rlBudgetOf(this.drive, agent);
    const metricsPath = join(runDir, RUN_FILES.metrics);
    // The pixels baseline keeps its own logs (pixels/metrics.jsonl): the run's curves stay the VAE agent's.
    let own: { metrics: JsonlAppender; events: JsonlAppender } | undefined;
    let out: TrainOutputs;
    const statuses: Array<{ status: RunStatus; message?: string }> = [];
    const base = this.job.out;
    if (agent === 'vae') {
      if (!this.state.rlLogOffsets) {
        this.state.rlLogOffsets = { metrics: fileSizeOf(join(rootDir, RUN_FILES.metrics)), events: fileSizeOf(join(rootDir, RUN_FILES.events)) };
        this.save();
      }
      out = { ...base, status: (status, _step, message) => statuses.push(message === undefined ? { status } : { status, message }) };
    } else {
      own = { metrics: new JsonlAppender(metricsPath), events: new JsonlAppender(join(runDir, RUN_FILES.events)) };
      const o = own;
      out = {
        metric: (line) => o.metrics.append(line),
        event: (e) => o.events.append(e),
        progress: () => {},
        status: (status, _step, message) => {
          o.metrics.sync();
          o.events.sync();
          statuses.push(message === undefined ? { status } : { status, message });
        },
        log: (level, message) => base.log(level, `pixels: ${message}`),
      };
    }
    const seconds0 = this.state.stages[stage].seconds;
    const elapsed = () => seconds0 + (this.now() - t0) / 1000;
    const testSeeds = stoppingSeeds(this.drive.testRoutes);
    const evalConfig = evalEnvConfig(this.env);
    let lastCheckpoint = performance.now();
    let finishReason = '';
    let fresh: FreshResult | null = null;
    const job: TrainJob = { ...this.job, runDir, config, out };
    const trainer = new Trainer(job, {
      ...this.liveHooks,
      freshLogOffsets: agent === 'vae' ? this.state.rlLogOffsets : undefined,
      afterEpisode: (t) => {
        const e0 = performance.now();
        const result = evaluateLaneBatch(t.rawPolicy(), {
          config: evalConfig,
          seeds: testSeeds,
          routeLengthM: this.drive.routeLengthM,
          rule: this.drive.disengagementRule,
        });
        const evalS = (performance.now() - e0) / 1000;
        const totals = trainingTotals(metricsPath);
        const rlS = elapsed();
        const pipelineS = agent === 'vae' ? this.state.stages.collect.seconds + this.state.stages.vae.seconds + rlS : rlS;
        const line = this.evalLine(agent, t, result, totals, rlS, pipelineS, evalS);
        if (agent === 'vae') this.step = t.step;
        out.metric(line);
        const o = result.overall;
        const stop = rlStopReason({ clean: o.disengagements === 0, episodes: t.episodes, stageS: rlS, budget });
        const finish = stop !== null;
        if (stop) {
          finishReason = stop;
          // The final policy on the fresh routes, before the trainer (and its actor) is gone.
          fresh = evaluateFresh(t.rawPolicy(), {
            config: evalConfig,
            stopping: testSeeds.length,
            fresh: this.drive.freshRoutes,
            routeLengthM: this.drive.routeLengthM,
            rule: this.drive.disengagementRule,
          });
          if (fresh)
            base.log(
              'info',
              `${stage}: final policy on ${fresh.routes} fresh routes: ${fresh.clean_routes} clean, ${fresh.disengagements} disengagement(s), MPD ${fresh.mpd.toFixed(1)} m`,
            );
        }
        const etaS = finish ? 0 : rlSecondsLeft({ episodes: t.episodes, stageS: rlS, budget });
        const progress = Math.max(t.episodes / budget.episodes, rlS / budget.capS);
        const message = `${stage}: episode ${t.episodes}, test: ${o.disengagements} disengagement(s) on ${o.routes} routes (MPD ${o.mpd.toFixed(1)} m, ${o.cleanRoutes} clean)${stop ? `; stopping: ${stop}` : `; at most ${capText(etaS)} left`}`;
        this.emit(
          {
            stage,
            status: 'running',
            progress: finish ? 1 : Math.min(0.99, progress),
            message,
            detail: { episode: t.episodes, disengagements: o.disengagements, mpd: o.mpd, cleanRoutes: o.cleanRoutes, routes: o.routes, etaS },
          },
          true,
        );
        base.log('info', message);
        this.state.stages[stage].etaS = etaS;
        // Frames in the replay buffer (trainable encoder) make checkpoints large: at most one a minute then.
        const cheap = !t.learner.encoder;
        const checkpoint = finish || cheap || performance.now() - lastCheckpoint > 60_000;
        if (checkpoint) lastCheckpoint = performance.now();
        this.state.stages[stage].seconds = rlS;
        this.save();
        return { finish, checkpoint };
      },
    });
    this.onCreated?.(trainer);
    try {
      this.state.stages[stage].seconds = seconds0;
      await trainer.run();
    } finally {
      trainer.dispose();
      own?.metrics.close();
      own?.events.close();
      // run() adds the stage time itself; the hook already recorded it, so undo the double count.
      this.state.stages[stage].seconds = seconds0;
    }
    const finalStatus = statuses.at(-1)?.status;
    if (finalStatus === 'failed') return { done: false, failed: statuses.at(-1)?.message ?? 'training failed' };
    if (finalStatus !== 'finished') return { done: false };
    const evals = readJsonlLines(metricsPath).lines.filter((l) => (l as MetricLine).kind === 'drive_eval') as DriveEvalLine[];
    const last = evals.at(-1);
    const stopReason = finishReason || (last?.disengagements === 0 ? `clean after ${last.episode} episodes` : 'budget reached');
    return {
      done: true,
      stopReason,
      detail: {
        agent,
        episodes: trainer.episodes,
        reason: stopReason,
        finalDisengagements: last?.disengagements ?? null,
        firstClean: evals.find((l) => l.disengagements === 0)?.episode ?? null,
        fresh,
      },
    };
  }

  private evalLine(
    agent: 'vae' | 'pixels',
    t: Trainer,
    r: LaneEvalResult,
    totals: { episodes: number; distance: number; steps: number },
    rlS: number,
    pipelineS: number,
    evalS: number,
  ): DriveEvalLine {
    const o = r.overall;
    return {
      kind: 'drive_eval',
      agent,
      step: t.step,
      episode: t.episodes,
      routes: o.routes,
      distance: o.distance,
      disengagements: o.disengagements,
      mpd: o.mpd,
      clean_routes: o.cleanRoutes,
      mean_abs_offset: o.meanAbsOffset,
      train_episodes: totals.episodes,
      train_distance: totals.distance,
      train_steps: totals.steps,
      rl_s: rlS,
      pipeline_s: pipelineS,
      eval_s: evalS,
    };
  }

  private async report(): Promise<{ done: boolean; detail?: Record<string, unknown> }> {
    this.emit({ stage: 'report', status: 'running', progress: 0.1, message: 'report: baselines on the test routes' }, true);
    const r = writeReport(this.job.runDir, this.job.config, this.state);
    return {
      done: true,
      detail: {
        report: DRIVE_FILES.report,
        markdown: DRIVE_FILES.reportMd,
        vaeFirstClean: r.vae.firstCleanEpisode,
        pixelsFirstClean: r.pixels?.firstCleanEpisode ?? null,
      },
    };
  }
}

/** The step of the VAE agent's last evaluation in the run's metrics.jsonl (0 if none yet). */
function lastVaeEvalStep(metricsPath: string): number {
  const lines = readJsonlLines(metricsPath).lines as MetricLine[];
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (l.kind === 'drive_eval' && (l.agent ?? 'vae') === 'vae' && Number.isInteger(l.step)) return l.step;
  }
  return 0;
}

function fileSizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** Runs the pipeline of a run whose config has a drive block. */
export async function runDrive(job: TrainJob, liveHooks: TrainHooks = {}, onCreated?: (trainer: Trainer) => void): Promise<void> {
  // The recipe, its episode schedule and the report are TD3's (DDPG is its preset).
  const algo = job.config.algo;
  if (algo !== 'td3' && algo !== 'ddpg')
    throw new Error(`the drive pipeline trains td3 or ddpg (this run's algo is "${algo}"); train other algorithms on the lane env without a drive block`);
  await new DrivePipeline(job, liveHooks, onCreated).run();
}

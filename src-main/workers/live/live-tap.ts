/**
 * The app's window into a training run, in the training worker:
 *
 * - Records every training episode's pose track (store/episode-tracks.ts) for replay.
 * - Streams `run.frame`s of env 0 while the app watches (a lease the engine forwards): the
 *   pose, the action, the first critic's Q(s, a) for it (one extra forward pass per frame), and
 *   for lane runs the driver camera's image (rendered for the view even with state
 *   observations). Every step in realtime speed and while the user drives; ~LIVE_FPS frames per
 *   second of wall clock in fast speed.
 * - Manual takeover of lane runs (the interlude): a "manual" disengagement ends the agent's
 *   episode; the env is stepped in real time with the user's input; the drive is recorded as a
 *   track, optionally as camera frames for VAE pretraining (a frame set, ./manual-frames.ts) and as
 *   demonstrations in the replay buffer; handing back starts the agent's next episode.
 *
 * Nothing here changes what the run computes while nobody drives: the tap reads the envs
 * (the lane camera has its own jitter stream, reseeded every episode, which only the camera
 * reads) and the learner (a forward pass), and writes only its own files.
 */
import { DRIVE_INPUT_TIMEOUT_MS, LIVE_FPS, type LiveFrame, type RunManual, type TakeoverOptions } from '../../../src-shared/live.js';
import type { TrainSpeed } from '../../../src-shared/types.js';
import { episodeInfoNumbers, type EnvView, type ManualDriving } from '../../sim/adapter.js';
import type { ActionSpace, BoxSpace, Env, ResetResult, StepResult } from '../../sim/env.js';
import { envAdapter, envViewOf } from '../../sim/registry.js';
import { MAX_ROWS, reduceTrack, TrackWriter } from '../../store/episode-tracks.js';
import type { TrainHooks, Trainer } from '../../rl/train/trainer.js';
import type { TrainControls, TrainOutputs } from '../../rl/train/types.js';
import { ManualFramesRecorder } from './manual-frames.js';
import { VaeReconstructor } from './vae-reconstructor.js';

export interface LiveSink {
  frame(frame: LiveFrame): void;
  manual(state: Omit<RunManual, 'id'>): void;
}

/** One env's episode being recorded. */
class Recording {
  rows: Float32Array;
  stepIndex: Uint32Array;
  n = 0;
  steps = 0;
  ret = 0;
  seed = 0;
  reduced = false;
  manual = false;
  readonly cols: number;

  constructor(readonly view: EnvView) {
    this.cols = view.columns.length;
    this.rows = new Float32Array(256 * this.cols);
    this.stepIndex = new Uint32Array(256);
  }

  begin(seed: number, manual: boolean): void {
    this.n = 0;
    this.steps = 0;
    this.ret = 0;
    this.seed = seed;
    this.reduced = false;
    this.manual = manual;
  }

  /** Appends the env's state after a step. */
  push(action: Float32Array, reward: number): void {
    this.steps++;
    this.ret += reward;
    if (this.n === this.stepIndex.length) {
      if (this.n >= MAX_ROWS) {
        const r = reduceTrack(this.stepIndex.subarray(0, this.n), this.rows.subarray(0, this.n * this.cols), this.cols, this.view.dt);
        this.stepIndex.set(r.stepIndex);
        this.rows.set(r.rows);
        this.n = r.stepIndex.length;
        this.reduced = true;
      } else {
        const si = new Uint32Array(this.stepIndex.length * 2);
        si.set(this.stepIndex);
        this.stepIndex = si;
        const rows = new Float32Array(this.rows.length * 2);
        rows.set(this.rows);
        this.rows = rows;
      }
    }
    this.view.writeRow(this.rows, this.n * this.cols, this.steps * this.view.dt, action);
    this.stepIndex[this.n] = this.steps;
    this.n++;
  }
}

/** A transparent wrapper that reports resets and steps of a training env to the tap. */
class TapEnv implements Env {
  readonly id: string;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: ActionSpace;
  readonly controlDtS?: number;

  constructor(
    readonly inner: Env,
    private readonly index: number,
    private readonly tap: LiveTap,
  ) {
    this.id = inner.id;
    this.observationSpace = inner.observationSpace;
    this.actionSpace = inner.actionSpace;
    if (inner.controlDtS !== undefined) this.controlDtS = inner.controlDtS;
  }

  reset(seed?: number, options?: Record<string, unknown>): ResetResult {
    const r = this.inner.reset(seed, options);
    this.tap.afterReset(this.index, seed ?? 0, r.obs);
    return r;
  }

  step(action: Float32Array): StepResult {
    this.tap.beforeStep(this.index, action);
    const r = this.inner.step(action);
    this.tap.afterStep(this.index, action, r);
    return r;
  }

  close(): void {
    this.inner.close?.();
  }
}

interface Takeover {
  on: boolean;
  options: TakeoverOptions;
}

export class LiveTap {
  private trainer: Trainer | undefined;
  private readonly envs: Env[] = [];
  private readonly views: Array<EnvView | undefined> = [];
  private readonly recordings: Array<Recording | undefined> = [];
  /** Latest observation of each env (env-owned arrays: read before the env's next step). */
  private readonly lastObs: Float32Array[] = [];
  private endedThisStep = 0;
  private readonly tracks: TrackWriter;
  private trackError = false;
  /** The VAE's reconstruction of streamed frames (lane runs on a pretrained VAE); built on first use. */
  private reconstructor: VaeReconstructor | null | undefined;

  // Streaming.
  private watching = false;
  private lastFrameAt = -Infinity;
  private pendingQ: number | null = null;
  private emitting = false;
  private manualNow = false;

  // Takeover.
  private takeover: Takeover = { on: false, options: { recordFrames: true, demonstrations: false } };
  private input = { steer: 0, throttle: 0, at: 0 };
  private session: Promise<void> | undefined;

  constructor(
    private readonly runDir: string,
    private readonly controls: TrainControls & { poke?(): void },
    private readonly out: TrainOutputs,
    private readonly sink: LiveSink,
    trackBudgetBytes?: number,
  ) {
    this.tracks = new TrackWriter(runDir, trackBudgetBytes === undefined ? {} : { budgetBytes: trackBudgetBytes });
  }

  /** The trainer hooks that connect the tap. */
  hooks(): TrainHooks {
    return {
      wrapEnv: (env, index) => {
        this.envs[index] = env;
        const view = envViewOf(env);
        this.views[index] = view;
        this.recordings[index] = view ? new Recording(view) : undefined;
        return new TapEnv(env, index, this);
      },
      onStep: () => {
        this.endedThisStep = 0;
      },
      interlude: () => this.interlude(),
    };
  }

  attach(trainer: Trainer): void {
    this.trainer = trainer;
    this.reconstructor?.dispose();
    this.reconstructor = undefined; // a drive run's next stage may use another observation
  }

  /** The reconstruction of a streamed camera image, when the run's observation has a VAE. */
  private reconstruction(rgb: Uint8Array): Uint8Array | undefined {
    if (this.reconstructor === undefined && this.trainer) {
      try {
        this.reconstructor = VaeReconstructor.forRun(this.trainer.config, this.runDir) ?? null;
      } catch (e) {
        this.reconstructor = null;
        this.out.log('warn', `no VAE reconstructions in the live view: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      }
    }
    const r = this.reconstructor;
    if (!r || r.width * r.height * 3 !== rgb.length) return undefined;
    try {
      return r.reconstruct(rgb);
    } catch (e) {
      this.reconstructor = null;
      this.out.log('warn', `VAE reconstructions stopped: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      return undefined;
    }
  }

  /** The app holds (true) or gave up (false) a watch lease. */
  setWatching(on: boolean): void {
    this.watching = on;
  }

  get isWatching(): boolean {
    return this.watching;
  }

  /** Asks for manual driving (on) or hands the car back (off). */
  requestTakeover(on: boolean, options: TakeoverOptions): void {
    this.takeover = { on, options };
    if (on) {
      this.input = { steer: 0, throttle: 0, at: Date.now() };
      this.controls.poke?.();
    }
  }

  setInput(steer: number, throttle: number): void {
    this.input = { steer, throttle, at: Date.now() };
  }

  get manual(): boolean {
    return this.manualNow;
  }

  /** Env 0 as something a user can drive, when its adapter allows it. */
  private manualDriving(): ManualDriving | undefined {
    const env = this.envs[0];
    return env ? envAdapter(env.id).manual?.(env) : undefined;
  }

  /** Whether env 0 can be driven by hand. */
  get canTakeOver(): boolean {
    return this.manualDriving() !== undefined;
  }

  // --- Env taps -------------------------------------------------------------------------

  afterReset(i: number, seed: number, obs: Float32Array): void {
    this.lastObs[i] = obs;
    const rec = this.recordings[i];
    if (rec) rec.begin(rec.view.seed(seed), false);
  }

  beforeStep(i: number, action: Float32Array): void {
    if (i !== 0 || !this.watching || !this.trainer) return;
    const now = performance.now();
    const every = this.controls.speed === 'realtime';
    if (!every && now - this.lastFrameAt < 1000 / LIVE_FPS) return;
    this.lastFrameAt = now;
    this.emitting = true;
    const obs = this.lastObs[0];
    this.pendingQ = obs ? this.trainer.learner.qValue(obs, action) : null;
  }

  afterStep(i: number, action: Float32Array, r: StepResult): void {
    this.lastObs[i] = r.obs;
    const rec = this.recordings[i];
    if (rec) rec.push(action, r.reward);
    if (i === 0 && this.emitting) {
      this.emitting = false;
      const trainer = this.trainer!;
      this.emitFrame(0, action, r.reward, rec, trainer.step >= (trainer.loop?.learningStarts ?? 0) ? 'agent' : 'random', this.controls.speed !== 'realtime');
    }
    if (rec && (r.terminated || r.truncated)) {
      const ordinal = (this.trainer?.episodes ?? 0) + this.endedThisStep + 1;
      this.endedThisStep++;
      const ep = r.info.episode as { cause?: unknown; distance?: unknown } | undefined;
      const cause = typeof ep?.cause === 'string' ? ep.cause : r.terminated ? 'terminated' : 'time limit';
      this.saveTrack(i, rec, ordinal, cause, typeof ep?.distance === 'number' ? ep.distance : undefined);
    }
  }

  private saveTrack(env: number, rec: Recording, episode: number, cause: string, distance?: number): void {
    if (rec.n === 0 || this.trackError) return;
    const trainer = this.trainer;
    try {
      this.tracks.append(
        {
          episode,
          env,
          kind: rec.view.kind,
          steps: rec.steps,
          samples: rec.n,
          reduced: rec.reduced,
          manual: rec.manual,
          endStep: trainer?.step ?? 0,
          endTime: Date.now(),
          seed: rec.seed,
          return: Number.isFinite(rec.ret) ? rec.ret : 0,
          cause,
          ...(distance !== undefined && Number.isFinite(distance) ? { distance } : {}),
          dt: rec.view.dt,
        },
        rec.view.columns,
        rec.stepIndex.subarray(0, rec.n),
        rec.rows.subarray(0, rec.n * rec.cols),
      );
    } catch (e) {
      // Recording is a convenience: never let it stop training.
      this.trackError = true;
      this.out.log('warn', `episode recording stopped: ${e instanceof Error ? e.message : String(e)}`);
    }
    rec.n = 0;
  }

  private emitFrame(i: number, action: Float32Array, reward: number, rec: Recording | undefined, source: LiveFrame['source'], sampled: boolean): void {
    const view = this.views[i];
    const trainer = this.trainer;
    if (!view || !trainer) return;
    const cam = view.camera();
    const act: number[] = [];
    for (let k = 0; k < action.length; k++) act.push(Math.max(-1, Math.min(1, Number.isFinite(action[k]!) ? action[k]! : 0)));
    const q = this.pendingQ;
    const frame: LiveFrame = {
      env: i,
      episode: trainer.episodes + 1,
      episodeStep: rec?.steps ?? 0,
      t: (rec?.steps ?? 0) * view.dt,
      step: trainer.step,
      wall: Date.now(),
      action: act,
      q: q !== null && Number.isFinite(q) ? q : null,
      reward: Number.isFinite(reward) ? reward : 0,
      episodeReturn: rec && Number.isFinite(rec.ret) ? rec.ret : 0,
      source,
      sampled,
      pose: view.pose(),
      ...(cam
        ? {
            camera: {
              width: cam.width,
              height: cam.height,
              channels: 3 as const,
              data: Buffer.from(cam.rgb.buffer, cam.rgb.byteOffset, cam.rgb.length).toString('base64'),
            },
          }
        : {}),
    };
    const rec2 = cam ? this.reconstruction(cam.rgb) : undefined;
    if (cam && rec2)
      frame.reconstruction = {
        width: cam.width,
        height: cam.height,
        channels: 3,
        data: Buffer.from(rec2.buffer, rec2.byteOffset, rec2.length).toString('base64'),
      };
    this.sink.frame(frame);
  }

  // --- Manual takeover --------------------------------------------------------------------

  private interlude(): Promise<void> | undefined {
    if (!this.takeover.on || this.session) return undefined;
    const env = this.manualDriving();
    if (!env || !this.trainer) {
      this.takeover = { ...this.takeover, on: false };
      this.out.log('warn', 'manual driving is only available for lane runs');
      this.sink.manual({ on: false, reason: 'unavailable', frames: 0, demonstrations: 0, distance: 0 });
      return undefined;
    }
    this.session = this.drive(env).finally(() => {
      this.session = undefined;
      this.manualNow = false;
    });
    return this.session;
  }

  private async drive(env: ManualDriving): Promise<void> {
    const trainer = this.trainer!;
    const vec = trainer.vec;
    const rec = this.recordings[0]!;
    const options = this.takeover.options;
    const out = this.out;
    this.manualNow = true;

    // The user takes the wheel: a "manual" disengagement ends the agent's episode.
    const ordinal = trainer.episodes + 1;
    const ev = env.disengagement('manual');
    out.event({ ...ev, step: trainer.step, t: Date.now(), env: 0, episode: ordinal });
    const metrics = env.episodeMetrics('manual');
    out.metric({
      ...episodeInfoNumbers({ episode: metrics }),
      kind: 'episode',
      step: trainer.step,
      return: vec.episodeReturn(0),
      length: vec.episodeLength(0),
    });
    this.saveTrack(0, rec, ordinal, 'manual', metrics.distance);
    trainer.episodes++;
    trainer.noise?.reset(0);

    // The drive: its own track (same ordinal, manual), optional frames and demonstrations.
    rec.begin(env.seed, true);
    const cam = env.config.camera;
    let frames: ManualFramesRecorder | undefined;
    if (options.recordFrames) {
      try {
        frames = new ManualFramesRecorder(this.runDir, { width: cam.width, height: cam.height, env: env.config });
      } catch (e) {
        out.log('warn', `cannot record frames: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const obsDim = vec.obsDim;
    const prevObs = new Float32Array(obsDim);
    prevObs.set((this.lastObs[0] ?? vec.obs).subarray(0, obsDim));
    const action = new Float32Array(vec.actDim);
    let demonstrations = 0;
    let distance = 0;
    const state = (): Omit<RunManual, 'id'> => ({
      on: true,
      frames: frames?.count ?? 0,
      demonstrations,
      distance,
      ...(frames ? { frameSet: frames.relPath } : {}),
    });
    this.sink.manual(state());
    out.log('info', `manual driving started at step ${trainer.step}`);

    const dtMs = env.controlDtS * 1000;
    let reason = 'released';
    let start = performance.now();
    let ticks = 0;
    let lastState = performance.now();
    this.input.at = Date.now();
    try {
      for (;;) {
        if (this.controls.stopRequested) {
          reason = 'stopped';
          break;
        }
        if (!this.takeover.on) break;
        if (Date.now() - this.input.at > DRIVE_INPUT_TIMEOUT_MS) {
          reason = 'input-timeout';
          break;
        }
        action[0] = this.input.steer;
        if (action.length > 1) action[1] = this.input.throttle;
        const q = trainer.learner.qValue(prevObs, action);
        const r = env.step(action);
        rec.push(action, r.reward);
        distance += r.reward;
        if (options.demonstrations) {
          trainer.buffer?.add(0, prevObs, action, r.reward, r.obs, r.terminated, r.truncated);
          demonstrations++;
        }
        if (frames) {
          const ls = env.laneState;
          frames.add(env.frame(), [action[0]!, action.length > 1 ? action[1]! : Number.NaN, ls.speed, ls.offset, ls.headingError, ls.s, env.seed]);
        }
        this.pendingQ = q;
        this.emitFrame(0, action, r.reward, rec, 'manual', false);
        const evs = r.info.events;
        if (Array.isArray(evs)) {
          for (const e of evs as Array<Record<string, unknown>>)
            out.event({ ...e, kind: String(e.kind), step: trainer.step, t: Date.now(), env: 0, episode: ordinal, manual: true });
        }
        if (r.terminated) {
          // Off the lane while driving by hand: put back on the lane centre, as a safety driver would.
          env.recover();
          prevObs.set(env.observation().subarray(0, obsDim));
        } else if (r.truncated) {
          // End of the road: go on on a new one.
          prevObs.set(env.reset().obs.subarray(0, obsDim));
          rec.seed = env.seed;
        } else {
          prevObs.set(r.obs.subarray(0, obsDim));
        }
        if (performance.now() - lastState > 1000) {
          this.sink.manual(state());
          lastState = performance.now();
        }
        // Real time: one control period per step.
        ticks++;
        const ahead = start + ticks * dtMs - performance.now();
        if (ahead > 1) await new Promise<void>((res) => setTimeout(res, ahead));
        else {
          if (ahead < -1000) {
            start = performance.now();
            ticks = 0;
          }
          await new Promise<void>((res) => setImmediate(res));
        }
      }
    } finally {
      this.saveTrack(0, rec, ordinal, reason, distance);
      try {
        frames?.close();
      } catch (e) {
        out.log('warn', `cannot finish the recorded frames: ${e instanceof Error ? e.message : String(e)}`);
      }
      this.takeover = { ...this.takeover, on: false };
      // Hand back: the agent starts its next episode.
      vec.restart(0);
      trainer.noise?.reset(0);
      this.sink.manual({ ...state(), on: false, reason });
      out.log('info', `manual driving ended (${reason}): ${distance.toFixed(1)} m, ${frames?.count ?? 0} frames, ${demonstrations} demonstrations`);
    }
  }

  /** Flushes the recordings (at checkpoints and the end). */
  sync(): void {
    try {
      this.tracks.sync();
    } catch {
      // best effort
    }
  }

  close(): void {
    this.takeover = { ...this.takeover, on: false };
    this.reconstructor?.dispose();
    this.reconstructor = null;
    this.tracks.close();
  }

  /** For tests and benchmarks. */
  get trackWriter(): TrackWriter {
    return this.tracks;
  }
}

export type { TrainSpeed };

/**
 * Owns the training worker threads: one per running run. Forwards control to them and their
 * streamed output to the event bus; keeps run.json's status and step up to date.
 */
import { existsSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { ContractError, formatIssues } from '../../src-shared/protocol.js';
import type { BackendInfo, RunStatus, RunSummary, TrainSpeed } from '../../src-shared/types.js';
import type { DriveInput, TakeoverOptions } from '../../src-shared/live.js';
import type { RunStore } from '../store/run-store.js';
import { FromWorker, type ToWorker } from '../workers/protocol.js';
import { spawnWorker } from '../core/spawn.js';
import { ENGINE_WORKER } from '../workers/entries.js';
import type { EventBus } from './event-bus.js';

interface ActiveRun {
  worker: Worker;
  status: RunStatus;
  step: number;
  /** Simulation speed the worker was last told (training starts `fast`). */
  speed: TrainSpeed;
  /** Resolves when the worker thread has ended and the run's final status is written. */
  done: Promise<RunStatus>;
  lastMetaWrite: number;
  /** Resolvers waiting for the next status message (pause/resume/stop acknowledgements). */
  waiters: Array<(status: RunStatus) => void>;
  /** The run's env id (manual driving needs a lane run). */
  envId: string;
  /** Live frames: whether the worker streams, and until when the app's lease lasts (ms). */
  watching: boolean;
  watchUntil: number;
  watchTimer: ReturnType<typeof setTimeout> | undefined;
  /** Whether the user drives (from the worker's run.manual reports) and who waits for the next one. */
  manual: boolean;
  manualWaiters: Array<(on: boolean) => void>;
  /** Set when a disk fault paused the run: the status stays `paused` when its worker ends. */
  pausedByFault: boolean;
}

/** What an I/O failure of a run means for it, in words. */
interface RunFault {
  status: 'paused' | 'failed';
  message: string;
  /** The worker cannot go on (its folder is gone): end it now. */
  endWorker: boolean;
}

function errnoOf(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return code;
  // Errors that crossed the worker boundary keep only their message ("ENOSPC: no space left ...").
  return /\b(ENOSPC|EDQUOT|EROFS|EACCES|EPERM|ENOENT|EIO)\b/.exec(e instanceof Error ? e.message : String(e))?.[1];
}

/** How often (ms) progress updates rewrite run.json's step. */
const META_WRITE_INTERVAL_MS = 2_000;

export class TrainingManager {
  private readonly active = new Map<string, ActiveRun>();

  constructor(
    private readonly store: RunStore,
    private readonly bus: EventBus,
  ) {}

  activeCount(): number {
    return this.active.size;
  }

  isActive(id: string): boolean {
    return this.active.has(id);
  }

  /**
   * Starts training `id` in a new worker (resuming from its last checkpoint if any). `restart`
   * allows starting again from step 0 when no checkpoint can be loaded (which empties the
   * run's metrics and events); without it such a resume is refused and nothing is changed.
   */
  start(id: string, options: { restart?: boolean } = {}): RunSummary {
    if (this.active.has(id)) throw new ContractError('conflict', `run "${id}" is already ${this.active.get(id)!.status}`);
    const meta = this.store.readMeta(id);
    if (meta.status === 'finished') throw new ContractError('conflict', `run "${id}" has finished; duplicate it to train again`);
    const { config } = this.store.readConfig(id);
    this.store.claimOwner(id); // atomic: a conflict here when another process trains it
    let worker: Worker;
    try {
      worker = spawnWorker(ENGINE_WORKER, { name: `train-${id}` });
    } catch (e) {
      this.store.releaseOwner(id);
      throw e;
    }
    let resolveDone!: (s: RunStatus) => void;
    const run: ActiveRun = {
      worker,
      status: 'running',
      step: meta.step,
      speed: 'fast',
      done: new Promise((r) => (resolveDone = r)),
      lastMetaWrite: 0,
      waiters: [],
      envId: config.env.id,
      watching: false,
      watchUntil: 0,
      watchTimer: undefined,
      manual: false,
      manualWaiters: [],
      pausedByFault: false,
    };
    this.active.set(id, run);
    // Whatever goes wrong with this run from here on (its worker, its files) ends at this
    // boundary: the run is paused or failed with a message, the engine and other runs go on.
    worker.on('message', (raw: unknown) => {
      try {
        this.onMessage(id, run, raw);
      } catch (e) {
        this.onFault(id, run, e);
      }
    });
    worker.on('error', (e) => {
      const fault = this.classify(id, e);
      if (fault.status === 'paused') this.onFault(id, run, e);
      else this.setStatus(id, run, 'failed', `worker crashed: ${e.message}`);
    });
    worker.on('exit', (code) => {
      clearTimeout(run.watchTimer);
      if (run.manual) this.bus.emit('run.manual', { id, on: false, reason: 'stopped', frames: 0, demonstrations: 0, distance: 0 });
      if ((run.status === 'running' || run.status === 'paused') && !run.pausedByFault) {
        this.setStatus(id, run, code === 0 ? 'stopped' : 'failed', code === 0 ? undefined : `worker exited with code ${code}`);
      }
      this.active.delete(id);
      this.store.releaseOwner(id);
      resolveDone(run.status);
    });
    const msg: ToWorker = {
      type: 'train',
      runId: id,
      runDir: this.store.dir(id),
      config,
      resume: meta.step > 0 || meta.status === 'interrupted',
      ...(options.restart ? { restart: true } : {}),
    };
    worker.postMessage(msg);
    this.setStatus(id, run, 'running');
    return this.store.summary(id);
  }

  /** What an error of run `id` means: a full or read-only disk pauses it, a deleted folder or anything else fails it. */
  private classify(id: string, e: unknown): RunFault {
    const dir = this.store.dir(id);
    if (!existsSync(dir)) return { status: 'failed', message: `failed: the run folder ${dir} was deleted while the run trained`, endWorker: true };
    const code = errnoOf(e);
    if (code === 'ENOSPC' || code === 'EDQUOT')
      return { status: 'paused', message: `paused: no space left on ${dir}; free space and resume`, endWorker: false };
    if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM')
      return { status: 'paused', message: `paused: ${dir} cannot be written (${code}); make it writable and resume`, endWorker: false };
    const text = e instanceof Error ? e.message : String(e);
    return { status: 'failed', message: `failed: ${text.split('\n')[0]}`, endWorker: true };
  }

  /**
   * A run's I/O or worker failed: the run becomes paused (disk full or read-only: its worker is
   * asked to pause and keeps its state, or has ended and the run resumes from its checkpoint)
   * or failed (its worker ended). run.json is written at most once here, so a failing disk
   * cannot loop.
   */
  private onFault(id: string, run: ActiveRun, e: unknown): void {
    const fault = this.classify(id, e);
    run.status = fault.status;
    try {
      // One try to record it (a nearly full disk may still take a small file); never retried here.
      if (existsSync(this.store.dir(id))) this.store.updateMeta(id, { status: fault.status, step: run.step });
    } catch {
      // run.json keeps its last complete version; listing shows the run as interrupted once its worker ends.
    }
    if (fault.status === 'paused') {
      run.pausedByFault = true;
      run.worker.postMessage({ type: 'pause' } satisfies ToWorker);
    }
    this.bus.emit('run.status', { id, status: fault.status, step: run.step, message: fault.message });
    this.bus.emit('engine.log', { level: 'error', message: `run ${id}: ${fault.message}`, t: Date.now() });
    for (const w of run.waiters.splice(0)) w(fault.status);
    if (fault.endWorker) void run.worker.terminate();
  }

  private requireActive(id: string): ActiveRun {
    const run = this.active.get(id);
    if (!run) {
      this.store.readMeta(id); // throws not-found for unknown ids
      throw new ContractError('conflict', `run "${id}" is not training`);
    }
    return run;
  }

  private nextStatus(run: ActiveRun, timeoutMs: number): Promise<RunStatus | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      run.waiters.push((s) => {
        clearTimeout(timer);
        resolve(s);
      });
    });
  }

  async pause(id: string): Promise<RunSummary> {
    const run = this.requireActive(id);
    if (run.status !== 'paused') {
      const ack = this.nextStatus(run, 5_000);
      run.worker.postMessage({ type: 'pause' } satisfies ToWorker);
      await ack;
    }
    return this.store.summary(id);
  }

  async resume(id: string): Promise<RunSummary> {
    // A run paused by a disk fault (or interrupted, or stopped) whose worker has ended resumes
    // from its last checkpoint in a new worker. ("running" without a worker here: run.json could
    // not record the pause, or another process trains it, which start() refuses.)
    if (!this.active.has(id) && ['paused', 'interrupted', 'stopped', 'running'].includes(this.store.readMeta(id).status)) return this.start(id);
    const run = this.requireActive(id);
    if (run.status === 'paused') {
      const afterFault = run.pausedByFault;
      run.pausedByFault = false;
      const deadline = Date.now() + (afterFault ? 2_000 : 5_000);
      const ack = this.nextStatus(run, deadline - Date.now());
      run.worker.postMessage({ type: 'resume' } satisfies ToWorker);
      // After a fault the worker's own "paused" acknowledgement may still be on its way: wait past it.
      let s = await ack;
      while (s === 'paused' && Date.now() < deadline) s = await this.nextStatus(run, deadline - Date.now());
      // A worker that never got round to pausing says nothing: it trains on.
      if (s === undefined && afterFault && run.status === 'paused') this.setStatus(id, run, 'running');
    }
    return this.store.summary(id);
  }

  /** Asks the run to checkpoint and stop; waits for the worker to end (at most `timeoutMs`). */
  async stop(id: string, timeoutMs = 60_000): Promise<RunSummary> {
    const run = this.requireActive(id);
    run.worker.postMessage({ type: 'stop' } satisfies ToWorker);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ended = await Promise.race([run.done, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), timeoutMs)))]);
    clearTimeout(timer); // else a finished stop keeps a CLI process alive until the timeout
    if (ended === undefined) {
      await run.worker.terminate();
      this.setStatus(id, run, 'stopped', 'stopped by force: the worker did not answer in time');
    }
    return this.store.summary(id);
  }

  evaluate(id: string): RunSummary {
    const run = this.requireActive(id);
    run.worker.postMessage({ type: 'evaluate' } satisfies ToWorker);
    return this.store.summary(id);
  }

  /** Sets the simulation speed of a training run (realtime for watching, or fast). */
  setSpeed(id: string, speed: TrainSpeed): { id: string; speed: TrainSpeed } {
    const run = this.requireActive(id);
    run.speed = speed;
    run.worker.postMessage({ type: 'set-speed', speed } satisfies ToWorker);
    return { id, speed };
  }

  /**
   * A watch lease: the run's worker streams run.frame events until `seconds` from now (the app
   * renews it while its live view is open). False when the run is not training.
   */
  watch(id: string, seconds: number): { id: string; streaming: boolean } {
    const run = this.active.get(id);
    if (!run) {
      this.store.readMeta(id); // not-found for unknown ids
      return { id, streaming: false };
    }
    run.watchUntil = Math.max(run.watchUntil, Date.now() + seconds * 1000);
    if (!run.watching) {
      run.watching = true;
      run.worker.postMessage({ type: 'watch', on: true } satisfies ToWorker);
    }
    this.armWatchTimer(run);
    return { id, streaming: true };
  }

  private armWatchTimer(run: ActiveRun): void {
    clearTimeout(run.watchTimer);
    run.watchTimer = setTimeout(
      () => {
        if (Date.now() < run.watchUntil) return this.armWatchTimer(run);
        run.watching = false;
        run.worker.postMessage({ type: 'watch', on: false } satisfies ToWorker);
      },
      Math.max(10, run.watchUntil - Date.now()),
    );
    run.watchTimer.unref?.();
  }

  private nextManual(run: ActiveRun, timeoutMs: number): Promise<boolean | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      run.manualWaiters.push((on) => {
        clearTimeout(timer);
        resolve(on);
      });
    });
  }

  /** Manual driving on or off (lane runs); resolves when the worker confirms (at most 3 s). */
  async takeover(id: string, on: boolean, options: TakeoverOptions): Promise<{ id: string; manual: boolean }> {
    const run = this.requireActive(id);
    if (run.envId !== 'lane') throw new ContractError('unavailable', `manual driving needs a lane run (this run trains on "${run.envId}")`);
    if (run.manual === on) return { id, manual: on };
    const ack = this.nextManual(run, 3_000);
    run.worker.postMessage({ type: 'takeover', on, options } satisfies ToWorker);
    await ack;
    return { id, manual: run.manual };
  }

  /** The user's steering and throttle while driving by hand. */
  drive(id: string, input: DriveInput): { id: string; manual: boolean } {
    const run = this.requireActive(id);
    run.worker.postMessage({ type: 'drive', ...input } satisfies ToWorker);
    return { id, manual: run.manual };
  }

  /** Resolves with the final status when the run's worker ends. */
  wait(id: string): Promise<RunStatus> {
    const run = this.active.get(id);
    return run ? run.done : Promise.resolve(this.store.readMeta(id).status);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.active.keys()].map((id) => this.stop(id).catch(() => undefined)));
  }

  private setStatus(id: string, run: ActiveRun, status: RunStatus, message?: string): void {
    run.status = status;
    run.lastMetaWrite = Date.now();
    try {
      this.store.updateMeta(id, { status, step: run.step });
    } catch (e) {
      this.onFault(id, run, e);
      return;
    }
    this.bus.emit('run.status', message === undefined ? { id, status, step: run.step } : { id, status, step: run.step, message });
    const waiters = run.waiters.splice(0);
    for (const w of waiters) w(status);
  }

  private onMessage(id: string, run: ActiveRun, raw: unknown): void {
    const parsed = FromWorker.safeParse(raw);
    if (!parsed.success) {
      this.bus.emit('engine.log', { level: 'warn', message: `run ${id}: malformed worker message (${formatIssues(parsed.error).join('; ')})`, t: Date.now() });
      return;
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'backend':
        this.store.setBackend(id, msg.backend.name, msg.backend.reason);
        return;
      case 'status':
        run.step = msg.step;
        this.setStatus(id, run, msg.status, msg.message);
        return;
      case 'progress': {
        run.step = msg.step;
        const { type: _type, ...progress } = msg;
        this.bus.emit('run.progress', { id, ...progress, speed: run.speed });
        if (Date.now() - run.lastMetaWrite > META_WRITE_INTERVAL_MS) {
          this.store.updateMeta(id, { step: msg.step });
          run.lastMetaWrite = Date.now();
        }
        return;
      }
      case 'metric': {
        if (msg.line.kind === 'eval' && typeof msg.line.mean_return === 'number') {
          const best = this.store.readMeta(id).bestEval;
          if (best === null || msg.line.mean_return > best) this.store.updateMeta(id, { bestEval: msg.line.mean_return });
        }
        this.bus.emit('run.metric', { id, line: msg.line });
        return;
      }
      case 'event':
        this.bus.emit('run.event', { id, event: msg.event });
        return;
      case 'log':
        this.bus.emit('engine.log', { level: msg.level, message: `run ${id}: ${msg.message}`, t: Date.now() });
        return;
      case 'frame':
        this.bus.emit('run.frame', { ...msg.frame, id });
        return;
      case 'manual': {
        run.manual = msg.state.on;
        this.bus.emit('run.manual', { ...msg.state, id });
        for (const w of run.manualWaiters.splice(0)) w(msg.state.on);
        return;
      }
      case 'export-progress':
      case 'export-done':
      case 'export-failed':
        return;
      case 'error': {
        const fault = this.classify(id, new Error(msg.message));
        if (fault.status === 'paused' || !existsSync(this.store.dir(id))) {
          this.onFault(id, run, new Error(msg.message));
          return;
        }
        this.bus.emit('engine.log', { level: 'error', message: `run ${id}: ${msg.message}`, t: Date.now() });
        this.setStatus(id, run, 'failed', msg.message);
        return;
      }
    }
  }
}

/** Probes the backend in a worker thread (where training runs), so the UI shows the real one. */
export function probeBackendInWorker(choice: 'auto' | BackendInfo['name'] = 'auto', timeoutMs = 60_000): Promise<BackendInfo> {
  return new Promise((resolve, reject) => {
    const worker = spawnWorker(ENGINE_WORKER, { name: 'probe-backend' });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error('backend probe timed out'));
    }, timeoutMs);
    worker.on('message', (raw: unknown) => {
      const parsed = FromWorker.safeParse(raw);
      if (!parsed.success) return;
      if (parsed.data.type === 'backend') {
        clearTimeout(timer);
        resolve(parsed.data.backend);
      } else if (parsed.data.type === 'error') {
        clearTimeout(timer);
        reject(new Error(parsed.data.message));
      }
    });
    worker.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    worker.postMessage({ type: 'probe-backend', backend: choice } satisfies ToWorker);
  });
}

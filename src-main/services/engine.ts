/**
 * The engine: one object behind all three front doors (Electron IPC, WebSocket, CLI).
 * It owns the run store, the training workers and the event bus, and answers every
 * request channel of the contract through a validating Dispatcher.
 */
import { cpus, freemem, platform, release, totalmem } from 'node:os';
import type { EngineClient, EventChannel, EventOf, RequestChannel, RequestOf, ResponseOf } from '../../src-shared/contract.js';
import type { BackendChoice, RunConfigInput } from '../../src-shared/config/run-config.js';
import { ContractError } from '../../src-shared/protocol.js';
import type { BackendInfo } from '../../src-shared/types.js';
import { driveRunView } from '../pipelines/drive/drive-view.js';
import type { ArmScene } from '../../src-shared/scene/arm.js';
import type { LaneScene } from '../../src-shared/scene/lane-scene.js';
import { sceneOf } from '../sim/registry.js';
import { RunStore } from '../store/run-store.js';
import { listTracks, readTrack } from '../store/episode-tracks.js';
import { runExportJob } from './export-job.js';
import { Dispatcher, type Handlers } from './dispatch.js';
import { HeavyQueue } from './heavy-queue.js';
import { EventBus } from './event-bus.js';
import { defaultRunsDir } from '../core/paths.js';
import { probeBackendInWorker, TrainingManager } from './training-manager.js';
import { APP_NAME, APP_VERSION } from '../core/version.js';

export interface EngineOptions {
  runsDir?: string;
  backend?: BackendChoice;
}

export class Engine {
  readonly bus = new EventBus();
  readonly store: RunStore;
  readonly training: TrainingManager;
  readonly dispatcher: Dispatcher;
  private readonly startedAt = Date.now();
  private backendPromise: Promise<BackendInfo> | undefined;
  private readonly backendChoice: BackendChoice;
  /** Scene generation runs on this thread: one at a time, a bounded number waiting. */
  private readonly sceneQueue = new HeavyQueue('scene generation');

  constructor(options: EngineOptions = {}) {
    this.store = new RunStore(defaultRunsDir(options.runsDir), APP_VERSION);
    this.training = new TrainingManager(this.store, this.bus);
    // Nothing is lost on a crash: runs a dead process left 'running' become 'interrupted' and
    // resume from their last checkpoint when started again (best-effort: a read-only folder
    // is only read, and listing still shows them interrupted).
    this.store.recoverInterrupted();
    this.backendChoice = options.backend ?? 'auto';
    this.dispatcher = new Dispatcher(this.handlers(), {
      onInternalError: (channel, error) => {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        this.log('error', `${channel}: ${message}`);
      },
    });
  }

  /** The backend that training workers load, probed once in a worker thread. */
  backend(): Promise<BackendInfo> {
    this.backendPromise ??= probeBackendInWorker(this.backendChoice);
    return this.backendPromise;
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    if (level === 'error') console.error(message);
    this.bus.emit('engine.log', { level, message, t: Date.now() });
  }

  private handlers(): Handlers {
    return {
      'engine.status': async () => ({
        app: APP_NAME,
        version: APP_VERSION,
        backend: await this.backend(),
        runsDir: this.store.root,
        platform: `${platform()} ${release()}`,
        nodeVersion: process.version,
        cpus: cpus().length,
        uptimeS: (Date.now() - this.startedAt) / 1000,
        activeRuns: this.training.activeCount(),
        rssBytes: process.memoryUsage().rss,
        systemMemory: { totalBytes: totalmem(), freeBytes: freemem() },
      }),
      'runs.list': () => this.store.list(),
      'runs.get': ({ id }) => {
        const detail = this.store.get(id);
        const { backend, backendReason } = this.store.readConfig(id);
        return backend === undefined ? detail : { ...detail, backendUsed: { name: backend, reason: backendReason ?? '' } };
      },
      'runs.create': ({ config, id }) =>
        this.announce(id === undefined ? this.store.create(config as RunConfigInput) : this.createAt(id, config as RunConfigInput), 'created'),
      'runs.rename': ({ id, name }) => this.announce(this.store.rename(id, name), 'renamed'),
      'runs.delete': ({ id }) => {
        if (this.training.isActive(id)) throw new ContractError('conflict', `run "${id}" is training; stop it first`);
        this.store.delete(id);
        this.bus.emit('runs.changed', { id, change: 'deleted' });
        return { ok: true as const };
      },
      'runs.duplicate': ({ id, changes }) => this.announce(this.store.duplicate(id, changes), 'created'),
      'runs.metrics': ({ id, from, limit }) => this.store.metrics(id, from, limit),
      'runs.events': ({ id, from, limit }) => this.store.events(id, from, limit),
      'train.start': ({ id, restart }) => this.training.start(id, { restart }),
      'train.pause': ({ id }) => this.training.pause(id),
      'train.resume': ({ id }) => this.training.resume(id),
      'train.stop': ({ id }) => this.training.stop(id),
      'train.wait': async ({ id, seconds }) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([this.training.wait(id), new Promise<void>((r) => (timer = setTimeout(r, seconds * 1000)))]);
        clearTimeout(timer);
        return { ...this.store.summary(id), training: this.training.isActive(id) };
      },
      'train.evaluate': ({ id }) => this.training.evaluate(id),
      'train.setSpeed': ({ id, speed }) => this.training.setSpeed(id, speed),
      'scene.arm': ({ env, seed }) => sceneOf(env, seed, {}) as ArmScene,
      'scene.lane': ({ seed, config }) => this.sceneQueue.run(() => sceneOf('lane', seed, config) as LaneScene),
      'runs.repair': ({ id }) => {
        if (this.training.isActive(id)) throw new ContractError('conflict', `run "${id}" is training; stop it first`);
        return this.store.repair(id);
      },
      'live.watch': ({ id, seconds }) => this.training.watch(id, seconds),
      'train.takeover': ({ id, on, recordFrames, demonstrations }) => this.training.takeover(id, on, { recordFrames, demonstrations }),
      'train.drive': ({ id, steer, throttle }) => this.training.drive(id, { steer, throttle }),
      'runs.episodes': ({ id, limit }) => {
        this.store.readMeta(id); // not-found for unknown ids
        const all = listTracks(this.store.dir(id));
        return { ...all, episodes: all.episodes.slice(-limit) };
      },
      'runs.track': ({ id, episode, manual }) => {
        this.store.readMeta(id);
        const track = readTrack(this.store.dir(id), episode, manual);
        if (!track)
          throw new ContractError(
            'not-found',
            `episode ${episode}${manual ? ' (driven by hand)' : ''} of run "${id}" is not recorded (episodes older than the recording budget are dropped)`,
          );
        return track;
      },
      'runs.drive': ({ id }) => {
        const { config } = this.store.readConfig(id);
        if (!config.drive) throw new ContractError('bad-request', `run "${id}" is not a drive pipeline run (its config has no drive block)`);
        return driveRunView(this.store.dir(id));
      },
      'runs.export': ({ id, checkpoint, formats }) => {
        const { config } = this.store.readConfig(id);
        return runExportJob({ id, runDir: this.store.dir(id), checkpoint, formats, backend: config.backend }, this.bus);
      },
    };
  }

  /** Tells every window the run list changed, so a run made by the CLI or another window shows at once. */
  private announce<R extends { id: string }>(run: R, change: 'created' | 'renamed'): R {
    this.bus.emit('runs.changed', { id: run.id, change });
    return run;
  }

  /** A new run in a folder of exactly this name (the CLI's --out). */
  private createAt(id: string, config: RunConfigInput): ReturnType<RunStore['get']> {
    this.store.create(config, {}, id);
    return this.store.get(id);
  }

  /** An in-process client with the same validation as the remote ones (used by the CLI and tests). */
  client(): EngineClient {
    return {
      request: async <C extends RequestChannel>(channel: C, payload: RequestOf<C>): Promise<ResponseOf<C>> => {
        const result = await this.dispatcher.call(channel, payload);
        if ('error' in result) throw new ContractError(result.error.code, result.error.message, result.error.issues);
        return result.value as ResponseOf<C>;
      },
      on: <C extends EventChannel>(channel: C, listener: (payload: EventOf<C>) => void) => this.bus.on(channel, listener),
    };
  }

  async close(): Promise<void> {
    await this.training.stopAll();
  }
}

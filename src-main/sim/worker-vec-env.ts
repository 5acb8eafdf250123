/**
 * WorkerVecEnv: N envs of any registered id stepped across worker threads, with a synchronous
 * VecEnv API (like Stable-Baselines3's SubprocVecEnv, with the same-step autoreset as the
 * in-thread VecEnv: vec-env.ts stepWithAutoreset):
 *
 *   const vec = await WorkerVecEnv.create(config, { numEnvs: 8, workers: 2, seed: 1 });
 *   let obs = vec.reset();                 // Float32Array numEnvs * obsDim
 *   const r = vec.step(actions);           // actions: Float32Array numEnvs * actDim
 *   // r.obs (next obs; the reset obs where an episode ended), r.rewards, r.terminated,
 *   // r.truncated, r.infos[i] ({} or the env's info, plus `reset` info after an autoreset),
 *   // r.finalObs(i) (the last obs of an ended episode), vec.frame(i) (camera frames, opt-in)
 *   await vec.close();
 *
 * Bulk data crosses in SharedArrayBuffers; each step is one Atomics notify/wait per worker, so
 * the overhead is microseconds. The calling thread blocks in Atomics.wait during a step (fine
 * in Node's main thread and in worker threads, where training runs). Env i is reset first with
 * seed + i; later episodes continue each env's own random stream, so a run is reproducible
 * whatever the number of workers. Returned arrays are views owned by the VecEnv, overwritten by
 * the next call: copy what you keep.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import type { EnvConfig } from '../../src-shared/config/envs/index.js';
import { formatIssues } from '../../src-shared/protocol.js';
import { spawnWorker, workerEntry } from '../core/spawn.js';
import type { ActionSpace, BoxSpace } from './env.js';
import { makeEnv } from './registry.js';
import { VecEnvCore, type VecStepCore } from './vec-env.js';
import {
  CMD_CLOSE,
  CMD_IDLE,
  CMD_RESET,
  CMD_STEP,
  EnvWorkerMessage,
  FLAG_TERMINATED,
  FLAG_TRUNCATED,
  STATUS_ERROR,
  STATUS_OK,
  type EnvWorkerInit,
} from './env-worker-protocol.js';

const ENV_WORKER = workerEntry('env-worker', import.meta.url, './env-worker.ts');

export interface WorkerVecEnvOptions {
  numEnvs: number;
  /** Worker threads (default: min(numEnvs, available cores)). */
  workers?: number;
  /** Env i is first reset with seed + i (default 0). */
  seed?: number;
  /** Share each env's camera frame (envs with a frame() method, e.g. lane) after every step. */
  frames?: boolean;
  /** Milliseconds to wait for the workers to start (default 60 s). */
  startTimeoutMs?: number;
}

export interface WorkerVecStepResult extends VecStepCore {
  /** [numEnvs * obsDim] the next observations (the reset one where an episode ended). */
  obs: Float32Array;
}

export class WorkerVecEnv extends VecEnvCore {
  readonly numWorkers: number;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: ActionSpace;
  /** Bytes per shared camera frame (0 when frames are off). */
  readonly frameBytes: number;
  private readonly workers: Worker[];
  private readonly ports: MessagePort[];
  private readonly control: Int32Array;
  private readonly status: Int32Array;
  private readonly actions: Float32Array;
  private readonly obs: Float32Array;
  private readonly finalObsBuf: Float32Array;
  private readonly flags: Uint8Array;
  private readonly seeds: Float64Array;
  private readonly frames: Uint8Array;
  private readonly seed: number;
  private closed = false;

  private constructor(fields: {
    numEnvs: number;
    obsDim: number;
    actDim: number;
    observationSpace: BoxSpace;
    actionSpace: ActionSpace;
    frameBytes: number;
    workers: Worker[];
    ports: MessagePort[];
    buffers: EnvWorkerInit['buffers'];
    seed: number;
  }) {
    super(fields.numEnvs, fields.obsDim, fields.actDim, new Float64Array(fields.buffers.rewards));
    this.numWorkers = fields.workers.length;
    this.observationSpace = fields.observationSpace;
    this.actionSpace = fields.actionSpace;
    this.frameBytes = fields.frameBytes;
    this.workers = fields.workers;
    this.ports = fields.ports;
    const b = fields.buffers;
    this.control = new Int32Array(b.control);
    this.status = new Int32Array(b.status);
    this.actions = new Float32Array(b.actions);
    this.obs = new Float32Array(b.obs);
    this.finalObsBuf = new Float32Array(b.finalObs);
    this.flags = new Uint8Array(b.flags);
    this.seeds = new Float64Array(b.seeds);
    this.frames = new Uint8Array(b.frames);
    this.seed = fields.seed;
  }

  static async create(config: EnvConfig, options: WorkerVecEnvOptions): Promise<WorkerVecEnv> {
    const numEnvs = options.numEnvs;
    if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new Error('numEnvs must be an integer >= 1');
    const numWorkers = Math.max(1, Math.min(numEnvs, options.workers ?? availableParallelism()));
    // One env here to learn the spaces (and the frame size).
    const probe = makeEnv(config);
    const obsDim = probe.observationSpace.shape[0]!;
    const actDim = probe.actionSpace.shape[0]!;
    let frameBytes = 0;
    if (options.frames) {
      const f = (probe as { frame?: () => Uint8Array }).frame;
      if (!f) throw new Error(`env "${config.id}" has no camera frames`);
      probe.reset(0);
      frameBytes = f.call(probe).length;
    }
    probe.close?.();
    const sab = (bytes: number) => new SharedArrayBuffer(Math.max(8, bytes));
    const buffers: EnvWorkerInit['buffers'] = {
      control: sab(4 * numWorkers),
      status: sab(4 * numWorkers),
      actions: sab(4 * numEnvs * actDim),
      obs: sab(4 * numEnvs * obsDim),
      finalObs: sab(4 * numEnvs * obsDim),
      rewards: sab(8 * numEnvs),
      flags: sab(numEnvs),
      seeds: sab(8 * numEnvs),
      frames: sab(numEnvs * frameBytes),
    };
    const workers: Worker[] = [];
    const ports: MessagePort[] = [];
    const per = Math.floor(numEnvs / numWorkers);
    const extra = numEnvs % numWorkers;
    let first = 0;
    for (let w = 0; w < numWorkers; w++) {
      const count = per + (w < extra ? 1 : 0);
      const { port1, port2 } = new MessageChannel();
      const init: EnvWorkerInit = { config, first, count, numEnvs, obsDim, actDim, frameBytes, worker: w, buffers };
      workers.push(spawnWorker(ENV_WORKER, { workerData: { init, port: port2 }, transferList: [port2] }));
      ports.push(port1);
      first += count;
    }
    const vec = new WorkerVecEnv({
      numEnvs,
      obsDim,
      actDim,
      observationSpace: probe.observationSpace,
      actionSpace: probe.actionSpace,
      frameBytes,
      workers,
      ports,
      buffers,
      seed: options.seed ?? 0,
    });
    try {
      await vec.waitReady(options.startTimeoutMs ?? 60_000);
    } catch (e) {
      await vec.close();
      throw e;
    }
    return vec;
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const ready = new Set<number>();
    let failure: Error | undefined;
    const onError = (e: unknown) => {
      failure = e instanceof Error ? e : new Error(String(e));
    };
    for (const w of this.workers) w.once('error', onError);
    const deadline = Date.now() + timeoutMs;
    while (ready.size < this.numWorkers) {
      if (failure) throw new Error(`env worker failed to start: ${failure.message}`);
      for (let w = 0; w < this.numWorkers; w++) {
        for (let m = this.receive(w); m; m = this.receive(w)) {
          if (m.type === 'ready') ready.add(m.worker);
          else if (m.type === 'error') throw new Error(`env worker failed to start: ${m.message}`);
        }
      }
      if (Date.now() > deadline) throw new Error(`env workers did not start within ${timeoutMs} ms`);
      if (ready.size < this.numWorkers) await new Promise((r) => setTimeout(r, 5));
    }
    for (const w of this.workers) w.off('error', onError);
  }

  private receive(w: number): EnvWorkerMessage | undefined {
    const got = receiveMessageOnPort(this.ports[w]!);
    if (!got) return undefined;
    const parsed = EnvWorkerMessage.safeParse(got.message);
    if (!parsed.success) throw new Error(`env worker sent a malformed message: ${formatIssues(parsed.error).join('; ')}`);
    return parsed.data;
  }

  /** Runs a command on every worker and waits for all of them; collects infos and errors. */
  private command(cmd: number): void {
    if (this.closed) throw new Error('WorkerVecEnv is closed');
    for (let w = 0; w < this.numWorkers; w++) {
      Atomics.store(this.control, w, cmd);
      Atomics.notify(this.control, w);
    }
    for (let w = 0; w < this.numWorkers; w++) {
      while (Atomics.load(this.control, w) !== CMD_IDLE) Atomics.wait(this.control, w, cmd, 60_000);
    }
    const infos = this.stepped.infos;
    for (let i = 0; i < this.numEnvs; i++) if (Object.keys(infos[i]!).length) infos[i] = {};
    let error: string | undefined;
    for (let w = 0; w < this.numWorkers; w++) {
      for (let m = this.receive(w); m; m = this.receive(w)) {
        if (m.type === 'info') infos[m.env] = m.info;
        else if (m.type === 'error') error ??= m.message;
      }
      if (Atomics.load(this.status, w) === STATUS_ERROR) {
        Atomics.store(this.status, w, STATUS_OK);
        error ??= 'an env worker failed';
      }
    }
    if (error) throw new Error(`env step failed in a worker: ${error}`);
  }

  /** Resets every env (env i with seeds[i], default seed + i on the first call) and returns the observations. */
  reset(seeds?: readonly number[]): Float32Array {
    for (let i = 0; i < this.numEnvs; i++) this.seeds[i] = seeds ? (seeds[i] ?? -1) : this.seed + i;
    this.command(CMD_RESET);
    return this.obs;
  }

  /** Steps every env with its slice of `actions` (numEnvs * actDim); ended episodes are reset at once. */
  step(actions: Float32Array): WorkerVecStepResult {
    if (actions.length !== this.numEnvs * this.actDim) throw new Error(`expected ${this.numEnvs * this.actDim} actions, got ${actions.length}`);
    this.actions.set(actions);
    this.command(CMD_STEP);
    const { terminated, truncated } = this.stepped;
    for (let i = 0; i < this.numEnvs; i++) {
      const f = this.flags[i]!;
      terminated[i] = f & FLAG_TERMINATED ? 1 : 0;
      truncated[i] = f & FLAG_TRUNCATED ? 1 : 0;
    }
    return { obs: this.obs, ...this.stepped };
  }

  /** The last observation of env i's episode that ended in the latest step. */
  finalObs(i: number): Float32Array {
    return this.finalObsBuf.subarray(i * this.obsDim, (i + 1) * this.obsDim);
  }

  /** Env i's camera frame matching obs i (with the `frames` option). */
  frame(i: number): Uint8Array {
    if (!this.frameBytes) throw new Error('frames are off (create with { frames: true })');
    return this.frames.subarray(i * this.frameBytes, (i + 1) * this.frameBytes);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (let w = 0; w < this.workers.length; w++) {
      Atomics.store(this.control, w, CMD_CLOSE);
      Atomics.notify(this.control, w);
    }
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => void w.terminate().then(() => resolve()), 2000);
            w.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
    for (const p of this.ports) p.close();
  }
}

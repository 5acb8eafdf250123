/**
 * An env worker for WorkerVecEnv: owns a slice of the vectorized envs and steps them when the
 * main side writes a command into its control slot. Blocks in Atomics.wait between commands
 * (no event loop needed), so a step round-trip costs microseconds, not a message hop.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { formatIssues } from '../../src-shared/protocol.js';
import type { Env } from './env.js';
import { makeEnv } from './registry.js';
import {
  CMD_CLOSE,
  CMD_IDLE,
  CMD_RESET,
  CMD_STEP,
  EnvWorkerInit,
  FLAG_TERMINATED,
  FLAG_TRUNCATED,
  STATUS_ERROR,
  type EnvWorkerMessage,
} from './env-worker-protocol.js';
import { stepWithAutoreset, type ObsRows } from './vec-env.js';

const port = (workerData as { port?: MessagePort } | undefined)?.port ?? parentPort;
if (!port) throw new Error('env-worker must run in a worker thread');

function send(msg: EnvWorkerMessage): void {
  port!.postMessage(msg);
}

const parsed = EnvWorkerInit.safeParse((workerData as { init?: unknown } | undefined)?.init);
if (!parsed.success) {
  send({ type: 'error', message: `env-worker: bad init: ${formatIssues(parsed.error).join('; ')}` });
} else {
  run(parsed.data);
}

function run(init: EnvWorkerInit): void {
  const { first, count, obsDim, actDim, frameBytes, worker, buffers } = init;
  const control = new Int32Array(buffers.control);
  const status = new Int32Array(buffers.status);
  const actions = new Float32Array(buffers.actions);
  const obs = new Float32Array(buffers.obs);
  const finalObs = new Float32Array(buffers.finalObs);
  const rewards = new Float64Array(buffers.rewards);
  const flags = new Uint8Array(buffers.flags);
  const seeds = new Float64Array(buffers.seeds);
  const frames = new Uint8Array(buffers.frames);
  const envs: Env[] = [];
  for (let i = 0; i < count; i++) envs.push(makeEnv(init.config));
  const action = new Float32Array(actDim);
  const frameOf = (env: Env): Uint8Array | undefined => (env as { frame?: () => Uint8Array }).frame?.();

  const writeFrame = (k: number, env: Env) => {
    if (!frameBytes) return;
    const f = frameOf(env);
    if (f) frames.set(f.subarray(0, frameBytes), (first + k) * frameBytes);
  };

  const rows: ObsRows = { obs, finalObs, offset: 0, dim: obsDim };
  send({ type: 'ready', worker });
  for (;;) {
    Atomics.wait(control, worker, CMD_IDLE);
    const cmd = Atomics.load(control, worker);
    if (cmd === CMD_CLOSE) {
      Atomics.store(control, worker, CMD_IDLE);
      Atomics.notify(control, worker);
      break;
    }
    try {
      if (cmd === CMD_RESET) {
        for (let k = 0; k < count; k++) {
          const g = first + k;
          const seed = seeds[g]!;
          const r = envs[k]!.reset(Number.isFinite(seed) && seed >= 0 ? seed : undefined);
          obs.set(r.obs, g * obsDim);
          writeFrame(k, envs[k]!);
          if (Object.keys(r.info).length) send({ type: 'info', env: g, info: r.info });
        }
      } else if (cmd === CMD_STEP) {
        for (let k = 0; k < count; k++) {
          const g = first + k;
          for (let j = 0; j < actDim; j++) action[j] = actions[g * actDim + j]!;
          const env = envs[k]!;
          rows.offset = g * obsDim;
          // Later episodes continue the env's own random stream (no seed).
          const { step: r, next } = stepWithAutoreset(env, action, rows, () => env.reset());
          rewards[g] = r.reward;
          flags[g] = (r.terminated ? FLAG_TERMINATED : 0) | (r.truncated ? FLAG_TRUNCATED : 0);
          const info = next ? { ...r.info, reset: next.info } : r.info;
          writeFrame(k, env);
          if (Object.keys(info).length) send({ type: 'info', env: g, info });
        }
      }
    } catch (e) {
      Atomics.store(status, worker, STATUS_ERROR);
      send({ type: 'error', message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined });
    }
    Atomics.store(control, worker, CMD_IDLE);
    Atomics.notify(control, worker);
  }
  for (const env of envs) env.close?.();
  // Nothing else runs in this thread: end it (messages already posted have been delivered).
  process.exit(0);
}

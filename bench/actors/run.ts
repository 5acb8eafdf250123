/**
 * `bench actors`: env steps/s that parallel actors deliver to one learner (AsyncTrainer, the
 * code users run), for the lane env with state and 64x64 pixel observations, 1..N actors, over
 * the in-process transport (worker threads) and Redis on loopback (when a redis-server binary
 * is at hand). Each row runs a real async run in a temp folder: it waits until every actor has
 * delivered, then counts env steps and learner updates over `seconds`, then stops the run.
 *
 * The learner keeps to `updatesPerStep` (small by default) so that it does not hold the actors
 * back: the figures are what the actors deliver; the learner's updates/s are printed beside them.
 * `busy: true` runs a competitor process (one busy loop) through every measurement.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRunConfig, type RunConfigInput } from '../../src-shared/config/run-config.js';
import type { BackendInfo } from '../../src-shared/types.js';
import { AsyncTrainer, type TransportFactory } from '../../src-main/rl/actors/async-trainer.js';
import type { TrainJob } from '../../src-main/rl/train/types.js';

export type BenchEnv = 'lane-state' | 'lane-pixels';
export type BenchTransport = 'inproc' | 'redis';

export interface ActorsBenchRow {
  env: BenchEnv;
  transport: BenchTransport;
  actors: number;
  steps_per_s: number;
  learner_updates_per_s: number;
}

export interface ActorsBenchResult {
  rows: ActorsBenchRow[];
  /** Steps/s of 2 actors over 1, per env and transport (when both were measured). */
  speedup2: Record<string, number>;
  machine: { cpus: number; model: string; loadavgBefore: number[]; loadavgAfter: number[] };
  date: string;
  competitor: boolean;
  seconds: number;
  updatesPerStep: number;
  skipped: string[];
}

export interface ActorsBenchOptions {
  envs: BenchEnv[];
  transports: BenchTransport[];
  maxActors: number;
  seconds: number;
  updatesPerStep: number;
  busy: boolean;
  backend: BackendInfo;
  /** The Redis transport and its actor processes (given when a server is running). */
  redis?: { factory: (runId: string) => TransportFactory; startActors: (runId: string, n: number, backend: string) => () => Promise<void> };
  log: (line: string) => void;
}

function envInput(env: BenchEnv): RunConfigInput['env'] {
  if (env === 'lane-state') return { id: 'lane', obs: 'state' };
  // 64x64 camera through a small conv encoder trained with the critics (frames kept as bytes).
  return { id: 'lane', obs: 'vae', vae: { mode: 'scratch', filters: [16, 32, 64, 128], latentDim: 32 }, camera: { width: 64, height: 64 } };
}

function benchJob(runDir: string, config: RunConfigInput, backend: BackendInfo): { job: TrainJob; stop: () => void } {
  let stopRequested = false;
  const job: TrainJob = {
    runId: `bench-${Date.now().toString(36)}`,
    runDir,
    config: buildRunConfig(config),
    resume: false,
    backend,
    controls: {
      get stopRequested() {
        return stopRequested;
      },
      paused: false,
      speed: 'fast',
      waitWhilePaused: () => Promise.resolve(),
      takeEvaluateRequest: () => false,
    },
    out: { metric() {}, event() {}, progress() {}, status() {}, log() {} },
  };
  return { job, stop: () => (stopRequested = true) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(env: BenchEnv, transport: BenchTransport, actors: number, o: ActorsBenchOptions): Promise<ActorsBenchRow> {
  const dir = mkdtempSync(join(tmpdir(), 'drive-lab-bench-actors-'));
  try {
    const config: RunConfigInput = {
      env: envInput(env),
      totalSteps: 1_000_000_000,
      evalEvery: 0,
      checkpointEvery: 0,
      logEvery: 1_000_000,
      backend: o.backend.name,
      actors: { mode: 'async', count: actors, weightSyncEvery: 50, updatesPerStep: o.updatesPerStep },
      td3: { bufferSize: env === 'lane-pixels' ? 4_000 : 50_000, learningStarts: 100, batchSize: 64 },
    };
    const { job, stop } = benchJob(dir, config, o.backend);
    const factory = transport === 'redis' ? o.redis?.factory(job.runId) : undefined;
    const t = new AsyncTrainer(job, {}, factory);
    const running = t.run();
    const stopActors = transport === 'redis' ? o.redis!.startActors(job.runId, actors, o.backend.name) : undefined;
    // Every actor delivered (start-up of threads and the first weights are not counted).
    const joinDeadline = Date.now() + 120_000;
    while (Object.values(t.book.stepsByActor()).filter((n) => n > 0).length < actors || t.step <= 100) {
      if (Date.now() > joinDeadline) throw new Error(`actors did not all deliver within 120 s (${env}, ${transport}, ${actors})`);
      await sleep(100);
    }
    await sleep(1000);
    const s0 = t.step;
    const u0 = t.learner.updates;
    const t0 = performance.now();
    await sleep(o.seconds * 1000);
    const dt = (performance.now() - t0) / 1000;
    const row: ActorsBenchRow = { env, transport, actors, steps_per_s: (t.step - s0) / dt, learner_updates_per_s: (t.learner.updates - u0) / dt };
    stop();
    await running;
    await stopActors?.();
    t.dispose();
    o.log(`${env} ${transport} ${actors} actor(s): ${row.steps_per_s.toFixed(0)} steps/s, ${row.learner_updates_per_s.toFixed(1)} updates/s`);
    return row;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runActorsBench(o: ActorsBenchOptions): Promise<ActorsBenchResult> {
  const loadavgBefore = loadavg();
  let competitor: ChildProcess | undefined;
  if (o.busy) competitor = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  const rows: ActorsBenchRow[] = [];
  const skipped: string[] = [];
  try {
    for (const transport of o.transports) {
      if (transport === 'redis' && !o.redis) {
        skipped.push('redis: no redis-server binary on this machine');
        continue;
      }
      for (const env of o.envs) for (let n = 1; n <= o.maxActors; n++) rows.push(await measure(env, transport, n, o));
    }
  } finally {
    competitor?.kill();
  }
  const speedup2: Record<string, number> = {};
  for (const r of rows) {
    if (r.actors !== 2) continue;
    const one = rows.find((x) => x.env === r.env && x.transport === r.transport && x.actors === 1);
    if (one) speedup2[`${r.env}/${r.transport}`] = r.steps_per_s / one.steps_per_s;
  }
  return {
    rows,
    speedup2,
    machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? '?', loadavgBefore, loadavgAfter: loadavg() },
    date: new Date().toISOString(),
    competitor: o.busy,
    seconds: o.seconds,
    updatesPerStep: o.updatesPerStep,
    skipped,
  };
}

export function formatActorsBench(r: ActorsBenchResult): string {
  const lines = [
    `${r.date}, ${r.machine.cpus} cores (${r.machine.model}), load ${r.machine.loadavgBefore[0]!.toFixed(2)} -> ${r.machine.loadavgAfter[0]!.toFixed(2)}${r.competitor ? ', with a busy competitor process' : ''}`,
    '',
    '| env | transport | actors | env steps/s | learner updates/s |',
    '|---|---|---|---|---|',
    ...r.rows.map((x) => `| ${x.env} | ${x.transport} | ${x.actors} | ${x.steps_per_s.toFixed(0)} | ${x.learner_updates_per_s.toFixed(1)} |`),
  ];
  for (const [k, v] of Object.entries(r.speedup2)) lines.push(`2 actors / 1 actor (${k}): ${v.toFixed(2)}x`);
  for (const s of r.skipped) lines.push(`skipped ${s}`);
  return lines.join('\n');
}

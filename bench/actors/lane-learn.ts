// Learning with parallel actors on the lane env's STATE observation, TD3 with the drive recipe
// (DRIVE_TD3: 250 updates after each episode, 64-64 networks, 10-step returns) and its budget
// (bench/algos/lane-state.sh: 11 episodes), one seed:
//   1. the synchronous loop (1 actor, bit-reproducible) for 11 episodes: env steps N, updates U;
//   2. an async run with `actors` actor threads for the same N env steps and U updates
//      (updatesPerStep = U / N: the learner does the same work on as much experience).
// Both final policies are evaluated on the drive bench's 10 held-out 250 m routes (disengagements,
// metres per disengagement, clean routes); wall clock = training alone (no evaluation), and for
// the async run also the time until its first transitions arrived (the actor threads' start).
// Usage: tsx bench/actors/lane-learn.ts <seed> [actors (default 2)] [run dir]
// Prints one JSON line per mode.
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { buildRunConfig, type RunConfig } from '../../src-shared/config/run-config.js';
import { DRIVE_TD3 } from '../../src-shared/config/drive.js';
import { laneTestSeeds, type LaneEnvConfig } from '../../src-shared/config/envs/lane.js';
import type { BackendInfo } from '../../src-shared/types.js';
import { Trainer } from '../../src-main/rl/train/trainer.js';
import { AsyncTrainer } from '../../src-main/rl/actors/async-trainer.js';
import type { TrainJob } from '../../src-main/rl/train/types.js';
import { selectBackend } from '../../src-main/ml/backend.js';
import { evaluateLaneBatch, type LaneBatchPolicy } from '../../src-main/sim/lane/evaluate.js';

const EPISODES = 11;
const seed = Number(process.argv[2] ?? NaN);
if (!Number.isInteger(seed)) throw new Error('usage: tsx bench/actors/lane-learn.ts <seed> [actors] [run dir]');
const actors = Number(process.argv[3] ?? 2);
const root = process.argv[4] ?? `bench/out/actors-lane/${seed}`;
const backend = await selectBackend('wasm');

function job(dir: string, config: RunConfig, info: BackendInfo): TrainJob {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'checkpoints'), { recursive: true });
  return {
    runId: `lane-learn-${seed}`,
    runDir: dir,
    config,
    resume: false,
    backend: info,
    controls: { stopRequested: false, paused: false, speed: 'fast', waitWhilePaused: async () => {}, takeEvaluateRequest: () => false },
    out: { metric() {}, event() {}, progress() {}, status() {}, log() {} },
  } as TrainJob;
}

const base = (totalSteps: number) => ({
  name: 'lane-learn',
  seed,
  totalSteps,
  evalEvery: 0,
  checkpointEvery: 0,
  evalEpisodes: 1,
  env: { id: 'lane' as const, obs: 'state' as const, maxDistanceM: 250 },
  td3: DRIVE_TD3,
  backend: 'wasm' as const,
});

function evaluate(policy: LaneBatchPolicy, config: RunConfig) {
  const r = evaluateLaneBatch(policy, { config: config.env as LaneEnvConfig, seeds: laneTestSeeds(10), routeLengthM: 250 }).overall;
  return { disengagements: r.disengagements, mpd_m: Math.round(r.mpd * 10) / 10, clean_routes: r.cleanRoutes };
}

const line = (o: Record<string, unknown>) =>
  console.log(JSON.stringify({ seed, load1: Math.round(loadavg()[0]! * 10) / 10, date: new Date().toISOString(), ...o }));

// 1. Synchronous: the drive recipe's schedule for EPISODES episodes.
const syncConfig = buildRunConfig(base(10_000_000) as never);
let t0 = performance.now();
const sync = new Trainer(job(join(root, 'sync'), syncConfig, backend), { afterEpisode: (t) => ({ finish: t.episodes >= EPISODES }) });
await sync.run();
const syncWall = (performance.now() - t0) / 1000;
const steps = sync.step;
const updates = sync.learner.updates;
line({ mode: 'sync', actors: 1, episodes: sync.episodes, steps, updates, wall_s: Math.round(syncWall), ...evaluate(sync.rawPolicy(), syncConfig) });
sync.dispose();

// 2. Async: the same env steps and updates, spread over `actors` actor threads.
const asyncConfig = buildRunConfig({ ...base(steps), actors: { mode: 'async', count: actors, updatesPerStep: updates / steps } } as never);
t0 = performance.now();
const as = new AsyncTrainer(job(join(root, 'async'), asyncConfig, backend));
// When the first transitions arrived: the actor threads' start (module loading, ML backend) before it.
let firstStep = NaN;
const watch = setInterval(() => {
  if (as.step > 0 && Number.isNaN(firstStep)) firstStep = (performance.now() - t0) / 1000;
}, 20);
await as.run();
clearInterval(watch);
const asyncWall = (performance.now() - t0) / 1000;
line({
  mode: 'async',
  actors,
  episodes: as.episodes,
  steps: as.step,
  updates: as.learner.updates,
  wall_s: Math.round(asyncWall),
  first_transition_s: Math.round(firstStep * 10) / 10,
  ...evaluate((obs, n) => as.policy.act(obs, n), asyncConfig),
});
process.exit(0);

// Diagnostic for the drive bench: the drive pipeline's RL stage (a learner recipe, an episode
// schedule, evaluation after every episode on 10 held-out 250 m routes) on the lane env's STATE
// observation instead of the VAE latent: can the RL setup itself learn in ~11 episodes?
// Usage: tsx bench/drive/state-control.ts '<run config patch JSON>' <run dir> <max episodes>
// The patch may hold "recipe": "kendall" (KENDALL_TD3) instead of the default DRIVE_TD3; its
// other fields are merged over the run config (e.g. {"seed": 2, "algo": "ddpg", "td3": {...}}).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildRunConfig } from '../../src-shared/config/run-config.js';
import { DRIVE_RECIPES, type DriveRecipe } from '../../src-shared/config/drive.js';
import { laneTestSeeds, type LaneEnvConfig } from '../../src-shared/config/envs/lane.js';
import type { MetricLine, RunEvent } from '../../src-shared/types.js';
import { Trainer } from '../../src-main/rl/train/trainer.js';
import { selectBackend } from '../../src-main/ml/backend.js';
import { evaluateLaneBatch } from '../../src-main/sim/lane/evaluate.js';
import { JsonlAppender } from '../../src-main/core/durable-write.js';
import { deepMerge } from '../../src-main/store/run-store.js';

const { recipe = 'default', ...patch } = JSON.parse(process.argv[2] ?? '{}') as { recipe?: DriveRecipe } & Record<string, unknown>;
if (!Object.hasOwn(DRIVE_RECIPES, recipe)) throw new Error(`unknown recipe ${recipe}`);
const runDir = process.argv[3] ?? 'bench/out/drive-state';
rmSync(runDir, { recursive: true, force: true });
mkdirSync(join(runDir, 'checkpoints'), { recursive: true });
const backend = await selectBackend('wasm');
const base = {
  name: 'try',
  seed: 0,
  totalSteps: 10_000_000,
  evalEvery: 0,
  checkpointEvery: 0,
  env: { id: 'lane', obs: 'state', maxDistanceM: 250 },
  td3: DRIVE_RECIPES[recipe],
  backend: 'wasm',
};
const config = buildRunConfig(deepMerge(base as Record<string, unknown>, patch) as never);
const metrics = new JsonlAppender(join(runDir, 'metrics.jsonl'));
const events = new JsonlAppender(join(runDir, 'events.jsonl'));
const t0 = performance.now();
const el = () => ((performance.now() - t0) / 1000).toFixed(1);
let steps = 0;
const trainer = new Trainer(
  {
    runId: 'try',
    runDir,
    config,
    resume: false,
    backend,
    controls: { stopRequested: false, paused: false, speed: 'fast', waitWhilePaused: async () => {}, takeEvaluateRequest: () => false },
    out: {
      metric: (l: MetricLine) => {
        metrics.append(l);
        if (l.kind === 'episode') steps += l.length as number;
      },
      event: (e: RunEvent) => events.append(e),
      progress: () => {},
      status: () => {},
      log: () => {},
    },
  } as never,
  {
    afterEpisode: (t) => {
      const r = evaluateLaneBatch(t.rawPolicy(), { config: config.env as LaneEnvConfig, seeds: laneTestSeeds(10), routeLengthM: 250 }).overall;
      console.log(el(), 'ep', t.episodes, 'steps', t.step, 'dis', r.disengagements, 'mpd', r.mpd.toFixed(1), 'clean', r.cleanRoutes);
      return { finish: r.disengagements === 0 || t.episodes >= Number(process.argv[4] ?? 30) };
    },
  },
);
await trainer.run();
trainer.dispose();
metrics.close();
events.close();

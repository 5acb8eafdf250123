/**
 * Runs one training job in the worker thread (see rl/train/trainer.ts for the loop). A run whose
 * config has a `drive` block is the "learning to drive in a day" pipeline
 * (src-main/pipelines/drive/pipeline.ts). Here, above both, the trainer gets what lives above the
 * learning library: reading an exported policy for `initPolicy`.
 */
import { Trainer, type TrainHooks } from '../rl/train/trainer.js';
import type { InitPolicy } from '../rl/train/hooks.js';
import type { TrainJob } from '../rl/train/types.js';

/** Reads an export folder for a run's `initPolicy` (export/load.ts, loaded only when asked). */
async function loadExportedPolicy(dir: string): Promise<InitPolicy> {
  const { importPolicy } = await import('../export/load.js');
  const p = await importPolicy(dir);
  return { envId: p.meta.envId, actor: p.actor, hasEncoder: Boolean(p.encoder), from: p.from };
}

export type { StepView, TrainHooks } from '../rl/train/trainer.js';

/** Environment variable through which `npm run cli -- learner --redis URL` hands its Redis URL to the training thread. */
export const ACTORS_REDIS_ENV = 'DRIVE_LAB_ACTORS_REDIS';

/** `onCreated` sees the trainer before it runs (the live view attaches to it there). */
export async function runTraining(job: TrainJob, hooksIn: TrainHooks = {}, onCreated?: (trainer: Trainer) => void): Promise<void> {
  const hooks: TrainHooks = { loadInitPolicy: loadExportedPolicy, ...hooksIn };
  if (job.config.drive) {
    const { runDrive } = await import('../pipelines/drive/pipeline.js');
    await runDrive(job, hooks, onCreated);
    return;
  }
  if (job.config.actors?.mode === 'async') {
    // Parallel actors: the learner here, its actors in their own threads (no live view or manual driving).
    const { AsyncTrainer } = await import('../rl/actors/async-trainer.js');
    // The `learner` command names its Redis here (never in config.json: the URL may hold a password).
    const redisUrl = process.env[ACTORS_REDIS_ENV];
    const transport = redisUrl ? (await import('../rl/actors/redis/index.js')).redisTransport(redisUrl, job.runId) : undefined;
    const learner = new AsyncTrainer(job, hooks, transport);
    try {
      await learner.run();
    } finally {
      learner.dispose();
    }
    return;
  }
  const trainer = new Trainer(job, hooks);
  onCreated?.(trainer);
  try {
    await trainer.run();
  } finally {
    trainer.dispose();
  }
}

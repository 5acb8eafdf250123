/**
 * Runs one training job in the worker thread (see trainer.ts for the loop). A run whose config
 * has a `drive` block is the "learning to drive in a day" pipeline (src-main/pipelines/drive/pipeline.ts).
 */
import { Trainer, type TrainHooks } from './trainer.js';
import type { TrainJob } from './types.js';

export type { StepView, TrainHooks } from './trainer.js';

/** `onCreated` sees the trainer before it runs (the live view attaches to it there). */
export async function runTraining(job: TrainJob, hooks: TrainHooks = {}, onCreated?: (trainer: Trainer) => void): Promise<void> {
  if (job.config.drive) {
    const { runDrive } = await import('../../pipelines/drive/pipeline.js');
    await runDrive(job, hooks, onCreated);
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

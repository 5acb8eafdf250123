/** Runs one training job in the worker thread (see trainer.ts for the loop). */
import { Trainer, type TrainHooks } from './trainer.js';
import type { TrainJob } from './types.js';

export type { StepView, TrainHooks } from './trainer.js';

export async function runTraining(job: TrainJob, hooks: TrainHooks = {}): Promise<void> {
  const trainer = new Trainer(job, hooks);
  try {
    await trainer.run();
  } finally {
    trainer.dispose();
  }
}

/** Runs one training job in the worker thread. Filled in by the learner (TD3/DDPG) work. */
import type { TrainJob } from './types.js';

export async function runTraining(job: TrainJob): Promise<void> {
  job.out.status('failed', 0, 'training is not built yet in this version');
}

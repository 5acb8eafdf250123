/** The training/export worker's entry, for the main-thread services that start it. */
import { workerEntry } from '../core/spawn.js';

export const ENGINE_WORKER = workerEntry('engine-worker', import.meta.url, './engine-worker.ts');

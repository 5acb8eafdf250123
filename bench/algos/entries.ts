/** Every `bench algos` entry; each family of algorithms lists its own in a file of this folder. */
import { CONTINUOUS_ENTRIES } from './continuous.js';
import { DISCRETE_ENTRIES } from './discrete.js';
import type { AlgoBenchEntry } from './entry.js';

export const ALGO_BENCH_ENTRIES: AlgoBenchEntry[] = [...CONTINUOUS_ENTRIES, ...DISCRETE_ENTRIES];

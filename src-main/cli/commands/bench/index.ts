/**
 * `npm run cli -- bench <name>`: benchmarks (speed and learning goals). Each area adds a module
 * in this folder exporting register(bench) and lists it here. Results go to bench/RESULTS.md.
 */
import type { Command } from 'commander';
import * as algos from './algos.js';
import * as actors from './actors.js';
import * as arm from './arm.js';
import * as armLearn from './arm-learn.js';
import * as drive from './drive.js';
import * as exportBench from './export.js';
import * as gpu from './gpu.js';
import * as lane from './lane.js';
import * as ml from './ml.js';
import * as onPolicy from './on-policy.js';
import * as pendulum from './pendulum.js';

const benchModules: Array<{ register(bench: Command): void }> = [ml, pendulum, algos, onPolicy, actors, lane, arm, armLearn, exportBench, drive, gpu];

export function register(program: Command): void {
  const bench = program.command('bench').description('Run a benchmark (speed or learning goal); figures go to bench/RESULTS.md.');
  for (const m of benchModules) m.register(bench);
}

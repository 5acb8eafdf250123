/** Every CLI command module; each exports register(program). Add new commands here. */
import type { Command } from 'commander';
import * as actor from './actor.js';
import * as bench from './bench/index.js';
import * as drive from './drive.js';
import * as evalCmd from './eval.js';
import * as exportCmd from './export.js';
import * as policy from './policy.js';
import * as rollout from './rollout.js';
import * as lane from './lane.js';
import * as learner from './learner.js';
import * as runs from './runs.js';
import * as serve from './serve.js';
import * as status from './status.js';
import * as train from './train.js';

export const commandModules: Array<{ register(program: Command): void }> = [
  status,
  runs,
  serve,
  train,
  learner,
  actor,
  rollout,
  evalCmd,
  exportCmd,
  policy,
  lane,
  drive,
  bench,
];

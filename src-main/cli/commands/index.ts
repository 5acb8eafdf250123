/** Every CLI command module; each exports register(program). Add new commands here. */
import type { Command } from 'commander';
import * as bench from './bench/index.js';
import * as lane from './lane.js';
import * as runs from './runs.js';
import * as serve from './serve.js';
import * as status from './status.js';

export const commandModules: Array<{ register(program: Command): void }> = [status, runs, serve, bench, lane];

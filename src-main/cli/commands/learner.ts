/**
 * `npm run cli -- learner --redis redis://[user:password@]HOST:PORT [train options]`: trains a
 * run whose actors are processes on any machine (`actor --redis URL --run ID`), reached through
 * Redis. The same options, config precedence and run folder as `train`; the run is async
 * (`actors.mode`), with `--actors N` replay streams (one per actor slot; default 4). The URL is
 * never written into the run folder; `--resume` continues a run (with `--redis` again).
 * Redis unreachable: one line, the run is stopped after a checkpoint, nothing is lost.
 */
import type { Command } from 'commander';
import { RUN_LIMITS } from '../../../src-shared/config/limits.js';
import { ACTORS_REDIS_ENV } from '../../workers/run-training.js';
import { CliError, intOption } from '../context.js';
import { addRunOptions, runAction, type RunCommandSpec } from '../run-command.js';
import { TRAIN, TRAIN_FLAGS, type TrainOptions } from './train.js';

/** Replay streams of a learner on Redis when --actors is not given. */
export const DEFAULT_REDIS_SLOTS = 4;

interface LearnerOptions extends TrainOptions {
  redis: string;
}

const LEARNER: RunCommandSpec<LearnerOptions> = {
  ...(TRAIN as unknown as RunCommandSpec<LearnerOptions>),
  flags: TRAIN_FLAGS.map((f) =>
    f.key === 'actors' ? { ...f, parse: (raw: unknown) => intOption('--actors', String(raw), RUN_LIMITS.actors.min, RUN_LIMITS.actors.max) } : f,
  ),
  defaults: () => ({ actors: { mode: 'async', count: DEFAULT_REDIS_SLOTS } }),
  what: 'learner',
  alsoOnResume: ['redis'],
  resumeHint: 'learner --redis <url>',
  // An async run made by `train --actors` has no Redis actors: continue it with `train --resume`.
  checkResume: (run, ref) => {
    if (run.config.actors?.mode !== 'async') throw new CliError(`${ref} is not an async run; continue it with \`train --resume ${ref}\``);
  },
};

export function register(program: Command): void {
  const cmd = program
    .command('learner')
    .description('Train a run whose actors join from any machine through Redis (`actor --redis URL --run ID`); options as `train`.')
    .requiredOption('--redis <url>', 'redis://[user:password@]host:port[/db] (Redis 7)')
    .option('--env <id>', 'environment (default pendulum)')
    .option('--algo <algo>', 'td3 or ddpg (default td3)')
    .option('--steps <n>', "env steps to train for (default: the env preset's)")
    .option('--seed <n>', 'seed of the learner (actors draw their own)')
    .option('--num-envs <n>', 'envs each actor steps (default 1)')
    .option('--actors <n>', `replay streams, one per actor slot (default ${DEFAULT_REDIS_SLOTS}; any number of actors may join)`);
  addRunOptions(cmd, 'continue a stopped learner (id or folder) from its last checkpoint', 'td3.batchSize=128').action(
    async (o: LearnerOptions, c: Command) => {
      try {
        new URL(o.redis);
      } catch {
        throw new CliError(`--redis must be a URL like redis://host:6379 (got "${o.redis}")`);
      }
      process.env[ACTORS_REDIS_ENV] = o.redis;
      try {
        await runAction(LEARNER)(o, c);
      } finally {
        delete process.env[ACTORS_REDIS_ENV];
      }
    },
  );
}

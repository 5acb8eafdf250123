/**
 * `npm run cli -- bench actors [--json]`: env steps/s that 1..N parallel actors deliver to one
 * learner (lane env, state and 64x64 pixels; in-process and Redis on loopback), with the
 * learner's updates/s beside them. `--busy` adds a competitor process. Code: bench/actors/run.ts.
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { selectBackend } from '../../../ml/backend.js';
import { CliError, globalOptions, intOption, output } from '../../context.js';

interface Options {
  envs: string;
  transports: string;
  maxActors?: string;
  seconds: string;
  updatesPerStep: string;
  busy?: boolean;
}

export function register(bench: Command): void {
  bench
    .command('actors')
    .description('Env steps/s of 1..cores parallel actors feeding one learner (lane state and pixels; in-process and Redis), with learner updates/s.')
    .option('--envs <list>', 'lane-state, lane-pixels (comma-separated)', 'lane-state,lane-pixels')
    .option('--transports <list>', 'inproc, redis (comma-separated; redis needs a redis-server binary)', 'inproc,redis')
    .option('--max-actors <n>', 'measure 1..n actors (default: the core count)')
    .option('--seconds <n>', 'measured seconds per row (after every actor delivered)', '8')
    .option('--updates-per-step <x>', 'learner updates per collected step (kept low so the learner does not hold the actors back)', '0.002')
    .option('--busy', 'run a competitor process (a busy loop) through every measurement')
    .action(async (o: Options, cmd: Command) => {
      const g = globalOptions(cmd);
      const envs = o.envs.split(',').map((e) => e.trim());
      for (const e of envs) if (e !== 'lane-state' && e !== 'lane-pixels') throw new CliError(`--envs: unknown env "${e}"`);
      const transports = o.transports.split(',').map((t) => t.trim());
      for (const t of transports) if (t !== 'inproc' && t !== 'redis') throw new CliError(`--transports: unknown transport "${t}"`);
      const updatesPerStep = Number(o.updatesPerStep);
      if (!(updatesPerStep > 0 && updatesPerStep <= 64)) throw new CliError('--updates-per-step must be in (0, 64]');
      const backend = await selectBackend(g.backend);
      const { runActorsBench, formatActorsBench } = await import('../../../../bench/actors/run.js');
      const { benchRedis } = await import('../../../../bench/actors/redis.js');
      const redis = transports.includes('redis') ? await benchRedis() : undefined;
      try {
        const result = await runActorsBench({
          envs: envs as Array<'lane-state' | 'lane-pixels'>,
          transports: transports as Array<'inproc' | 'redis'>,
          maxActors: intOption('--max-actors', o.maxActors ?? String(availableParallelism()), 1, 64)!,
          seconds: intOption('--seconds', o.seconds, 1, 600)!,
          updatesPerStep,
          busy: o.busy === true,
          backend,
          ...(redis ? { redis } : {}),
          log: (l) => process.stderr.write(`${l}\n`),
        });
        output(g, result, () => formatActorsBench(result));
      } finally {
        await redis?.close();
      }
    });
}

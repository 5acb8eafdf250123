/**
 * `npm run cli -- actor --redis redis://[user:password@]HOST:PORT --run ID`: one actor of a run
 * whose learner is on Redis (`learner --redis`). Joins at any moment, waits while the learner is
 * away, ends when the run has finished (or on Ctrl-C). Start as many as you have cores, on any
 * machine that reaches the Redis server.
 */
import type { Command } from 'commander';
import { selectBackend } from '../../ml/backend.js';
import { CliError, globalOptions, output } from '../context.js';

interface ActorOptions {
  redis: string;
  run: string;
}

export function register(program: Command): void {
  program
    .command('actor')
    .description("Step envs for a run whose learner is on Redis (`learner --redis`), with the learner's newest actor weights.")
    .requiredOption('--redis <url>', 'redis://[user:password@]host:port[/db]')
    .requiredOption('--run <id>', 'the run id the learner printed')
    .action(async (o: ActorOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      if (!/^[A-Za-z0-9._-]{1,200}$/.test(o.run)) throw new CliError(`--run must be a run id (got "${o.run}")`);
      await selectBackend(g.backend);
      const { runRedisActor } = await import('../../rl/actors/redis/index.js');
      let stop = false;
      const onSigint = () => {
        if (stop) process.exit(130);
        stop = true;
        process.stderr.write('\nleaving the run (Ctrl-C again to quit now)...\n');
      };
      process.on('SIGINT', onSigint);
      try {
        const r = await runRedisActor({ url: o.redis, runId: o.run, log: (l) => process.stderr.write(`${l}\n`), shouldStop: () => stop });
        output(g, { run: o.run, slot: r.slot, steps: r.steps }, () => `actor left run ${o.run} after ${r.steps} env steps (slot ${r.slot})`);
      } catch (e) {
        throw new CliError(e instanceof Error ? e.message.split('\n')[0]! : String(e), 1);
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}

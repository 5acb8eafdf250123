/**
 * `npm run cli -- bench on-policy [--algo ppo] [--env cartpole] [--seeds 1,2,3 | --random-seeds 3]`:
 * PPO, A2C and REINFORCE through the real training loop on CartPole-v1 (goal: final evaluation
 * >= 475 for every seed) and PPO on Pendulum-v1 (bench/on-policy/run.ts). Runs one after another
 * in this process; run several processes for parallel seeds.
 */
import { randomInt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError, globalOptions, intOption, output } from '../../context.js';

interface Options {
  algo?: string;
  env?: string;
  seeds?: string;
  randomSeeds?: string;
  workers: string;
  envsPerWorker: string;
  out: string;
}

export function register(bench: Command): void {
  bench
    .command('on-policy')
    .description('PPO, A2C and REINFORCE on CartPole-v1 (goal: final eval >= 475, every seed) and PPO on Pendulum-v1, with RL Zoo hyperparameters.')
    .option('--algo <algo>', "only this algorithm (ppo, a2c, reinforce, or a3c: A2C's CartPole case with asynchronous workers)")
    .option('--workers <n>', 'A3C worker threads', '2')
    .option(
      '--envs-per-worker <n>',
      "A3C envs per worker: each worker an A2C learner with A2C's batch (A2C's 8 envs split over the workers gives each update a smaller batch)",
      '8',
    )
    .option('--env <env>', 'only this env (cartpole, pendulum)')
    .option('--seeds <list>', 'run seeds, comma-separated')
    .option('--random-seeds <n>', 'draw this many seeds at random (default 3 when --seeds is absent)')
    .option('--out <dir>', 'output folder (runs and results JSON)', 'bench/out/on-policy')
    .action(async (o: Options, cmd: Command) => {
      const g = globalOptions(cmd);
      const { CASES, CARTPOLE_GOAL, machine, runA3cCase, runOnPolicyCase } = await import('../../../../bench/on-policy/run.js');
      const a3c = o.algo === 'a3c';
      const cases = CASES.filter((c) => (!o.algo || c.algo === o.algo) && (!o.env || c.env === o.env));
      if (!cases.length && !a3c) throw new CliError(`no benchmark case for --algo ${o.algo ?? '*'} --env ${o.env ?? '*'}`);
      const seeds = o.seeds
        ? o.seeds.split(',').map((s) => intOption('--seeds', s.trim(), 0)!)
        : Array.from({ length: intOption('--random-seeds', o.randomSeeds ?? '3', 1)! }, () => randomInt(2 ** 30));
      const outDir = resolve(o.out);
      mkdirSync(outDir, { recursive: true });
      const runs: Array<Awaited<ReturnType<typeof runOnPolicyCase>>> = [];
      if (a3c) {
        for (const seed of seeds) {
          const r = await runA3cCase(seed, intOption('--workers', o.workers, 1)!, g.backend, intOption('--envs-per-worker', o.envsPerWorker, 1));
          process.stderr.write(`${r.algo} cartpole seed ${seed}: final ${r.final.toFixed(1)} after ${r.steps} steps in ${r.wallClockS.toFixed(1)} s\n`);
          runs.push(r);
        }
      }
      for (const c of cases) {
        for (const seed of seeds) {
          const r = await runOnPolicyCase(c, seed, outDir, g.backend);
          process.stderr.write(
            `${c.algo} ${c.env} seed ${seed}: final ${r.final.toFixed(1)} +- ${r.finalStd.toFixed(1)} after ${r.steps} steps / ${r.episodes} episodes in ${r.wallClockS.toFixed(1)} s\n`,
          );
          runs.push(r);
        }
      }
      const result = { date: new Date().toISOString(), machine: machine(), backend: g.backend, seedsDrawnAtRandom: !o.seeds, runs };
      const file = join(outDir, `results-${o.algo ?? 'all'}-${o.env ?? 'all'}-${Date.now()}.json`);
      writeFileSync(file, JSON.stringify(result, null, 1));
      output(
        g,
        result,
        () =>
          runs
            .map((r) => `${r.algo} ${r.env} seed ${r.seed}: ${r.final.toFixed(1)} (${r.steps} steps, ${r.episodes} episodes, ${r.wallClockS.toFixed(0)} s)`)
            .join('\n') + `\n\nresults: ${file}`,
      );
      const failed = runs.filter((r) => r.env === 'cartpole' && !(r.final >= CARTPOLE_GOAL));
      if (failed.length) throw new CliError(`the CartPole goal (>= ${CARTPOLE_GOAL}) was not met by ${failed.length} run(s)`, 1);
    });
}

/**
 * `npm run cli -- bench algos`: the algorithm families on their reference tasks (DQN and Rainbow
 * on CartPole-v1, DQN on MountainCar-v0), N seeds drawn at random, final eval against the goal,
 * RL Zoo's figures beside ours. `--json` prints the result object.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError, globalOptions, intOption, output } from '../../context.js';

interface Options {
  cases?: string;
  seeds: string;
  seedList?: string;
  parallel: string;
  steps?: string;
  out: string;
}

export function register(bench: Command): void {
  bench
    .command('algos')
    .description('Algorithm families on their reference tasks (DQN/Rainbow on CartPole-v1, DQN on MountainCar-v0), seeds drawn at random, beside RL Zoo.')
    .option('--cases <list>', 'cases, comma-separated (default: all): dqn-cartpole, rainbow-cartpole, dqn-mountaincar')
    .option('--seeds <n>', 'seeds per case, drawn at random', '3')
    .option('--seed-list <list>', 'exact seeds, comma-separated (instead of random ones)')
    .option('--parallel <n>', 'runs trained side by side', '2')
    .option('--steps <n>', "override every case's env-step budget (quick checks)")
    .option('--out <dir>', 'output folder (runs, results.json)', 'bench/out/algos')
    .action(async (o: Options, cmd: Command) => {
      const g = globalOptions(cmd);
      const { ALGO_BENCH_CASES, runAlgoBench, formatAlgoResult, randomSeeds } = await import('../../../../bench/algos/run.js');
      const names = o.cases ? o.cases.split(',').map((s) => s.trim()) : ALGO_BENCH_CASES.map((c) => c.name);
      const cases = names.map((n) => {
        const c = ALGO_BENCH_CASES.find((x) => x.name === n);
        if (!c) throw new CliError(`--cases: unknown case "${n}" (cases: ${ALGO_BENCH_CASES.map((x) => x.name).join(', ')})`);
        return c;
      });
      const seeds = o.seedList ? o.seedList.split(',').map((s) => intOption('--seed-list', s.trim(), 0)!) : randomSeeds(intOption('--seeds', o.seeds, 1)!);
      const result = await runAlgoBench({
        cases,
        seeds,
        parallel: intOption('--parallel', o.parallel, 1)!,
        ...(o.steps ? { steps: intOption('--steps', o.steps, 1)! } : {}),
        outDir: resolve(o.out),
        backend: g.backend,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      output(g, result, () => formatAlgoResult(result) + `\n\nresults: ${resolve(o.out, 'results.json')}`);
      if (!result.goalMet) throw new CliError('the learning goal was not met', 1);
    });
}

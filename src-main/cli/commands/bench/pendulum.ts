/**
 * `npm run cli -- bench pendulum`: TD3 and DDPG on pendulum, 3 seeds, 20k steps, goal >= -200
 * for every seed; plus the TD3 wall clock against a PyTorch TD3 of the same settings.
 */
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AlgoId } from '../../../../src-shared/config/algo.js';
import { CliError, globalOptions, intOption, output } from '../../context.js';

interface Options {
  seeds: string;
  steps: string;
  algos: string;
  parallel: string;
  torch: boolean;
  torchThreads?: string;
  python: string;
  out: string;
}

export function register(bench: Command): void {
  bench
    .command('pendulum')
    .description('TD3 and DDPG on pendulum (3 seeds, 20k steps, goal: final eval >= -200), with a PyTorch TD3 wall-clock comparison.')
    .option('--seeds <n>', 'seeds per algorithm', '3')
    .option('--steps <n>', 'env steps per run', '20000')
    .option('--algos <list>', 'algorithms, comma-separated', 'td3,ddpg')
    .option('--parallel <n>', 'runs trained side by side after the timed pair', '2')
    .option('--no-torch', 'skip the PyTorch comparison')
    .option('--torch-threads <list>', 'PyTorch thread counts to time, comma-separated (default: cores,1)')
    .option('--python <path>', 'Python with torch and matplotlib', '/usr/bin/python3')
    .option('--out <dir>', 'output folder (runs, results.json, curves, PNG)', 'bench/out/pendulum')
    .action(async (o: Options, cmd: Command) => {
      const g = globalOptions(cmd);
      const algos = o.algos.split(',').map((a) => {
        const r = AlgoId.safeParse(a.trim());
        if (!r.success) throw new CliError(`--algos: unknown algorithm "${a}"`);
        return r.data;
      });
      const { runPendulumBench, formatPendulumResult } = await import('../../../../bench/pendulum/run.js');
      const result = await runPendulumBench({
        seeds: intOption('--seeds', o.seeds, 1)!,
        steps: intOption('--steps', o.steps, 1)!,
        algos,
        parallel: intOption('--parallel', o.parallel, 1)!,
        torch: o.torch,
        torchThreads: (o.torchThreads ?? `${cpus().length},1`).split(',').map((t) => intOption('--torch-threads', t.trim(), 1)!),
        python: o.python,
        outDir: resolve(o.out),
        backend: g.backend,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      output(g, result, () => formatPendulumResult(result) + `\n\nresults: ${result.files.results}${result.files.png ? `\nplot: ${result.files.png}` : ''}`);
      if (!result.goalMet) throw new CliError('the learning goal was not met', 1);
    });
}

/**
 * `npm run cli -- bench algos`: the algorithm families' learning goals (bench/algos/entries.ts),
 * N seeds each, drawn at random unless --seed-list is given; figures go to bench/RESULTS.md.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError, globalOptions, intOption, output } from '../../context.js';

interface Options {
  entries?: string;
  seeds: string;
  seedList?: string;
  parallel: string;
  out: string;
}

export function register(bench: Command): void {
  bench
    .command('algos')
    .description('Learning goals of the algorithm families (e.g. SAC and D4PG on pendulum: final eval >= -200 on every seed).')
    .option('--entries <list>', 'entries to run, comma-separated (default: all; see bench/algos/)')
    .option('--seeds <n>', 'seeds per entry, drawn at random', '3')
    .option('--seed-list <list>', 'these seeds instead of random ones, comma-separated')
    .option('--parallel <n>', 'runs trained at the same time', '2')
    .option('--out <dir>', 'output folder (runs, results.json)', 'bench/out/algos')
    .action(async (o: Options, cmd: Command) => {
      const g = globalOptions(cmd);
      const { ALGO_BENCH_ENTRIES } = await import('../../../../bench/algos/entries.js');
      const { runAlgoBench, formatAlgoBench } = await import('../../../../bench/algos/run.js');
      const wanted = o.entries?.split(',').map((s) => s.trim());
      const entries = wanted ? wanted.map((id) => ALGO_BENCH_ENTRIES.find((e) => e.id === id) ?? null) : ALGO_BENCH_ENTRIES;
      const missing = wanted?.filter((_, i) => entries[i] === null);
      if (missing?.length)
        throw new CliError(
          `--entries: unknown entr${missing.length > 1 ? 'ies' : 'y'} ${missing.join(', ')} (known: ${ALGO_BENCH_ENTRIES.map((e) => e.id).join(', ')})`,
        );
      const seeds = o.seedList?.split(',').map((s) => intOption('--seed-list', s.trim(), 0, 2 ** 31 - 1)!);
      const result = await runAlgoBench({
        entries: entries.filter((e) => e !== null),
        ...(seeds ? { seeds } : {}),
        seedCount: intOption('--seeds', o.seeds, 1)!,
        parallel: intOption('--parallel', o.parallel, 1)!,
        outDir: resolve(o.out),
        backend: g.backend,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      output(g, result, () => `${formatAlgoBench(result)}\n\nresults: ${result.file}`);
      if (!result.goalMet) throw new CliError('the learning goal was not met', 1);
    });
}

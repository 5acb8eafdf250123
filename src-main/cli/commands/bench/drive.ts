/**
 * `npm run cli -- bench drive [--seeds 0,1,2] [--algo td3|ddpg] [-- <drive options>]`: Kendall et
 * al.'s Table I reproduction on several seeds, one `drive` run at a time; goals: the VAE agent
 * drives every held-out test route without a disengagement after <= 11 training episodes, and a
 * fresh run gets there in <= 10 minutes. Figures go to bench/RESULTS.md ("Drive in a day (VAE)").
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AlgoId } from '../../../../src-shared/config/algo.js';
import { CliError, globalOptions, intOption, output } from '../../context.js';
import { parseSeeds } from '../../seeds.js';

interface Options {
  seeds: string;
  algo: string;
  out: string;
  competitors: string;
}

export function register(bench: Command): void {
  bench
    .command('drive')
    .description(
      'Learning to drive in a day: the drive pipeline on several seeds (Table I of Kendall et al. 2018); goals: 0 disengagements after <= 11 episodes, <= 10 min.',
    )
    .option('--seeds <list>', 'seeds, e.g. 0,1,2 or 0..2', '0,1,2')
    .option('--algo <algo>', 'td3 or ddpg', 'td3')
    .option('--out <dir>', 'output folder (one run folder per seed, results.json)', 'bench/out/drive')
    .option('--competitors <n>', 'run N busy processes beside every seed (budgets are episodes: the result should not change, only the wall clock)', '0')
    .argument('[driveOptions...]', 'options passed to every `drive` run (after --), e.g. -- --pixels-minutes 5')
    .action(async (driveArgs: string[], o: Options, cmd: Command) => {
      const g = globalOptions(cmd);
      const algo = AlgoId.safeParse(o.algo);
      if (!algo.success) throw new CliError(`--algo must be one of ${AlgoId.options.join(', ')} (got "${o.algo}")`);
      const { runDriveBench, formatDriveBench } = await import('../../../../bench/drive/run.js');
      const result = await runDriveBench({
        seeds: parseSeeds(o.seeds),
        algo: algo.data,
        outDir: resolve(o.out),
        driveArgs,
        competitors: intOption('--competitors', o.competitors, 0) ?? 0,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      output(g, result, () => `${formatDriveBench(result)}\n\nresults: ${result.files.results}`);
      if (!result.goals.cleanWithin11Episodes || !result.goals.pipelineWithin10Minutes) throw new CliError('a drive goal was not met (see the table)', 1);
    });
}

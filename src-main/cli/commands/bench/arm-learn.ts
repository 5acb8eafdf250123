/**
 * `npm run cli -- bench arm-learn [--task reach|push] [--seeds 0,1,2] [--steps N] [--json]`: TD3
 * on the robot-arm tasks through the real training loop, one run per seed in worker threads;
 * prints per-seed final success over 100 evaluation episodes, steps to the first evaluation at
 * the goal, and wall clock. Goals: reach >= 95% for every seed within 30,000 env steps; push
 * >= 90% for every seed within 300,000 (the presets' lengths).
 */
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { collect, mergeInput, parseSet } from '../../config-input.js';
import { CliError, globalOptions, intOption, numberOption, output } from '../../context.js';

interface Options {
  task: string;
  seeds: string;
  steps?: string;
  evalEvery?: string;
  evalEpisodes: string;
  parallel?: string;
  set: string[];
  python: string;
  out?: string;
  vaeFrames?: string;
  vaeEpochs: string;
  vaeForegroundWeight?: string;
  vaeBeta?: string;
  vaeLatent?: string;
}

export function register(bench: Command): void {
  bench
    .command('arm-learn')
    .description(
      'TD3 on arm-reach (goal: >= 95% success over 100 evaluation episodes within 30,000 env steps, every seed) or arm-push (>= 90% within 300,000); learning curves and wall clock.',
    )
    .option('--task <task>', 'reach or push', 'reach')
    .option('--seeds <list>', 'run seeds, comma-separated', '0,1,2')
    .option('--steps <n>', "env steps per run (default: the env preset's)")
    .option('--eval-every <n>', 'env steps between evaluations (default: 2000 for reach, 20000 for push)')
    .option('--eval-episodes <n>', 'episodes per evaluation (held-out seeds)', '100')
    .option('--parallel <n>', 'runs trained side by side in worker threads (default: the core count)')
    .option('--set <key=value>', 'override a config field of every run, e.g. env.control=position (repeatable)', collect, [])
    .option('--python <path>', 'Python with matplotlib (for the PNG)', '/usr/bin/python3')
    .option(
      '--vae-frames <n>',
      'first collect this many table-camera frames (random and scripted policies), train a VAE on them, and train every run on obs "vae" (that VAE, frozen) with uniform replay and Gaussian noise',
    )
    .option('--vae-epochs <n>', 'VAE epochs (with --vae-frames)', '6')
    .option(
      '--vae-foreground-weight <w>',
      'with --vae-frames: weight of the squared error of the pixels that differ from the static scene (the arm, the cube, their shadows); default 1',
    )
    .option('--vae-beta <b>', "with --vae-frames: the VAE's KL weight (default: the drive pipeline's, 0.1)")
    .option('--vae-latent <n>', "with --vae-frames: the VAE's latent size (default: the drive pipeline's, 32)")
    .option('--out <dir>', 'output folder (runs, results.json, curves.json, PNG); default bench/out/arm-<task>')
    .action(async (o: Options, cmd: Command) => {
      const g = globalOptions(cmd);
      if (o.task !== 'reach' && o.task !== 'push') throw new CliError(`--task must be reach or push (got "${o.task}")`);
      const seeds = o.seeds.split(',').map((s) => intOption('--seeds', s.trim(), 0)!);
      if (!seeds.length || new Set(seeds).size !== seeds.length) throw new CliError('--seeds needs distinct seeds, e.g. 0,1,2');
      let overrides: Record<string, unknown> = {};
      for (const s of o.set) overrides = mergeInput(overrides, parseSet(s).patch);
      const { runArmLearnBench, formatArmLearnResult } = await import('../../../../bench/arm-learn/run.js');
      const outDir = resolve(o.out ?? `bench/out/arm-${o.task}`);
      const vaeFrames = intOption('--vae-frames', o.vaeFrames, 2);
      let pretrained: unknown;
      if (vaeFrames !== undefined) {
        const { pretrainArmVae } = await import('../../../../bench/arm-vae/pretrain.js');
        const p = await pretrainArmVae({
          env: o.task === 'reach' ? 'arm-reach' : 'arm-push',
          frames: vaeFrames,
          epochs: intOption('--vae-epochs', o.vaeEpochs, 1)!,
          ...(o.vaeForegroundWeight === undefined
            ? {}
            : { foregroundWeight: numberOption('--vae-foreground-weight', o.vaeForegroundWeight, { min: 1, max: 1000 })! }),
          ...(o.vaeBeta === undefined ? {} : { beta: numberOption('--vae-beta', o.vaeBeta, { min: 0, max: 100 })! }),
          ...(o.vaeLatent === undefined ? {} : { latentDim: intOption('--vae-latent', o.vaeLatent, 1, 1024)! }),
          seed: seeds[0]!,
          outDir,
          backend: g.backend,
          log: (l) => process.stderr.write(`${l}\n`),
        });
        pretrained = p;
        process.stderr.write(`VAE: ${p.epochs} epochs in ${p.vaeS.toFixed(0)} s, validation loss ${p.valLoss?.loss.toFixed(4) ?? '-'}; ${p.reconstructions}\n`);
        // The camera envs are not goal-conditioned and have no scripted controller (both read the state).
        overrides = mergeInput(
          { env: { obs: 'vae', vae: { model: p.modelDir } }, td3: { replay: { type: 'uniform' }, noise: { type: 'gaussian', sigma: 0.1 } } },
          overrides,
        );
      }
      const result = await runArmLearnBench({
        task: o.task,
        seeds,
        steps: intOption('--steps', o.steps, 1),
        evalEvery: intOption('--eval-every', o.evalEvery, 1) ?? (o.task === 'reach' ? 2000 : 20_000),
        evalEpisodes: intOption('--eval-episodes', o.evalEpisodes, 1)!,
        parallel: intOption('--parallel', o.parallel, 1) ?? cpus().length,
        overrides,
        python: o.python,
        outDir,
        backend: g.backend,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      // --json: everything but the per-episode curves (those are in curves.json).
      const compact = { ...result, runs: result.runs.map(({ episodes: _e, ...r }) => r), ...(pretrained ? { vae: pretrained } : {}) };
      output(g, compact, () => formatArmLearnResult(result) + `\n\nresults: ${result.files.results}${result.files.png ? `\nplot: ${result.files.png}` : ''}`);
      if (!result.goalMet) throw new CliError('the learning goal was not met', 1);
    });
}

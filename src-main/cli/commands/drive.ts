/**
 * `npm run cli -- drive --seed S [--algo ddpg] [--json] [--runs-dir D]`: the "learning to drive in
 * a day" pipeline (Kendall et al. 2018) as one run: collect camera frames, train the VAE, train
 * TD3/DDPG on its latent with episodes ending at disengagements, evaluate after every episode on
 * held-out 250 m test routes, stop at the first evaluation without a disengagement (or a budget),
 * train the pixels baseline, and write report.json + report.md (a Table I in Kendall et al.'s
 * shape). Runs through the engine like `train` (a worker thread; the run shows in the app), with a
 * progress line per stage. Ctrl-C stops after a checkpoint; `drive --resume <run>` continues.
 */
import { fixedOrDash as fmt } from '../../../src-shared/util/format.js';
import { existsSync, readFileSync } from 'node:fs';
import { renameDurable } from '../../core/durable-write.js';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { AlgoId } from '../../../src-shared/config/algo.js';
import { DRIVE_RECIPES, DRIVE_WORLDS, DriveConfig, driveRunInput, type DriveConfigInput, type DriveRecipe, type DriveWorld } from '../../../src-shared/config/drive.js';
import { RunId, type MetricLine, type RunStatus } from '../../../src-shared/types.js';
import type { DriveReport } from '../../pipelines/drive/report.js';
import { Engine } from '../../services/engine.js';
import { readJsonIfExists } from '../../core/durable-write.js';
import { buildCheckedConfig, collect, leafPaths, mergeInput, parseSet, readJsonFile } from '../config-input.js';
import { CliError, globalOptions, intOption, output, Progress, type GlobalOptions } from '../context.js';
import { locateRun } from './train.js';

/**
 * Defaults of the CLI pipeline (the DriveConfig schema's, which app runs use too), sized to finish in about 10 minutes on a 2-core CPU: 3,000 64x64
 * frames, 6 VAE epochs, latent 32, the drive learner recipe (DRIVE_TD3: Kendall et al.'s settings plus the deviations documented there; `--recipe kendall` = theirs), at most 30
 * episodes and 8 minutes for the VAE agent (from a fresh run), the pixels baseline capped at 2
 * minutes.
 */
const DRIVE_DEFAULTS = DriveConfig.parse({});
export const DRIVE_CLI_DEFAULTS = {
  frames: DRIVE_DEFAULTS.frames.count,
  vaeEpochs: DRIVE_DEFAULTS.vae.epochs,
  latent: DRIVE_DEFAULTS.vae.latentDim,
  episodes: DRIVE_DEFAULTS.budgetEpisodes,
  minutes: DRIVE_DEFAULTS.budgetMinutes,
  testRoutes: DRIVE_DEFAULTS.testRoutes,
  pixelsEpisodes: DRIVE_DEFAULTS.pixels.budgetEpisodes,
  pixelsMinutes: DRIVE_DEFAULTS.pixels.budgetMinutes,
  world: 'plain',
  recipe: 'default',
} as const;


interface DriveOptions {
  seed?: string;
  algo?: string;
  recipe?: string;
  name?: string;
  out?: string;
  frames?: string;
  vaeEpochs?: string;
  latent?: string;
  episodes?: string;
  minutes?: string;
  testRoutes?: string;
  pixels: boolean;
  world?: string;
  pixelsEpisodes?: string;
  pixelsMinutes?: string;
  config?: string;
  set: string[];
  resume?: string;
}

function positive(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${name} must be a number > 0 (got "${raw}")`);
  return n;
}

/** The run config input of a drive run from the command's options. */
export function driveInput(o: DriveOptions, g: GlobalOptions): { input: Record<string, unknown>; userPaths: string[][] } {
  const userPaths: string[][] = [];
  const d = DRIVE_CLI_DEFAULTS;
  const seed = intOption('--seed', o.seed, 0) ?? 0;
  let algo: AlgoId = 'td3';
  if (o.algo !== undefined) {
    const a = AlgoId.safeParse(o.algo);
    if (!a.success) throw new CliError(`--algo must be one of ${AlgoId.options.join(', ')} (got "${o.algo}")`);
    algo = a.data;
  }
  const latentDim = intOption('--latent', o.latent, 1) ?? d.latent;
  const recipe = (o.recipe ?? d.recipe) as DriveRecipe;
  if (!Object.hasOwn(DRIVE_RECIPES, recipe)) throw new CliError(`--recipe must be one of ${Object.keys(DRIVE_RECIPES).join(', ')} (got "${o.recipe}")`);
  const world = (o.world ?? d.world) as DriveWorld;
  if (!(world in DRIVE_WORLDS)) throw new CliError(`--world must be one of ${Object.keys(DRIVE_WORLDS).join(', ')} (got "${o.world}")`);
  const drive: DriveConfigInput = {
    frames: { count: intOption('--frames', o.frames, 16) ?? d.frames },
    vae: { epochs: intOption('--vae-epochs', o.vaeEpochs, 1) ?? d.vaeEpochs, latentDim },
    budgetEpisodes: intOption('--episodes', o.episodes, 1) ?? d.episodes,
    budgetMinutes: positive('--minutes', o.minutes) ?? d.minutes,
    testRoutes: intOption('--test-routes', o.testRoutes, 1) ?? d.testRoutes,
    pixels: {
      enabled: o.pixels,
      budgetEpisodes: intOption('--pixels-episodes', o.pixelsEpisodes, 1) ?? d.pixelsEpisodes,
      budgetMinutes: positive('--pixels-minutes', o.pixelsMinutes) ?? d.pixelsMinutes,
    },
  };
  let input = driveRunInput({ seed, algo, world, recipe, drive, ...(o.name ? { name: o.name } : {}) });
  if (g.backend !== 'auto') input.backend = g.backend;
  if (o.config) {
    const file = readJsonFile(o.config, '--config file');
    if (typeof file !== 'object' || file === null || Array.isArray(file)) throw new CliError(`--config file ${o.config} must hold a JSON object`);
    input = mergeInput(input, file as Record<string, unknown>);
    userPaths.push(...leafPaths(file as Record<string, unknown>));
  }
  for (const s of o.set) {
    const { path, patch } = parseSet(s);
    input = mergeInput(input, patch);
    userPaths.push(path);
  }
  return { input, userPaths };
}


export function register(program: Command): void {
  const d = DRIVE_CLI_DEFAULTS;
  program
    .command('drive')
    .description('Learning to drive in a day: collect camera frames, train a VAE, train TD3/DDPG on its latent until the held-out test routes are driven without a disengagement, and write report.json / report.md.')
    .option('--seed <n>', 'seed of every random number generator in the run', '0')
    .option('--algo <algo>', 'td3 or ddpg (a preset of TD3)', 'td3')
    .option('--recipe <name>', `learner settings: default (Kendall et al.'s with 10-step returns, gamma 0.95, tau 0.02 and a pre-tanh actor penalty) or kendall (theirs as published) (default ${d.recipe})`)
    .option('--name <name>', 'display name of the run')
    .option('--out <dir>', 'put the run folder at exactly this path (must not exist yet)')
    .option('--frames <n>', `camera frames collected for the VAE (default ${d.frames})`)
    .option('--vae-epochs <n>', `VAE training epochs (default ${d.vaeEpochs})`)
    .option('--latent <n>', `VAE latent size (default ${d.latent})`)
    .option('--episodes <n>', `most training episodes of the VAE agent (default ${d.episodes})`)
    .option('--minutes <m>', `most wall-clock minutes from a fresh run to the end of the VAE agent's training (default ${d.minutes})`)
    .option('--test-routes <n>', `held-out 250 m test routes driven after every episode (default ${d.testRoutes})`)
    .option('--world <look>', `road appearance: plain (one look, as Kendall et al.'s one road) or randomized (domain randomization) (default ${d.world})`)
    .option('--no-pixels', 'skip the "deep RL from pixels" baseline (its Table I row stays empty)')
    .option('--pixels-episodes <n>', `most training episodes of the pixels baseline (default ${d.pixelsEpisodes}, Kendall et al.'s figure)`)
    .option('--pixels-minutes <m>', `most wall-clock minutes of the pixels baseline (default ${d.pixelsMinutes})`)
    .option('--config <file>', 'a (partial) RunConfig JSON file merged over the drive defaults')
    .option('--set <key=value>', 'override one config field, e.g. drive.vae.beta=0.5 (repeatable; values parse as JSON)', collect, [])
    .option('--resume <run>', 'continue a stopped or interrupted drive run (id or folder) where it stopped')
    .action(async (o: DriveOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      let runsDir = g.runsDir;
      let id: string;
      let engine: Engine;
      if (o.resume !== undefined) {
        ({ runsDir, id } = locateRun(g, o.resume));
        engine = new Engine({ runsDir, backend: g.backend });
        const stored = engine.store.readConfig(id);
        if (!stored.config.drive) {
          await engine.close();
          throw new CliError(`${o.resume} is not a drive run (its config has no drive block); continue it with train --resume`);
        }
      } else {
        const { input, userPaths } = driveInput(o, g);
        buildCheckedConfig(input, userPaths);
        let outDir: string | undefined;
        if (o.out !== undefined) {
          outDir = resolve(o.out);
          if (existsSync(outDir)) throw new CliError(`${o.out} already exists; --out needs a folder that does not exist yet (continue a run with --resume)`);
          if (!RunId.safeParse(basename(outDir)).success) throw new CliError(`the last part of --out ("${basename(outDir)}") must be letters, digits, ".", "_" or "-"`);
          runsDir = dirname(outDir);
        }
        engine = new Engine({ runsDir, backend: g.backend });
        const created = await engine.client().request('runs.create', { config: input });
        id = created.id;
        if (outDir) {
          renameDurable(engine.store.dir(id), outDir);
          id = basename(outDir);
        }
      }
      await driveAndReport(engine, id, g);
    });
}

/** Starts (or resumes) drive run `id`, shows each stage's progress, prints the summary, and ends the engine. */
async function driveAndReport(engine: Engine, id: string, g: GlobalOptions): Promise<void> {
  const client = engine.client();
  let failure: string | undefined;
  let status: RunStatus | undefined;
  let bar: Progress | undefined;
  let barStage = '';
  const say = (line: string) => {
    if (!g.json) process.stderr.write(line + '\n');
  };
  const stageBar = (stage: string, progress: number, info: string) => {
    if (g.json) return;
    if (stage !== barStage) {
      bar?.stop();
      bar = new Progress(g, stage.padEnd(7), 100);
      barStage = stage;
    }
    bar!.update(Math.round(100 * Math.max(0, Math.min(1, progress))), info);
  };
  const off = [
    client.on('run.event', (e) => {
      if (e.id !== id) return;
      const ev = e.event as { kind: string; stage?: string; status?: string; progress?: number; message?: string };
      if (ev.kind === 'stage_progress' && ev.stage && ev.status === 'running') stageBar(ev.stage, ev.progress ?? 0, (ev.message ?? '').replace(/^[a-z]+: /, ''));
      if (ev.kind === 'stage' && ev.stage) {
        if (ev.status === 'done' || ev.status === 'skipped' || ev.status === 'failed') {
          if (barStage === ev.stage) {
            bar?.update(100, 'done');
            bar?.stop();
            bar = undefined;
            barStage = '';
          }
          say(ev.message ?? `${ev.stage}: ${ev.status}`);
        }
      }
    }),
    client.on('run.metric', (m) => {
      if (m.id !== id) return;
      const l = m.line as MetricLine;
      if (l.kind === 'drive_eval' && !g.json) {
        bar?.stop();
        bar = undefined;
        barStage = '';
        say(
          `${l.agent === 'pixels' ? 'pixels' : 'rl'}: episode ${l.episode}: ${l.disengagements} disengagement(s) on ${l.routes} test routes, MPD ${fmt(l.mpd)} m, ${l.clean_routes}/${l.routes} clean (${fmt(l.pipeline_s, 0)} s)`,
        );
      }
    }),
    client.on('run.status', (s) => {
      if (s.id !== id) return;
      status = s.status;
      if (s.status === 'failed') failure = s.message ?? 'failed';
    }),
    client.on('engine.log', (l) => {
      if (!g.json && l.message.startsWith(`run ${id}:`) && (l.level !== 'info' || /collect:|vae:/.test(l.message))) {
        bar?.stop();
        bar = undefined;
        barStage = '';
        say(`${l.level === 'info' ? '' : `${l.level}: `}${l.message.slice(`run ${id}: `.length)}`);
      }
    }),
  ];
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\nstopping: writing a checkpoint (Ctrl-C again to quit now); `drive --resume` continues\n');
    void client.request('train.stop', { id }).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  const started = performance.now();
  try {
    await client.request('train.start', { id });
    status = await engine.training.wait(id);
  } finally {
    process.off('SIGINT', onSigint);
    bar?.stop();
    for (const f of off) f();
  }
  const wallClockS = (performance.now() - started) / 1000;
  const after = await client.request('runs.get', { id });
  const report = readJsonIfExists<DriveReport>(join(after.dir, 'report.json'));
  const summary = {
    id,
    dir: after.dir,
    status: after.status,
    algo: after.algo,
    seed: after.config.seed,
    wallClockS,
    report: report
      ? {
          json: join(after.dir, 'report.json'),
          markdown: join(after.dir, 'report.md'),
          vaeFirstCleanEpisode: report.vae.firstCleanEpisode,
          vaePipelineSecondsToClean: report.vae.pipelineSecondsToClean,
          vaeTrainDistanceToClean: report.vae.trainDistanceToClean,
          vaeFinalMpd: report.vae.final?.mpd ?? null,
          vaeFinalDisengagements: report.vae.final?.disengagements ?? null,
          pixelsFirstCleanEpisode: report.pixels?.firstCleanEpisode ?? null,
          table: report.table,
          goals: report.goals,
        }
      : null,
    ...(failure ? { error: failure } : {}),
  };
  output(g, summary, () => {
    if (!report) return `run ${id}: ${after.status} after ${wallClockS.toFixed(1)} s (no report: the pipeline did not finish)\nfolder: ${after.dir}`;
    const md = readFileSync(join(after.dir, 'report.md'), 'utf8');
    return `${md}\nrun ${id}: ${after.status} in ${wallClockS.toFixed(1)} s\nfolder: ${after.dir} (report.json, report.md, vae/reconstructions.png)`;
  });
  await engine.close();
  if (status === 'failed' || after.status === 'failed') throw new CliError(`drive pipeline failed: ${failure ?? 'see the run events'}`, 1);
}


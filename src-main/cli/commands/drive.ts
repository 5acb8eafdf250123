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
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  DRIVE_RECIPES,
  DRIVE_WORLD_DEFAULTS,
  DRIVE_WORLDS,
  DriveConfig,
  driveRunInput,
  type DriveRecipe,
  type DriveWorld,
} from '../../../src-shared/config/drive.js';
import { RUN_LIMITS } from '../../../src-shared/config/limits.js';
import type { EngineClient } from '../../../src-shared/contract.js';
import type { MetricLine } from '../../../src-shared/types.js';
import type { DriveReport } from '../../pipelines/drive/report.js';
import { readDriveState } from '../../pipelines/drive/drive-files.js';
import { readJsonIfExists } from '../../core/durable-write.js';
import { CliError, intOption, numberOption, Progress, type GlobalOptions } from '../context.js';
import { addRunOptions, layeredInput, runAction, type RunCommandSpec, type RunFlag } from '../run-command.js';
import { parseAlgo } from './train.js';

/**
 * Defaults of the CLI pipeline (the DriveConfig schema's, which app runs use too): 3,000 64x64
 * frames, 6 VAE epochs, latent 32, the drive learner recipe (DRIVE_TD3: Kendall et al.'s settings
 * plus the deviations documented there; `--recipe kendall` = theirs), at most 35 episodes for
 * each agent (Kendall et al.'s unit), each RL stage capped at 60 minutes of its own wall clock
 * (never a clock shared with the frame and VAE stages), 100 fresh routes for the final policies.
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

const L = RUN_LIMITS;
const D = RUN_LIMITS.drive;
const str = (raw: unknown) => String(raw);
const int = (flag: string, b: { min: number; max: number }) => (raw: unknown) => intOption(flag, str(raw), b.min, b.max);
const num = (flag: string, b: { min: number; max: number; minExclusive: boolean }) => (raw: unknown) => numberOption(flag, str(raw), b);

/** The drive recipe is TD3's (DDPG is its preset); the other algorithms train on the lane with `train --env lane`. */
function parseDriveAlgo(raw: unknown): 'td3' | 'ddpg' {
  const a = parseAlgo(raw);
  if (a !== 'td3' && a !== 'ddpg')
    throw new CliError(`--algo must be one of td3, ddpg for the drive pipeline (got "${a}"; other algorithms: train --env lane --algo ${a})`);
  return a;
}

export const DRIVE_FLAGS: readonly RunFlag[] = [
  { key: 'seed', flag: '--seed', path: ['seed'], parse: int('--seed', L.seed) },
  { key: 'algo', flag: '--algo', path: ['algo'], parse: parseDriveAlgo },
  { key: 'name', flag: '--name', path: ['name'], parse: str },
  { key: 'frames', flag: '--frames', path: ['drive', 'frames', 'count'], parse: int('--frames', D.frames) },
  { key: 'vaeEpochs', flag: '--vae-epochs', path: ['drive', 'vae', 'epochs'], parse: int('--vae-epochs', D.vaeEpochs) },
  { key: 'latent', flag: '--latent', path: ['drive', 'vae', 'latentDim'], parse: int('--latent', D.latentDim) },
  { key: 'episodes', flag: '--episodes', path: ['drive', 'budgetEpisodes'], parse: int('--episodes', D.budgetEpisodes) },
  { key: 'minutes', flag: '--minutes', path: ['drive', 'budgetMinutes'], parse: num('--minutes', D.budgetMinutes) },
  { key: 'testRoutes', flag: '--test-routes', path: ['drive', 'testRoutes'], parse: int('--test-routes', D.testRoutes) },
  { key: 'pixels', flag: '--no-pixels', path: ['drive', 'pixels', 'enabled'], parse: (raw) => raw !== false },
  { key: 'pixelsEpisodes', flag: '--pixels-episodes', path: ['drive', 'pixels', 'budgetEpisodes'], parse: int('--pixels-episodes', D.pixelsEpisodes) },
  { key: 'pixelsMinutes', flag: '--pixels-minutes', path: ['drive', 'pixels', 'budgetMinutes'], parse: num('--pixels-minutes', D.pixelsMinutes) },
];

/** The preset layer: the drive pipeline's run input for the chosen recipe and world. */
function driveDefaults(o: DriveOptions): Record<string, unknown> {
  const d = DRIVE_CLI_DEFAULTS;
  const recipe = (o.recipe ?? d.recipe) as DriveRecipe;
  if (!Object.hasOwn(DRIVE_RECIPES, recipe)) throw new CliError(`--recipe must be one of ${Object.keys(DRIVE_RECIPES).join(', ')} (got "${o.recipe}")`);
  const world = (o.world ?? d.world) as DriveWorld;
  if (!Object.hasOwn(DRIVE_WORLDS, world)) throw new CliError(`--world must be one of ${Object.keys(DRIVE_WORLDS).join(', ')} (got "${o.world}")`);
  const { name: _name, ...input } = driveRunInput({ seed: 0, algo: 'td3', world, recipe });
  return input;
}

const defaultName = (input: Record<string, unknown>) => `drive-${(input.algo as string | undefined) ?? 'td3'}-seed${(input.seed as number | undefined) ?? 0}`;

/**
 * The run config input of a drive run from the command's options, in the shared precedence.
 * `given` says which options the user typed (default: every option that has a value).
 */
export function driveInput(o: DriveOptions, g: GlobalOptions, given?: (key: string) => boolean): { input: Record<string, unknown>; userPaths: string[][] } {
  const typed = given ?? ((k: string) => (k === 'pixels' ? o.pixels === false : (o as unknown as Record<string, unknown>)[k] !== undefined));
  return layeredInput({ flags: DRIVE_FLAGS, defaults: driveDefaults, defaultName }, o, g, typed);
}

/** Each stage's progress bar, the per-episode evaluations and the pipeline's notes, on stderr. */
function driveDisplay(client: EngineClient, id: string, g: GlobalOptions): () => void {
  let bar: Progress | undefined;
  let barStage = '';
  const say = (line: string) => {
    if (!g.json) process.stderr.write(line + '\n');
  };
  const endBar = () => {
    bar?.stop();
    bar = undefined;
    barStage = '';
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
      if (ev.kind === 'stage_progress' && ev.stage && ev.status === 'running')
        stageBar(ev.stage, ev.progress ?? 0, (ev.message ?? '').replace(/^[a-z]+: /, ''));
      if (ev.kind === 'stage' && ev.stage) {
        if (ev.status === 'done' || ev.status === 'skipped' || ev.status === 'failed') {
          if (barStage === ev.stage) {
            bar?.update(100, 'done');
            endBar();
          }
          say(ev.message ?? `${ev.stage}: ${ev.status}`);
        }
      }
    }),
    client.on('run.metric', (m) => {
      if (m.id !== id) return;
      const l = m.line as MetricLine;
      if (l.kind === 'drive_eval' && !g.json) {
        endBar();
        say(
          `${l.agent === 'pixels' ? 'pixels' : 'rl'}: episode ${l.episode}: ${l.disengagements} disengagement(s) on ${l.routes} test routes, MPD ${fmt(l.mpd)} m, ${l.clean_routes}/${l.routes} clean (${fmt(l.pipeline_s, 0)} s)`,
        );
      }
    }),
    client.on('engine.log', (l) => {
      if (!g.json && l.message.startsWith(`run ${id}:`) && (l.level !== 'info' || /collect:|vae:/.test(l.message))) {
        endBar();
        say(`${l.level === 'info' ? '' : `${l.level}: `}${l.message.slice(`run ${id}: `.length)}`);
      }
    }),
  ];
  return () => {
    bar?.stop();
    for (const f of off) f();
  };
}

const DRIVE: RunCommandSpec<DriveOptions> = {
  what: 'pipeline',
  flags: DRIVE_FLAGS,
  defaults: driveDefaults,
  defaultName,
  checkResume: (run, ref) => {
    if (!run.config.drive) throw new CliError(`${ref} is not a drive run (its config has no drive block); continue it with train --resume`);
  },
  display: driveDisplay,
  summary: (after, end) => {
    const report = readJsonIfExists<DriveReport>(join(after.dir, 'report.json'));
    const state = readDriveState(after.dir);
    const fresh = report?.vae.fresh ?? null;
    const value = {
      id: after.id,
      dir: after.dir,
      status: after.status,
      algo: after.algo,
      seed: after.config.seed,
      wallClockS: end.wallClockS,
      // The headline figures of the VAE agent, flat for scripts.
      episodes_to_clean: report?.vae.firstCleanEpisode ?? null,
      // The pipeline's stages over all attempts (a resumed run counts its earlier sessions too).
      wall_s: state ? Object.values(state.stages).reduce((t, st) => t + st.seconds, 0) : end.wallClockS,
      stop_reason: state?.stages.rl.stopReason ?? null,
      fresh: fresh ? { routes: fresh.routes, clean_routes: fresh.clean_routes, disengagements: fresh.disengagements, mpd: fresh.mpd } : null,
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
    };
    return {
      value,
      human: () => {
        if (!report)
          return `run ${after.id}: ${after.status} after ${end.wallClockS.toFixed(1)} s (no report: the pipeline did not finish)\nfolder: ${after.dir}`;
        const md = readFileSync(join(after.dir, 'report.md'), 'utf8');
        return `${md}\nrun ${after.id}: ${after.status} in ${end.wallClockS.toFixed(1)} s\nfolder: ${after.dir} (report.json, report.md, vae/reconstructions.png)`;
      },
    };
  },
  failed: 'drive pipeline failed',
  stopping: 'stopping: writing a checkpoint (Ctrl-C again to quit now); `drive --resume` continues',
  resumeHint: 'drive',
};

export function register(program: Command): void {
  const d = DRIVE_CLI_DEFAULTS;
  const cmd = program
    .command('drive')
    .description(
      'Learning to drive in a day: collect camera frames, train a VAE, train TD3/DDPG on its latent until the held-out test routes are driven without a disengagement, and write report.json / report.md.',
    )
    .option('--seed <n>', `seed of every random number generator in the run (default 0)`)
    .option('--algo <algo>', 'td3 or ddpg (a preset of TD3) (default td3)')
    .option(
      '--recipe <name>',
      `learner settings preset: default (Kendall et al.'s with 10-step returns, gamma 0.95, tau 0.02 and a pre-tanh actor penalty) or kendall (theirs as published) (default ${d.recipe})`,
    )
    .option(
      '--frames <n>',
      `camera frames collected for the VAE (${D.frames.min}..${D.frames.max}; default ${d.frames}, ${DRIVE_WORLD_DEFAULTS.randomized.frames?.count} in the randomized world)`,
    )
    .option('--vae-epochs <n>', `VAE training epochs (default ${d.vaeEpochs})`)
    .option('--latent <n>', `VAE latent size (default ${d.latent})`)
    .option('--episodes <n>', `most training episodes of the VAE agent (${D.budgetEpisodes.min}..${D.budgetEpisodes.max}; default ${d.episodes})`)
    .option('--minutes <m>', `wall-clock cap of the VAE agent's RL stage alone, minutes (a safety net behind --episodes; default ${d.minutes})`)
    .option('--test-routes <n>', `held-out 250 m test routes driven after every episode (${D.testRoutes.min}..${D.testRoutes.max}; default ${d.testRoutes})`)
    .option(
      '--world <look>',
      `road appearance preset: plain (one look, as Kendall et al.'s one road) or randomized (domain randomization; its VAE then reconstructs each frame's plain-world view, drive.vae.target "canonical") (default ${d.world})`,
    )
    .option('--no-pixels', 'skip the "deep RL from pixels" baseline (its Table I row stays empty)')
    .option('--pixels-episodes <n>', `most training episodes of the pixels baseline (default ${d.pixelsEpisodes}, Kendall et al.'s figure)`)
    .option('--pixels-minutes <m>', `wall-clock cap of the pixels baseline's stage, minutes (default ${d.pixelsMinutes})`);
  addRunOptions(cmd, 'continue a stopped or interrupted drive run (id or folder) where it stopped', 'drive.vae.beta=0.5').action(runAction(DRIVE));
}

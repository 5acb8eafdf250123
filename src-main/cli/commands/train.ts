/**
 * `npm run cli -- train --env <id> --algo td3|ddpg --steps N --seed S [--out DIR]`: creates a run
 * through the engine (same RunConfig schema, presets and validation as the UI), trains it in a
 * worker thread with a progress bar, and prints a summary (--json: machine-readable). Ctrl-C
 * stops the run after a checkpoint; `train --resume <run>` continues it. Options, precedence and
 * the run's life are the shared run command's (../run-command.ts).
 */
import { fixedOrDash as fmt } from '../../../src-shared/util/format.js';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultActorCount } from '../../../src-shared/config/actors.js';
import { AlgoId } from '../../../src-shared/config/algo.js';
import { ENV_IDS } from '../../../src-shared/config/envs/index.js';
import { RUN_LIMITS } from '../../../src-shared/config/limits.js';
import type { RunConfig } from '../../../src-shared/config/run-config.js';
import type { MetricLine } from '../../../src-shared/types.js';
import { readJsonIfExists } from '../../core/durable-write.js';
import { CliError, intOption, Progress, type GlobalOptions } from '../context.js';
import { addRunOptions, layeredInput, runAction, type RunCommandSpec, type RunFlag } from '../run-command.js';

export { locateRun } from '../run-command.js';

export interface TrainOptions {
  env?: string;
  algo?: string;
  steps?: string;
  seed?: string;
  name?: string;
  numEnvs?: string;
  actors?: string;
  out?: string;
  config?: string;
  set: string[];
  resume?: string;
  initPolicy?: string;
}

const str = (raw: unknown) => String(raw);
const L = RUN_LIMITS;

export const TRAIN_FLAGS: readonly RunFlag[] = [
  {
    key: 'env',
    flag: '--env',
    path: ['env', 'id'],
    parse: (raw) => {
      if (!(ENV_IDS as string[]).includes(str(raw))) throw new CliError(`--env must be one of ${ENV_IDS.join(', ')} (got "${str(raw)}")`);
      return str(raw);
    },
  },
  { key: 'algo', flag: '--algo', path: ['algo'], parse: parseAlgo },
  { key: 'steps', flag: '--steps', path: ['totalSteps'], parse: (raw) => intOption('--steps', str(raw), L.totalSteps.min, L.totalSteps.max) },
  { key: 'seed', flag: '--seed', path: ['seed'], parse: (raw) => intOption('--seed', str(raw), L.seed.min, L.seed.max) },
  { key: 'numEnvs', flag: '--num-envs', path: ['numEnvs'], parse: (raw) => intOption('--num-envs', str(raw), L.numEnvs.min, L.numEnvs.max) },
  {
    key: 'actors',
    flag: '--actors',
    path: ['actors', 'count'],
    parse: (raw) => (str(raw) === 'auto' ? defaultActorCount(availableParallelism()) : intOption('--actors', str(raw), L.actors.min, L.actors.max)),
  },
  { key: 'name', flag: '--name', path: ['name'], parse: str },
  {
    key: 'initPolicy',
    flag: '--init-policy',
    path: ['initPolicy'],
    parse: (raw) => {
      const dir = resolve(str(raw));
      if (!existsSync(join(dir, 'metadata.json'))) throw new CliError(`--init-policy ${str(raw)} is not an export folder (no metadata.json)`);
      return dir;
    },
  },
];

export function parseAlgo(raw: unknown): AlgoId {
  const a = AlgoId.safeParse(raw);
  if (!a.success) throw new CliError(`--algo must be one of ${AlgoId.options.join(', ')} (got "${String(raw)}")`);
  return a.data;
}

/**
 * An actor to start from must pass the checks `policy check` makes (hashes, metadata, model
 * shapes and graph) and fit the run (env, no camera encoder, hidden sizes) before the run is
 * created, so a bad export leaves nothing behind.
 */
export async function checkInitPolicy(config: RunConfig): Promise<void> {
  const dir = config.initPolicy;
  if (dir === undefined) return;
  const { openExport } = await import('../../export/load.js');
  let opened;
  try {
    opened = await openExport(dir);
  } catch (e) {
    throw new CliError(`--init-policy ${dir}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  const { meta, desc } = opened;
  if (meta.envId !== config.env.id) throw new CliError(`--init-policy ${dir}: the policy was exported for "${meta.envId}", not "${config.env.id}"`);
  if (desc.arch.encoder) throw new CliError(`--init-policy ${dir}: the policy has a camera encoder; only vector-observation actors can start a run`);
  // Input and output sizes follow from the env (the trainer checks them against it); the hidden
  // layers come from the config and can be checked here.
  const a = desc.arch.actor;
  const { actorHiddenOf } = await import('../../rl/algorithms/registry.js');
  const own = actorHiddenOf(config);
  if (a.hidden.join('-') !== own.hidden.join('-')) {
    const shape = (hidden: readonly number[]) => [a.inputDim, ...hidden, a.outputDim].join('-');
    throw new CliError(`--init-policy: the actor in ${dir} is ${shape(a.hidden)}; this run's actor is ${shape(own.hidden)} (set ${own.field} to match)`);
  }
}

const defaultName = (input: Record<string, unknown>) => {
  const env = (input.env as { id?: string } | undefined)?.id ?? 'pendulum';
  return `${(input.algo as string | undefined) ?? 'td3'}-${env}-seed${(input.seed as number | undefined) ?? 0}`;
};

/**
 * The run config input of a train run from the command's options, in the shared precedence.
 * `given` says which options the user typed (default: every option that has a value).
 */
export function trainInput(o: TrainOptions, g: GlobalOptions, given?: (key: string) => boolean): { input: Record<string, unknown>; userPaths: string[][] } {
  const typed = given ?? ((k: string) => (o as unknown as Record<string, unknown>)[k] !== undefined);
  return layeredInput({ flags: TRAIN_FLAGS, defaults: () => ({}), defaultName }, o, g, typed);
}

export const TRAIN: RunCommandSpec<TrainOptions> = {
  what: 'training',
  flags: TRAIN_FLAGS,
  defaults: () => ({}),
  defaultName,
  beforeCreate: checkInitPolicy,
  display: (client, id, g, run) => {
    const progress = new Progress(g, `${run.config.algo} ${run.config.env.id}`, run.config.totalSteps);
    let lastEval: MetricLine | undefined;
    const off = [
      client.on('run.progress', (p) => {
        if (p.id !== id) return;
        const evalInfo = lastEval ? ` | eval ${fmt(lastEval.mean_return)}` : '';
        progress.update(p.step, `${fmt(p.envStepsPerS, 0)} steps/s, ${fmt(p.updatesPerS, 0)} updates/s | ${p.episodes} episodes${evalInfo}`);
      }),
      client.on('run.metric', (m) => {
        if (m.id === id && m.line.kind === 'eval') lastEval = m.line;
      }),
      client.on('engine.log', (l) => {
        // Errors end the run and come back once, as its status message (the last line).
        if (!g.json && l.level === 'warn' && l.message.startsWith(`run ${id}:`)) process.stderr.write(`${l.level}: ${l.message}\n`);
      }),
    ];
    return () => {
      progress.stop();
      for (const f of off) f();
    };
  },
  summary: (after, end) => {
    const finalEval = readJsonIfExists<Record<string, unknown>>(join(after.dir, 'eval.json')) ?? null;
    const backend = after.backendUsed?.name ?? null;
    return {
      value: {
        id: after.id,
        dir: after.dir,
        status: after.status,
        step: after.step,
        totalSteps: after.totalSteps,
        env: after.env,
        algo: after.algo,
        seed: after.config.seed,
        backend,
        wallClockS: end.wallClockS,
        bestEval: after.bestEval,
        eval: finalEval ? { step: finalEval.step, mean_return: finalEval.mean_return, std_return: finalEval.std_return, episodes: finalEval.episodes } : null,
      },
      human: () =>
        [
          `run ${after.id}: ${after.status} at step ${after.step}/${after.totalSteps} in ${end.wallClockS.toFixed(1)} s (${backend ?? 'backend ?'})`,
          finalEval
            ? `final deterministic evaluation: ${fmt(finalEval.mean_return)} +- ${fmt(finalEval.std_return)} over ${finalEval.episodes} episodes`
            : 'no final evaluation (the run did not finish)',
          `folder: ${after.dir}`,
        ].join('\n'),
    };
  },
  failed: 'training failed',
  stopping: 'stopping: writing a checkpoint (Ctrl-C again to quit now)...',
  resumeHint: 'train',
};

export function register(program: Command): void {
  const cmd = program
    .command('train')
    .description('Train an agent (TD3, DDPG, SAC, …) in a worker thread; writes a run folder (config, metrics, checkpoints, eval.json).')
    .option('--env <id>', `environment: ${ENV_IDS.join(', ')} (default pendulum)`)
    .option('--algo <algo>', `${AlgoId.options.join(', ')} (ddpg is a preset of TD3; default td3)`)
    .option('--steps <n>', `env steps to train for (${L.totalSteps.min}..${L.totalSteps.max}; default: the env preset's)`)
    .option('--seed <n>', `seed of every random number generator in the run (${L.seed.min}..${L.seed.max}; default 0)`)
    .option('--num-envs <n>', `envs stepped in parallel (${L.numEnvs.min}..${L.numEnvs.max}; default 1)`)
    .option(
      '--actors <n>',
      `parallel actors (${L.actors.min}..${L.actors.max}, or "auto" = cores - 1): actor threads step numEnvs envs each while the learner trains (async, not bit-reproducible); default: none, the synchronous reproducible loop`,
    )
    .option('--init-policy <dir>', 'start the actor from an exported policy (an `export` folder, checked as `policy check` does); critics start fresh');
  addRunOptions(cmd, 'continue a stopped or interrupted run (id or folder) from its last checkpoint', 'td3.batchSize=128').action(runAction(TRAIN));
}

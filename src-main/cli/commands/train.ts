/**
 * `npm run cli -- train --env <id> --algo td3|ddpg --steps N --seed S [--out DIR]`: creates a run
 * through the engine (same RunConfig schema, presets and validation as the UI), trains it in a
 * worker thread with a progress bar, and prints a summary (--json: machine-readable). Ctrl-C
 * stops the run after a checkpoint; `train --resume <run>` continues it.
 */
import { fixedOrDash as fmt } from '../../../src-shared/util/format.js';
import { existsSync, renameSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { AlgoId } from '../../../src-shared/config/algo.js';
import { ENV_IDS } from '../../../src-shared/config/envs/index.js';
import { RunId, type MetricLine, type RunStatus } from '../../../src-shared/types.js';
import { Engine } from '../../services/engine.js';
import { RUN_FILES } from '../../store/run-store.js';
import { readJsonIfExists } from '../../core/durable-write.js';
import { buildCheckedConfig, collect, leafPaths, mergeInput, parseSet, readJsonFile } from '../config-input.js';
import { CliError, globalOptions, intOption, output, Progress, type GlobalOptions } from '../context.js';

interface TrainOptions {
  env?: string;
  algo?: string;
  steps?: string;
  seed?: string;
  name?: string;
  numEnvs?: string;
  out?: string;
  config?: string;
  set: string[];
  resume?: string;
  restart?: boolean;
  initPolicy?: string;
}

/** A run given as an id in the runs folder or as a path to its folder. */
export function locateRun(g: GlobalOptions, ref: string): { runsDir: string | undefined; id: string } {
  const looksLikePath = ref.includes('/') || ref.includes('\\') || ref === '.' || ref === '..';
  if (looksLikePath || (existsSync(ref) && existsSync(join(ref, RUN_FILES.meta)))) {
    const dir = resolve(ref);
    if (!existsSync(join(dir, RUN_FILES.meta))) throw new CliError(`${ref} is not a run folder (no ${RUN_FILES.meta})`);
    return { runsDir: dirname(dir), id: basename(dir) };
  }
  if (!RunId.safeParse(ref).success) throw new CliError(`"${ref}" is neither a run id nor a run folder`);
  return { runsDir: g.runsDir, id: ref };
}

function buildInput(o: TrainOptions, g: GlobalOptions): { input: Record<string, unknown>; userPaths: string[][] } {
  let input: Record<string, unknown> = {};
  const userPaths: string[][] = [];
  if (o.config) {
    const file = readJsonFile(o.config, '--config file');
    if (typeof file !== 'object' || file === null || Array.isArray(file)) throw new CliError(`--config file ${o.config} must hold a JSON object`);
    input = file as Record<string, unknown>;
    userPaths.push(...leafPaths(input));
  }
  if (o.env !== undefined) {
    if (!(ENV_IDS as string[]).includes(o.env)) throw new CliError(`--env must be one of ${ENV_IDS.join(', ')} (got "${o.env}")`);
    const current = input.env as { id?: unknown } | undefined;
    if (!current || current.id !== o.env) input = { ...input, env: { id: o.env } };
  }
  if (o.algo !== undefined) {
    const a = AlgoId.safeParse(o.algo);
    if (!a.success) throw new CliError(`--algo must be one of ${AlgoId.options.join(', ')} (got "${o.algo}")`);
    input.algo = a.data;
  }
  const steps = intOption('--steps', o.steps, 1);
  if (steps !== undefined) input.totalSteps = steps;
  const seed = intOption('--seed', o.seed, 0);
  if (seed !== undefined) input.seed = seed;
  const numEnvs = intOption('--num-envs', o.numEnvs, 1);
  if (numEnvs !== undefined) input.numEnvs = numEnvs;
  if (o.name !== undefined) input.name = o.name;
  if (o.initPolicy !== undefined) {
    const dir = resolve(o.initPolicy);
    if (!existsSync(join(dir, 'metadata.json'))) throw new CliError(`--init-policy ${o.initPolicy} is not an export folder (no metadata.json)`);
    input.initPolicy = dir;
  }
  if (g.backend !== 'auto') input.backend = g.backend;
  for (const s of o.set) {
    const { path, patch } = parseSet(s);
    input = mergeInput(input, patch);
    userPaths.push(path);
  }
  if (input.name === undefined) {
    const env = (input.env as { id?: string } | undefined)?.id ?? 'pendulum';
    input.name = `${(input.algo as string | undefined) ?? 'td3'}-${env}-seed${(input.seed as number | undefined) ?? 0}`;
  }
  return { input, userPaths };
}

export function register(program: Command): void {
  program
    .command('train')
    .description('Train a TD3 or DDPG agent in a worker thread; writes a run folder (config, metrics, checkpoints, eval.json).')
    .option('--env <id>', `environment: ${ENV_IDS.join(', ')}`)
    .option('--algo <algo>', 'td3 or ddpg (a preset of TD3)')
    .option('--steps <n>', 'env steps to train for')
    .option('--seed <n>', 'seed of every random number generator in the run')
    .option('--num-envs <n>', 'envs stepped in parallel')
    .option('--name <name>', 'display name of the run')
    .option('--out <dir>', 'put the run folder at exactly this path (must not exist yet)')
    .option('--config <file>', 'a (partial) RunConfig JSON file; defaults and presets fill the rest')
    .option('--set <key=value>', 'override one config field, e.g. td3.batchSize=128 (repeatable; values parse as JSON)', collect, [])
    .option('--init-policy <dir>', "start the actor from an exported policy (an `export` folder); critics start fresh")
    .option('--resume <run>', 'continue a stopped or interrupted run (id or folder) from its last checkpoint')
    .option('--restart', 'with --resume: when no checkpoint can be loaded, start again from step 0 (empties metrics.jsonl and events.jsonl); without it such a resume is refused')
    .action(async (o: TrainOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      let runsDir = g.runsDir;
      let id: string;
      let engine: Engine;
      if (o.resume !== undefined) {
        if (o.env || o.algo || o.steps || o.seed || o.numEnvs || o.name || o.out || o.config || o.initPolicy || o.set.length) {
          throw new CliError('--resume continues a run with its own config; it takes no other training options');
        }
        ({ runsDir, id } = locateRun(g, o.resume));
        engine = new Engine({ runsDir, backend: g.backend });
        engine.store.readMeta(id); // not-found -> exit 2
      } else {
        const { input, userPaths } = buildInput(o, g);
        buildCheckedConfig(input, userPaths); // fails early, with the key, before anything is written
        let outDir: string | undefined;
        if (o.out !== undefined) {
          outDir = resolve(o.out);
          if (existsSync(outDir) && (!statSync(outDir).isDirectory() || existsSync(join(outDir, RUN_FILES.meta)))) {
            throw new CliError(`${o.out} already exists; pick a new folder or continue it with --resume ${o.out}`);
          }
          if (existsSync(outDir)) throw new CliError(`${o.out} already exists; --out needs a folder that does not exist yet`);
          if (!RunId.safeParse(basename(outDir)).success) throw new CliError(`the last part of --out ("${basename(outDir)}") must be letters, digits, ".", "_" or "-"`);
          runsDir = dirname(outDir);
        }
        engine = new Engine({ runsDir, backend: g.backend });
        const created = await engine.client().request('runs.create', { config: input });
        id = created.id;
        if (outDir) {
          renameSync(engine.store.dir(id), outDir);
          id = basename(outDir);
        }
      }
      if (o.restart && o.resume === undefined) throw new CliError('--restart goes with --resume <run>');
      await trainAndReport(engine, id, g, o.restart === true);
    });
}

/** Starts (or resumes) run `id`, streams progress, prints the summary, and ends the engine. */
async function trainAndReport(engine: Engine, id: string, g: GlobalOptions, restart = false): Promise<void> {
  const client = engine.client();
  const detail = await client.request('runs.get', { id });
  const total = detail.config.totalSteps;
  const progress = new Progress(g, `${detail.config.algo} ${detail.config.env.id}`, total);
  let lastEval: MetricLine | undefined;
  let failure: string | undefined;
  let status: RunStatus = detail.status;
  const off = [
    client.on('run.progress', (p) => {
      if (p.id !== id) return;
      const evalInfo = lastEval ? ` | eval ${fmt(lastEval.mean_return)}` : '';
      progress.update(p.step, `${fmt(p.envStepsPerS, 0)} steps/s, ${fmt(p.updatesPerS, 0)} updates/s | ${p.episodes} episodes${evalInfo}`);
    }),
    client.on('run.metric', (m) => {
      if (m.id === id && m.line.kind === 'eval') lastEval = m.line;
    }),
    client.on('run.status', (s) => {
      if (s.id !== id) return;
      status = s.status;
      if (s.status === 'failed') failure = s.message ?? 'failed';
      // Paused by a disk fault: nobody can free space from here, so stop (a checkpoint if the disk allows).
      if (s.status === 'paused' && s.message && !failure) {
        failure = s.message;
        void client.request('train.stop', { id }).catch(() => undefined);
      }
    }),
    client.on('engine.log', (l) => {
      // Errors end the run and come back once, as its status message (the last line).
      if (!g.json && l.level === 'warn' && l.message.startsWith(`run ${id}:`)) process.stderr.write(`${l.level}: ${l.message}\n`);
    }),
  ];
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\nstopping: writing a checkpoint (Ctrl-C again to quit now)...\n');
    void client.request('train.stop', { id }).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  const started = performance.now();
  try {
    await client.request('train.start', { id, restart });
    status = await engine.training.wait(id);
  } finally {
    process.off('SIGINT', onSigint);
    progress.stop();
    for (const f of off) f();
  }
  // A refused resume changed nothing and is the user's call: one line, exit 2.
  if (failure?.startsWith('refusing')) {
    await engine.close();
    throw new CliError(failure, 2);
  }
  const wallClockS = (performance.now() - started) / 1000;
  const after = await client.request('runs.get', { id });
  const stored = engine.store.readConfig(id);
  const finalEval = readJsonIfExists<Record<string, unknown>>(join(after.dir, 'eval.json')) ?? null;
  const summary = {
    id,
    dir: after.dir,
    status: after.status,
    step: after.step,
    totalSteps: after.totalSteps,
    env: after.env,
    algo: after.algo,
    seed: after.config.seed,
    backend: stored.backend ?? null,
    wallClockS,
    bestEval: after.bestEval,
    eval: finalEval
      ? { step: finalEval.step, mean_return: finalEval.mean_return, std_return: finalEval.std_return, episodes: finalEval.episodes }
      : null,
    ...(failure ? { error: failure } : {}),
  };
  output(g, summary, () =>
    [
      `run ${id}: ${after.status} at step ${after.step}/${after.totalSteps} in ${wallClockS.toFixed(1)} s (${stored.backend ?? 'backend ?'})`,
      finalEval ? `final deterministic evaluation: ${fmt(finalEval.mean_return)} +- ${fmt(finalEval.std_return)} over ${finalEval.episodes} episodes` : 'no final evaluation (the run did not finish)',
      `folder: ${after.dir}`,
    ].join('\n'),
  );
  await engine.close();
  // A disk fault pauses the run (exit 1): the summary says where it stands, the last line why.
  if ((status === 'paused' || status === 'stopped') && failure) throw new CliError(`${failure} (train --resume ${id})`, 1);
  if (status === 'failed' || after.status === 'failed') throw new CliError(`training failed: ${failure ?? 'see the run events'}`, 1);
}

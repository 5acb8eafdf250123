/**
 * The run command `train` and `drive` share: options, one precedence of config sources, run
 * creation (--out), --resume and its refusals, and the life of the run through the engine's
 * contract (runs.create, train.start, train.wait, train.stop on Ctrl-C, runs.get), with each
 * command bringing only its flags, its progress display and its summary.
 *
 * Config precedence, lowest first (RUN_PRECEDENCE_HELP prints it under --help):
 *   1. defaults: the schema's defaults and presets (env and algorithm presets; drive: the
 *      pipeline's recipe and world, which --recipe and --world pick),
 *   2. the --config file,
 *   3. --set key=value, in the order given,
 *   4. named flags (--steps, --seed, --episodes, ...; the global --backend when given).
 * --env picks the env: a --config file's env block that names another env is dropped with it.
 *
 * --resume continues a run with the config it was created with. Every option that would change
 * that config, or that only applies to a new run (--out), is refused with one line naming it.
 * What applies on resume: --runs-dir (where to find a run given by id), --json (the output),
 * and --backend only when it is the run's own (the worker loads config.backend; the flag cannot
 * change it).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { RunConfig } from '../../src-shared/config/run-config.js';
import type { EngineClient, ResponseOf } from '../../src-shared/contract.js';
import { RunId } from '../../src-shared/types.js';
import { isPlainObject } from '../../src-shared/util/objects.js';
import { RUN_FILES } from '../store/run-store.js';
import { buildCheckedConfig, collect, leafPaths, mergeInput, parseSet, readJsonFile } from './config-input.js';
import { CliError, globalOptions, openEngine, output, type GlobalOptions } from './context.js';

export const RUN_PRECEDENCE_HELP = `
Config precedence (later wins): defaults and presets < --config file < --set key=value (in order) < named flags (and --backend when given).
--resume <run> continues a run with the config it was created with: every option that would change it is refused (exit 2); --runs-dir and --json apply, and --backend only when it is the run's own.`;

export type RunDetailView = ResponseOf<'runs.get'>;

/** One named flag of a run command: where its value goes in the run config. */
export interface RunFlag {
  /** Commander's attribute name, e.g. "numEnvs". */
  key: string;
  /** As typed, e.g. "--num-envs". */
  flag: string;
  /** Config path it sets, e.g. ["numEnvs"]. */
  path: readonly string[];
  /** Parses and checks the raw value (limits included). */
  parse(raw: unknown): unknown;
}

export interface RunCommandSpec<O> {
  /** "training" or "pipeline": words of the --resume refusal. */
  what: string;
  /** Named flags applied on top of --config and --set. */
  flags: readonly RunFlag[];
  /** The lowest layer (defaults and presets) from the options. */
  defaults(o: O): Record<string, unknown>;
  /** Display name when no layer names one. */
  defaultName(input: Record<string, unknown>): string;
  /** Checks a new run's validated config before anything is created (exit 2 on a problem). */
  beforeCreate?(config: RunConfig): Promise<void>;
  /** Options that are no part of the config and apply on --resume too (the learner's --redis). */
  alsoOnResume?: readonly string[];
  /** Refuses a run this command cannot continue. */
  checkResume?(run: RunDetailView, ref: string): void;
  /** Starts showing the run's progress; returns the function that stops it. */
  display(client: EngineClient, id: string, g: GlobalOptions, run: RunDetailView): () => void;
  /** The command's summary of the run once it has ended (status, results). */
  summary(run: RunDetailView, end: RunEnd, g: GlobalOptions): { value: Record<string, unknown>; human: () => string };
  /** The one line of a failed run, e.g. "training failed". */
  failed: string;
  /** Said on the first Ctrl-C. */
  stopping: string;
  /** The command that continues a run ("train", "drive"), for the hint after a disk fault. */
  resumeHint?: string;
}

export interface RunEnd {
  wallClockS: number;
  failure?: string;
}

interface SharedRunOptions {
  name?: string;
  out?: string;
  config?: string;
  set: string[];
  resume?: string;
  restart?: boolean;
}

/** The options both commands take; each adds its own flags before. */
export function addRunOptions(cmd: Command, resumeHelp: string, setExample: string): Command {
  return cmd
    .option('--name <name>', 'display name of the run')
    .option('--out <dir>', 'put the run folder at exactly this path (must not exist yet)')
    .option('--config <file>', 'a (partial) RunConfig JSON file over the defaults (see the precedence below)')
    .option('--set <key=value>', `override one config field, e.g. ${setExample} (repeatable; values parse as JSON)`, collect, [])
    .option('--resume <run>', resumeHelp)
    .option(
      '--restart',
      'with --resume: when no checkpoint can be loaded, start again from step 0 (empties metrics.jsonl and events.jsonl); without it such a resume is refused',
    )
    .addHelpText('after', RUN_PRECEDENCE_HELP);
}

/** The options the user typed (commander defaults are not "given"). */
export function givenOptions(cmd: Command): Set<string> {
  const out = new Set<string>();
  for (const opt of cmd.options) {
    const key = opt.attributeName();
    if (cmd.getOptionValueSource(key) === 'cli') out.add(key);
  }
  return out;
}

function flagOf(cmd: Command, key: string): string {
  const opt = cmd.options.find((o) => o.attributeName() === key);
  return opt?.long ?? `--${key}`;
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

/** Where --out puts the run: its parent becomes the runs folder, its name the run id. */
export function outTarget(out: string): { runsDir: string; id: string } {
  const dir = resolve(out);
  if (existsSync(dir)) {
    const isRun = statSync(dir).isDirectory() && existsSync(join(dir, RUN_FILES.meta));
    throw new CliError(
      isRun
        ? `${out} already exists; pick a new folder or continue it with --resume ${out}`
        : `${out} already exists; --out needs a folder that does not exist yet`,
    );
  }
  if (!RunId.safeParse(basename(dir)).success) throw new CliError(`the last part of --out ("${basename(dir)}") must be letters, digits, ".", "_" or "-"`);
  return { runsDir: dirname(dir), id: basename(dir) };
}

/**
 * The run config input from every source, in the documented precedence, and the config paths
 * the user named (each must exist in the final config). `given(key)` says whether the user typed
 * an option; a flag that was not typed leaves the lower layers alone.
 */
export function layeredInput<O extends SharedRunOptions>(
  spec: Pick<RunCommandSpec<O>, 'flags' | 'defaults' | 'defaultName'>,
  o: O,
  g: GlobalOptions,
  given: (key: string) => boolean,
): { input: Record<string, unknown>; userPaths: string[][] } {
  let input = spec.defaults(o);
  const userPaths: string[][] = [];
  const flagValues = spec.flags.filter((f) => given(f.key)).map((f) => ({ f, value: f.parse((o as Record<string, unknown>)[f.key]) }));
  const envFlag = flagValues.find((v) => v.f.path.join('.') === 'env.id')?.value;
  if (o.config !== undefined) {
    const file = readJsonFile(o.config, '--config file');
    if (!isPlainObject(file)) throw new CliError(`--config file ${o.config} must hold a JSON object`);
    let layer = file;
    const fileEnv = layer.env;
    if (envFlag !== undefined && isPlainObject(fileEnv) && fileEnv.id !== undefined && fileEnv.id !== envFlag) {
      // Its env options belong to another env.
      const { env: _dropped, ...rest } = layer;
      layer = rest;
    }
    userPaths.push(...leafPaths(layer));
    input = mergeInput(input, layer);
  }
  for (const s of o.set) {
    const { path, patch } = parseSet(s);
    input = mergeInput(input, patch);
    userPaths.push(path);
  }
  for (const { f, value } of flagValues) {
    let patch: Record<string, unknown> = { [f.path[f.path.length - 1]!]: value };
    for (let i = f.path.length - 2; i >= 0; i--) patch = { [f.path[i]!]: patch };
    input = mergeInput(input, patch);
  }
  if (given('backend') || g.backend !== 'auto') input = mergeInput(input, { backend: g.backend });
  if (input.name === undefined) input.name = spec.defaultName(input);
  return { input, userPaths };
}

/** The action of a run command: a new run from the options, or --resume. */
export function runAction<O extends SharedRunOptions>(spec: RunCommandSpec<O>) {
  return async (o: O, cmd: Command): Promise<void> => {
    const g = globalOptions(cmd);
    const typed = givenOptions(cmd);
    const backendGiven = cmd.getOptionValueSourceWithGlobals('backend') === 'cli';
    if (o.restart && o.resume === undefined) throw new CliError('--restart goes with --resume <run>');
    if (o.resume !== undefined) {
      const refused = [...typed].filter((k) => k !== 'resume' && k !== 'restart' && !spec.alsoOnResume?.includes(k));
      if (refused.length) {
        throw new CliError(
          `--resume continues a run with the config it was created with; it takes no other ${spec.what} options (got ${refused.map((k) => flagOf(cmd, k)).join(', ')})`,
        );
      }
      const { runsDir, id } = locateRun(g, o.resume);
      const engine = openEngine(g, runsDir);
      try {
        const run = await engine.client.request('runs.get', { id });
        spec.checkResume?.(run, o.resume);
        if (backendGiven && g.backend !== run.config.backend) {
          throw new CliError(`--resume trains on the run's own backend (${run.config.backend}); --backend ${g.backend} cannot change it`);
        }
        await runToEnd(spec, engine, run, g, o.restart === true);
      } finally {
        await engine.close();
      }
      return;
    }
    const { input, userPaths } = layeredInput(spec, o, g, (k) => (k === 'backend' ? backendGiven : typed.has(k)));
    const config = buildCheckedConfig(input, userPaths); // fails early, with the key, before anything is written
    await spec.beforeCreate?.(config);
    const target = o.out !== undefined ? outTarget(o.out) : undefined;
    const engine = openEngine(g, target?.runsDir ?? g.runsDir, target ? '--out' : '--runs-dir');
    try {
      const run = await engine.client.request('runs.create', { config: input, ...(target ? { id: target.id } : {}) });
      await runToEnd(spec, engine, run, g);
    } finally {
      await engine.close();
    }
  };
}

/** Starts (or resumes) the run, shows its progress until its worker has ended, prints the summary. */
async function runToEnd<O>(spec: RunCommandSpec<O>, engine: { client: EngineClient }, run: RunDetailView, g: GlobalOptions, restart = false): Promise<void> {
  const { client } = engine;
  const id = run.id;
  let failure: string | undefined;
  const stopDisplay = spec.display(client, id, g, run);
  const offStatus = client.on('run.status', (s) => {
    if (s.id !== id) return;
    if (s.status === 'failed') failure = s.message ?? 'failed';
    // Paused by a disk fault: nobody can free space from here, so stop (a checkpoint if the disk allows).
    if (s.status === 'paused' && s.message && !failure) {
      failure = s.message;
      void client.request('train.stop', { id }).catch(() => undefined);
    }
  });
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\n${spec.stopping}\n`);
    void client.request('train.stop', { id }).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  const started = performance.now();
  try {
    await client.request('train.start', { id, restart });
    // A long poll: each train.wait answers when the worker has ended or after `seconds`.
    while ((await client.request('train.wait', { id, seconds: 600 })).training);
  } finally {
    process.off('SIGINT', onSigint);
    stopDisplay();
    offStatus();
  }
  // A refused resume changed nothing and is the user's call: one line, exit 2.
  if (failure?.startsWith('refusing')) throw new CliError(failure, 2);
  const wallClockS = (performance.now() - started) / 1000;
  const after = await client.request('runs.get', { id });
  const { value, human } = spec.summary(after, { wallClockS, ...(failure ? { failure } : {}) }, g);
  output(g, { ...value, ...(failure ? { error: failure } : {}) }, human);
  // A disk fault pauses the run (exit 1): the summary says where it stands, the last line why.
  if ((after.status === 'paused' || after.status === 'stopped') && failure) throw new CliError(`${failure} (${spec.resumeHint ?? 'train'} --resume ${id})`, 1);
  if (after.status === 'failed' || failure !== undefined) throw new CliError(`${spec.failed}: ${failure ?? 'see the run events'}`, 1);
}

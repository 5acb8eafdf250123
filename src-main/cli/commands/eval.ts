/**
 * `npm run cli -- eval --policy <run id or folder> [--checkpoint best|last|N] [--episodes N]
 * [--seeds 1,2,3 | 100..109] [--env id] [--json]`: evaluates a trained run's deterministic actor
 * (no exploration noise) on fixed seeds; by default the same held-out seeds training evaluates on.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { EnvConfig, ENV_IDS } from '../../../src-shared/config/envs/index.js';
import { loadPolicy } from '../../rl/checkpoint/policy.js';
import type { CheckpointChoice } from '../../rl/checkpoint/store.js';
import { evaluatePolicy } from '../../rl/train/evaluate.js';
import { evalSeeds } from '../../rl/train/seeds.js';
import { envAdapter, makeEnv } from '../../sim/registry.js';
import { StoredConfig } from '../../store/run-store.js';
import { readJson } from '../../core/durable-write.js';
import { collect, mergeInput, parseSet } from '../config-input.js';
import { CliError, globalOptions, intOption, numberOption, output, type GlobalOptions } from '../context.js';
import { parseSeeds } from '../seeds.js';
import { existsSync } from 'node:fs';
import { importPolicy, loadExportedPolicy, readMetadata } from '../../export/load.js';
import type { PolicyWeights } from '../../rl/policy/policy.js';
import { LANE_TEST_SEEDS, LANE_TRAIN_SEEDS } from '../../../src-shared/config/envs/lane.js';
import { EVAL_EPISODES_MAX, EVAL_ROUTE_M } from '../../../src-shared/config/limits.js';
import { METADATA_FILE } from '../../export/metadata.js';
import { evaluatePolicy as evaluateExport } from '../../export/runner.js';
import { cliExportError } from './export.js';
import { envFor } from './policy.js';
import { locateRun } from './train.js';

interface EvalOptions {
  policy?: string;
  checkpoint: string;
  episodes?: string;
  seeds?: string;
  env?: string;
  set: string[];
  route: string;
}

export function parseCheckpointChoice(raw: string): CheckpointChoice {
  if (raw === 'best' || raw === 'last') return raw;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= 0) return n;
  throw new CliError(`--checkpoint must be best, last or a step number (got "${raw}")`);
}

export function register(program: Command): void {
  program
    .command('eval')
    .description("Evaluate a trained run's deterministic actor on fixed seeds (no exploration noise).")
    .option('--policy <run>', 'run id (in the runs folder), run folder, or export folder (from `export`)')
    .option('--checkpoint <which>', 'best (best evaluation), last, or a checkpoint step', 'best')
    .option('--episodes <n>', "episodes (default: the run's evalEpisodes, or the number of --seeds)")
    .option('--seeds <list>', 'episode seeds: 1,2,3 or 100..109 (default: the held-out evaluation seeds)')
    .option('--env <id>', "evaluate on another env with the same spaces (default: the run's env)")
    .option('--route <m>', 'lane only: route length of the Kendall et al. protocol (m)', '250')
    .option('--set <key=value>', 'env option, e.g. maxEpisodeSteps=500 (repeatable)', collect, [])
    .action(async (o: EvalOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      if (!o.policy) throw new CliError('--policy <run id or folder> is required');
      if (existsSync(join(o.policy, METADATA_FILE))) {
        await evalExport(g, o);
        return;
      }
      // Bounds first: a bad count is refused before anything is read or evaluated.
      const episodes = intOption('--episodes', o.episodes, 1, EVAL_EPISODES_MAX);
      const { runsDir, id } = locateRun(g, o.policy);
      const choice = parseCheckpointChoice(o.checkpoint);
      const runDir = join(runsDir ?? (await import('../../core/paths.js')).defaultRunsDir(), id);
      let stored: StoredConfig;
      try {
        stored = StoredConfig.parse(readJson(join(runDir, 'config.json')));
      } catch {
        throw new CliError(`no readable run "${o.policy}" (looked in ${runDir})`);
      }
      let envInput: Record<string, unknown> = o.env ? { id: o.env } : { ...stored.config.env };
      if (o.env && !(ENV_IDS as string[]).includes(o.env)) throw new CliError(`--env must be one of ${ENV_IDS.join(', ')} (got "${o.env}")`);
      for (const s of o.set) envInput = mergeInput(envInput, parseSet(s.startsWith('env.') ? s.slice(4) : s).patch);
      const envParsed = EnvConfig.safeParse(envInput);
      if (!envParsed.success) throw new CliError(`invalid env options: ${envParsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      let loaded;
      try {
        loaded = loadPolicy(runDir, choice);
      } catch (e) {
        throw new CliError(`run ${id}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const checkpoint = { which: choice, dir: loaded.source.dir, step: loaded.step };
      if (envAdapter(envParsed.data.id).evaluate) {
        await evalWithProtocol(g, o, loaded, envParsed.data, { run: id, checkpoint });
        return;
      }
      let seeds: number[];
      if (o.seeds !== undefined) {
        seeds = parseSeeds(o.seeds);
        if (episodes !== undefined && episodes !== seeds.length) throw new CliError(`--episodes ${episodes} does not match the ${seeds.length} seeds given`);
      } else {
        seeds = evalSeeds(episodes ?? stored.config.evalEpisodes);
      }
      const policy = loaded;
      const envs = Array.from({ length: Math.min(16, seeds.length) }, () => makeEnv(envParsed.data));
      const od = envs[0]!.observationSpace.shape.reduce((a, b) => a * b, 1);
      const ad = envs[0]!.actionSpace.shape.reduce((a, b) => a * b, 1);
      // Loaded here so other commands start without TensorFlow.js.
      const { selectBackend } = await import('../../ml/backend.js');
      const { policyFromWeights } = await import('../../rl/policy/policy.js');
      const backend = await selectBackend(g.backend);
      const actor = policyFromWeights(policy, 'eval-policy');
      if (od !== actor.obsDim || ad !== actor.actDim) {
        actor.dispose();
        throw new CliError(`the policy maps ${actor.obsDim} observations to ${actor.actDim} actions, but ${envParsed.data.id} has ${od} and ${ad}`);
      }
      let result;
      try {
        result = evaluatePolicy((obs, n) => actor.act(obs, n), envs, seeds);
      } finally {
        actor.dispose();
      }
      const summary = {
        run: id,
        checkpoint: { which: choice, dir: policy.source.dir, kind: policy.source.kind, step: policy.step },
        env: envParsed.data,
        backend: backend.name,
        episodes: result.episodes,
        mean_return: result.mean_return,
        std_return: result.std_return,
        returns: result.returns,
        lengths: result.lengths,
        seeds: result.seeds,
        episode_stats: result.episodeStats,
      };
      output(g, summary, () =>
        [
          `run ${id}, checkpoint ${policy.source.dir} (step ${policy.step}) on ${envParsed.data.id}:`,
          `mean return ${result.mean_return.toFixed(2)} +- ${result.std_return.toFixed(2)} over ${result.episodes} episodes (deterministic)`,
        ].join('\n'),
      );
    });
}

/** `eval --policy <export folder>`: the exported policy on the held-out seeds, one episode per seed. */
async function evalExport(g: GlobalOptions, o: EvalOptions): Promise<void> {
  if (o.set.length) throw new CliError('--set applies to runs; an export runs on the env options it was exported with');
  try {
    const { meta } = readMetadata(o.policy!);
    const env = envFor(meta, o.env);
    if (envAdapter(env.id).evaluate) {
      const imported = await importPolicy(o.policy!);
      const enc = imported.encoder;
      const encoder = enc
        ? {
            spec: {
              height: enc.spec.imageShape[0],
              width: enc.spec.imageShape[1],
              channels: enc.spec.imageShape[2],
              filters: enc.spec.convs.map((c) => c.filters),
              kernelSize: enc.spec.convs[0]!.kernel,
              latentDim: enc.spec.latentDim,
            },
            extraDim: enc.spec.extraDim,
            weights: enc.weights,
          }
        : undefined;
      await evalWithProtocol(g, o, { ...imported.actor, ...(encoder ? { encoder } : {}) }, env, { export: o.policy });
      return;
    }
    const episodes = intOption('--episodes', o.episodes, 1, EVAL_EPISODES_MAX);
    const seeds = o.seeds !== undefined ? parseSeeds(o.seeds) : evalSeeds(episodes ?? 10);
    if (o.seeds !== undefined && episodes !== undefined && episodes !== seeds.length)
      throw new CliError(`--episodes ${episodes} does not match the ${seeds.length} seeds given`);
    const format = meta.formats.onnx ? 'onnx' : 'tfjs';
    if (format === 'tfjs') {
      const { selectBackend } = await import('../../ml/backend.js');
      await selectBackend(g.backend);
    }
    const loaded = await loadExportedPolicy(o.policy!, { format });
    let result;
    try {
      result = await evaluateExport((obs) => loaded.act(obs), env, { seeds, episodes: 1 });
    } finally {
      await loaded.dispose();
    }
    const returns = result.seeds.map((s) => s.returns[0]!);
    const summary = {
      export: o.policy,
      format,
      env,
      episodes: result.episodes,
      mean_return: result.meanReturn,
      std_return: result.stdReturn,
      returns,
      lengths: result.seeds.map((s) => s.lengths[0]!),
      seeds,
    };
    output(g, summary, () =>
      [
        `export ${o.policy} (${format}) on ${env.id}:`,
        `mean return ${result.meanReturn.toFixed(2)} +- ${result.stdReturn.toFixed(2)} over ${result.episodes} episodes (deterministic)`,
      ].join('\n'),
    );
  } catch (e) {
    throw cliExportError(e);
  }
}

/**
 * Envs with their own evaluation protocol (lane: Kendall et al., a 250 m route per held-out road
 * seed, no exploration noise, the safety driver recentres the car at each disengagement; metres
 * per disengagement and disengagement counts per seed and overall) are evaluated with it, with
 * the same policy the trainer evaluates (rl/policy).
 */
async function evalWithProtocol(g: GlobalOptions, o: EvalOptions, weights: PolicyWeights, env: EnvConfig, source: Record<string, unknown>): Promise<void> {
  const adapter = envAdapter(env.id);
  const seeds = o.seeds !== undefined ? parseSeeds(o.seeds, '--seeds', { test: LANE_TEST_SEEDS, train: LANE_TRAIN_SEEDS }) : undefined;
  const route = numberOption('--route', o.route, EVAL_ROUTE_M)!;
  const { selectBackend } = await import('../../ml/backend.js');
  const { policyFromWeights } = await import('../../rl/policy/policy.js');
  const backend = await selectBackend(g.backend);
  const policy = policyFromWeights(weights, 'eval-policy');
  try {
    const probe = makeEnv(env);
    const od = probe.observationSpace.shape.reduce((a, b) => a * b, 1);
    probe.close?.();
    if (od !== policy.obsDim) throw new CliError(`the policy takes ${policy.obsDim} observations; this ${env.id} env gives ${od}`);
    const episodes = intOption('--episodes', o.episodes, 1, EVAL_EPISODES_MAX) ?? 10;
    const result = adapter.evaluate!((obs, n) => policy.act(obs, n), env, { episodes, ...(seeds ? { seeds } : {}), lengthM: route });
    const report = adapter.reportEval?.(result) ?? {
      json: { episodes: result.episodes, mean_return: result.mean_return, std_return: result.std_return, returns: result.returns, seeds: result.seeds },
      lines: [`mean return ${result.mean_return.toFixed(2)} +- ${result.std_return.toFixed(2)} over ${result.episodes} episodes`],
    };
    output(g, { ...source, env, backend: backend.name, ...report.json }, () => report.lines.join('\n'));
  } finally {
    policy.dispose();
  }
}

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
import { makeEnv } from '../../sim/registry.js';
import { StoredConfig } from '../../store/run-store.js';
import { readJson } from '../../core/durable-write.js';
import { collect, mergeInput, parseSet } from '../config-input.js';
import { CliError, globalOptions, intOption, numberOption, output, type GlobalOptions } from '../context.js';
import { parseSeeds } from '../seeds.js';
import { existsSync } from 'node:fs';
import { importPolicy, loadExportedPolicy, readMetadata } from '../../export/load.js';
import type { MlpSpec } from '../../ml/mlp.js';
import type { ConvEncoderSpec } from '../../ml/conv-encoder.js';
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
    .option('--episodes <n>', 'episodes (default: the run\'s evalEpisodes, or the number of --seeds)')
    .option('--seeds <list>', 'episode seeds: 1,2,3 or 100..109 (default: the held-out evaluation seeds)')
    .option('--env <id>', 'evaluate on another env with the same spaces (default: the run\'s env)')
    .option('--route <m>', 'lane only: route length of the Kendall et al. protocol (m)', '250')
    .option('--set <key=value>', 'env option, e.g. maxEpisodeSteps=500 (repeatable)', collect, [])
    .action(async (o: EvalOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      if (!o.policy) throw new CliError('--policy <run id or folder> is required');
      if (existsSync(join(o.policy, METADATA_FILE))) {
        await evalExport(g, o);
        return;
      }
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
      if (envParsed.data.id === 'lane') {
        let lanePolicy;
        try {
          lanePolicy = loadPolicy(runDir, choice);
        } catch (e) {
          throw new CliError(`run ${id}: ${e instanceof Error ? e.message : String(e)}`);
        }
        await evalLaneActor(g, o, lanePolicy, envParsed.data, { run: id, checkpoint: { which: choice, dir: lanePolicy.source.dir, step: lanePolicy.step } });
        return;
      }
      let seeds: number[];
      const episodes = intOption('--episodes', o.episodes, 1, EVAL_EPISODES_MAX);
      if (o.seeds !== undefined) {
        seeds = parseSeeds(o.seeds);
        if (episodes !== undefined && episodes !== seeds.length) throw new CliError(`--episodes ${episodes} does not match the ${seeds.length} seeds given`);
      } else {
        seeds = evalSeeds(episodes ?? stored.config.evalEpisodes);
      }
      let policy;
      try {
        policy = loadPolicy(runDir, choice);
      } catch (e) {
        throw new CliError(`run ${id}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const envs = Array.from({ length: Math.min(16, seeds.length) }, () => makeEnv(envParsed.data));
      const od = envs[0]!.observationSpace.shape.reduce((a, b) => a * b, 1);
      const ad = envs[0]!.actionSpace.shape.reduce((a, b) => a * b, 1);
      if (od !== policy.spec.inputDim || ad !== policy.spec.outputDim) {
        throw new CliError(`the policy maps ${policy.spec.inputDim} observations to ${policy.spec.outputDim} actions, but ${envParsed.data.id} has ${od} and ${ad}`);
      }
      // Loaded here so other commands start without TensorFlow.js.
      const tf = await import('@tensorflow/tfjs');
      const { selectBackend } = await import('../../ml/backend.js');
      const { Mlp } = await import('../../ml/mlp.js');
      const { Rng } = await import('../../core/rng.js');
      const backend = await selectBackend(g.backend);
      const actor = new Mlp(policy.spec, new Rng(0), `eval-actor`);
      actor.setWeights(policy.weights);
      const result = evaluatePolicy((obs, n) => tf.tidy(() => actor.apply(tf.tensor2d(obs.subarray(0, n * od), [n, od])).dataSync() as Float32Array), envs, seeds);
      actor.dispose();
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
    if (env.id === 'lane') {
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
      await evalLaneActor(g, o, { ...imported.actor, ...(encoder ? { encoder } : {}) }, env, { export: o.policy });
      return;
    }
    const episodes = intOption('--episodes', o.episodes, 1, EVAL_EPISODES_MAX);
    const seeds = o.seeds !== undefined ? parseSeeds(o.seeds) : evalSeeds(episodes ?? 10);
    if (o.seeds !== undefined && episodes !== undefined && episodes !== seeds.length) throw new CliError(`--episodes ${episodes} does not match the ${seeds.length} seeds given`);
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
      [`export ${o.policy} (${format}) on ${env.id}:`, `mean return ${result.meanReturn.toFixed(2)} +- ${result.stdReturn.toFixed(2)} over ${result.episodes} episodes (deterministic)`].join('\n'),
    );
  } catch (e) {
    throw cliExportError(e);
  }
}

/**
 * Lane runs and exports are evaluated with Kendall et al.'s protocol: a 250 m route per held-out
 * road seed, no exploration noise, the safety driver recentres the car at each disengagement;
 * metres per disengagement (MPD) and disengagement counts per seed and overall.
 */
async function evalLaneActor(
  g: GlobalOptions,
  o: EvalOptions,
  actor: { spec: MlpSpec; weights: readonly Float32Array[]; encoder?: { spec: ConvEncoderSpec; extraDim: number; weights: readonly Float32Array[] } },
  env: EnvConfig,
  source: Record<string, unknown>,
): Promise<void> {
  if (env.id !== 'lane') throw new CliError('internal: evalLaneActor takes lane envs only');
  const seeds = o.seeds !== undefined ? parseSeeds(o.seeds, '--seeds', { test: LANE_TEST_SEEDS, train: LANE_TRAIN_SEEDS }) : undefined;
  const route = numberOption('--route', o.route, EVAL_ROUTE_M)!;
  const tf = await import('@tensorflow/tfjs');
  const { selectBackend } = await import('../../ml/backend.js');
  const { Mlp } = await import('../../ml/mlp.js');
  const { Rng } = await import('../../core/rng.js');
  const { evaluateLane } = await import('../../sim/lane/evaluate.js');
  const backend = await selectBackend(g.backend);
  const mlp = new Mlp(actor.spec, new Rng(0), 'eval-lane-actor');
  mlp.setWeights([...actor.weights]);
  // Camera policies (lane obs "vae"): the conv encoder reads the raw image, the actor [latent, extra].
  const enc = actor.encoder;
  let encoder: import('../../ml/conv-encoder.js').ConvEncoder | undefined;
  if (enc) {
    const { ConvEncoder } = await import('../../ml/conv-encoder.js');
    encoder = new ConvEncoder(enc.spec, new Rng(0), 'eval-lane-encoder', false);
    encoder.setWeights(enc.weights);
  }
  const od = enc ? enc.spec.height * enc.spec.width * enc.spec.channels + enc.extraDim : actor.spec.inputDim;
  const fd = actor.spec.inputDim;
  try {
    const result = evaluateLane(
      (obs) => {
        if (obs.length !== od) throw new CliError(`the policy takes ${od} observations; this lane env gives ${obs.length} (obs "${env.obs}")`);
        const features = encoder && enc ? encoder.encode(obs, 1, enc.extraDim) : obs;
        return tf.tidy(() => mlp.apply(tf.tensor2d(features, [1, fd])).dataSync() as Float32Array);
      },
      { config: env, ...(seeds ? { seeds } : {}), routeLengthM: route },
    );
    const o2 = result.overall;
    output(g, { ...source, env, backend: backend.name, protocol: 'kendall-2018', ...result }, () =>
      [
        `lane, ${o2.routes} held-out route(s) of ${result.routeLengthM} m (deterministic, safety driver recentres at each disengagement):`,
        ...result.seeds.map((s) => `seed ${s.seed}: ${s.disengagements} disengagement(s), MPD ${s.mpd.toFixed(1)} m`),
        `overall: MPD ${o2.mpd.toFixed(1)} m, ${o2.disengagementsPerRoute.toFixed(2)} disengagements per route, ${o2.cleanRoutes}/${o2.routes} routes clean`,
      ].join('\n'),
    );
  } finally {
    mlp.dispose();
    encoder?.dispose();
  }
}

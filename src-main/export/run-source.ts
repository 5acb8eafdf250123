/**
 * Export from a run folder: the run's config (env, algorithm), evaluation summary and env
 * description around the actor of one checkpoint.
 *
 * The link to the learner's checkpoint format is the single function `loadActorFromRun` below
 * (signature ActorLoader); everything else here is format-independent.
 */
import type { PolicyHead } from '../../src-shared/policy-head.js';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadPolicy, type LoadedPolicy } from '../rl/checkpoint/policy.js';
import { readJsonIfExists, RUN_FILES, StoredConfig } from '../store/run-store.js';
import type { Mlp } from '../ml/mlp.js';
import { envExportInfo } from './env-info.js';
import { ExportError } from './errors.js';
import { exportPolicy, type ActorSource, type EncoderSource, type ExportOptions, type ExportResult } from './export.js';
import { encodedImageObs, envAdapter, makeEnv } from '../sim/registry.js';
import { exportEncoderSpec } from './architecture.js';
import { vectorSpace, type ActionScaling, type ObservationSpec } from './metadata.js';

/** Which checkpoint: the best evaluation, the latest, or the one at env step N. */
export type CheckpointSelector = 'best' | 'last' | number;

export function parseCheckpointSelector(raw: string | undefined): CheckpointSelector {
  if (raw === undefined || raw === 'best') return 'best';
  if (raw === 'last') return 'last';
  const n = Number(raw);
  if (Number.isInteger(n) && n >= 0) return n;
  throw new ExportError('bad-input', `--checkpoint must be best, last or a step number (got "${raw}")`);
}

export function checkpointLabel(sel: CheckpointSelector): string {
  return typeof sel === 'number' ? `step-${sel}` : sel;
}

/** The actor (and encoder) of one checkpoint, as the glue returns it. */
export interface RunActor {
  actor: Mlp | ActorSource;
  encoder?: EncoderSource;
  /** Env step of the checkpoint, and its name or path, for provenance. */
  step?: number;
  checkpoint: string;
  /** For image observations the glue must say what the encoder takes; vector envs default to the env's own spaces. */
  observation?: ObservationSpec;
  actionScaling?: ActionScaling[];
  /** Discrete actions: how the actor's outputs become the action index. */
  head?: PolicyHead;
}

export type ActorLoader = (runDir: string, checkpoint: CheckpointSelector) => Promise<RunActor>;

/**
 * The glue to the learner's checkpoints: the actor of checkpoint `checkpoint` ('best' = the
 * best-evaluation snapshot, 'last', or the full checkpoint at that env step) of the run in
 * `runDir`. Throws ExportError('no-checkpoint', ...) when the run has no such checkpoint.
 */
export async function loadActorFromRun(runDir: string, checkpoint: CheckpointSelector): Promise<RunActor> {
  const dir = join(runDir, RUN_FILES.checkpoints);
  const entries = existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith('.')) : [];
  if (!entries.length) throw new ExportError('no-checkpoint', `no checkpoint found in ${dir} (the run has not saved one yet)`);
  let policy: LoadedPolicy;
  try {
    policy = loadPolicy(runDir, checkpoint);
  } catch (e) {
    throw new ExportError('no-checkpoint', `no readable checkpoint "${checkpointLabel(checkpoint)}" in ${dir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const actor: RunActor = {
    actor: { spec: { ...policy.spec, hidden: [...policy.spec.hidden] }, weights: policy.weights },
    step: policy.step,
    checkpoint: `${RUN_FILES.checkpoints}/${policy.source.dir}`,
    ...(policy.head ? { head: policy.head } : {}),
  };
  if (policy.encoder) {
    // Image observations (lane obs "vae"): the export takes raw camera images; the encoder
    // (frozen VAE encoder or the one trained with the critics) goes in front of the actor.
    const stored = StoredConfig.safeParse(readJsonIfExists(join(runDir, RUN_FILES.config)));
    const env = stored.success ? stored.data.config.env : undefined;
    const { spec, extraDim, weights } = policy.encoder;
    actor.encoder = { spec: exportEncoderSpec(spec, extraDim), weights };
    const image = env ? encodedImageObs(env) : undefined;
    const adapter = env ? envAdapter(env.id) : undefined;
    let low = new Float32Array(extraDim).fill(-Infinity);
    let high = new Float32Array(extraDim).fill(Infinity);
    if (env) {
      // The extra features' bounds: the tail of the env's raw observation space.
      const e = makeEnv(env);
      try {
        const k = e.observationSpace.low.length;
        low = e.observationSpace.low.slice(k - extraDim);
        high = e.observationSpace.high.slice(k - extraDim);
      } finally {
        e.close?.();
      }
    }
    actor.observation = {
      kind: 'image',
      image: {
        height: spec.height,
        width: spec.width,
        channels: spec.channels,
        layout: 'NHWC',
        channelOrder: 'RGB',
        range: [0, 1],
        normalization: 'uint8 / 255',
      },
      ...(extraDim > 0 ? { extra: vectorSpace(low, high, image && extraDim === image.extraNames.length ? [...image.extraNames] : undefined) } : {}),
    };
    const n = policy.spec.outputDim;
    actor.actionScaling =
      env && adapter?.actionUnits
        ? adapter.actionUnits(env, n)
        : Array.from({ length: n }, (_, i) => ({ name: `action ${i}`, unit: 'normalized', low: -1, high: 1 }));
  }
  return actor;
}

/** A run folder path, or a run id inside the runs folder. */
export function resolveRunDir(run: string, runsDir: string): string {
  const candidates = [resolve(run), join(runsDir, run)];
  for (const c of candidates) {
    if (existsSync(join(c, RUN_FILES.config)) && statSync(c).isDirectory()) return c;
  }
  throw new ExportError('missing', `no run "${run}" (neither a run folder nor a run id in ${runsDir})`);
}

export interface ExportRunRequest {
  runDir: string;
  checkpoint: CheckpointSelector;
  /** Default: <run>/exports/<checkpoint>-<timestamp>. */
  outDir?: string;
  options?: ExportOptions;
  /** The glue; defaults to loadActorFromRun. */
  loadActor?: ActorLoader;
}

/** Exports one checkpoint of a run. Throws ExportError. */
export async function exportRun(req: ExportRunRequest): Promise<ExportResult> {
  const runDir = resolve(req.runDir);
  const storedRaw = readJsonIfExists(join(runDir, RUN_FILES.config));
  const stored = StoredConfig.safeParse(storedRaw);
  if (!stored.success) throw new ExportError('missing', `${runDir} is not a run folder (config.json missing or invalid)`);
  const config = stored.data.config;
  const loaded = await (req.loadActor ?? loadActorFromRun)(runDir, req.checkpoint);
  const info = loaded.observation && loaded.actionScaling ? undefined : envExportInfo(config.env);
  const evalSummary = readJsonIfExists(join(runDir, 'eval.json')) ?? {
    bestEval: (readJsonIfExists(join(runDir, RUN_FILES.meta)) as { bestEval?: unknown } | undefined)?.bestEval ?? null,
  };
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const outDir = req.outDir ?? join(runDir, RUN_FILES.exports, `${checkpointLabel(req.checkpoint)}-${stamp}`);
  return exportPolicy(
    {
      actor: loaded.actor,
      encoder: loaded.encoder,
      meta: {
        envId: config.env.id,
        algo: config.algo,
        config,
        evalSummary,
        source: {
          runDir,
          checkpoint: loaded.checkpoint,
          selector: checkpointLabel(req.checkpoint),
          ...(loaded.step !== undefined ? { step: loaded.step } : {}),
        },
        observation: loaded.observation ?? info!.observation,
        actionScaling: loaded.actionScaling ?? info!.actionScaling,
        ...(loaded.head ? { head: loaded.head } : {}),
      },
    },
    outDir,
    req.options,
  );
}

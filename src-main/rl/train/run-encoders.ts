/**
 * A run's observation encoders (lane obs "vae", rl/encoder/): a frozen one wraps the envs (the
 * learner sees latents), a trainable one ("finetune", "scratch") goes into the learner; and what
 * checkpoints say about the policy they hold.
 */
import { actorBlockOf, type RunConfig } from '../../../src-shared/config/run-config.js';
import { Rng } from '../../core/rng.js';
import { ConvEncoder } from '../../ml/conv-encoder.js';
import type { Learner } from '../algorithms/learner.js';
import type { LearnerInit } from '../algorithms/registry.js';
import type { PolicyMeta } from '../checkpoint/policy.js';
import { obsEncoderSetup, type ObsEncoderSetup } from '../encoder/setup.js';
import type { TrainOutputs } from './types.js';
import type { InitPolicy } from './hooks.js';

export interface RunEncoders {
  setup: ObsEncoderSetup | undefined;
  /** The frozen encoder every env wrapper shares (mode "frozen"). */
  frozen: ConvEncoder | undefined;
  /** The trainable encoder the learner is built with (modes "finetune", "scratch"). */
  trainable: LearnerInit['encoder'];
}

export function runEncoders(cfg: RunConfig, runId: string, runDir: string): RunEncoders {
  const setup = obsEncoderSetup(cfg.env, runDir);
  if (!setup) return { setup, frozen: undefined, trainable: undefined };
  if (setup.mode === 'frozen') {
    const frozen = new ConvEncoder(setup.spec, new Rng(0), `run-${runId}/frozen-encoder`, false);
    frozen.setWeights(setup.weights!);
    return { setup, frozen, trainable: undefined };
  }
  if (cfg.td3.noise.type === 'param')
    throw new Error('parameter noise perturbs the actor on raw observations; with a trainable image encoder use gaussian or ou noise');
  return { setup, frozen: undefined, trainable: { spec: setup.spec, extraDim: setup.extraDim, ...(setup.weights ? { weights: setup.weights } : {}) } };
}

/** What every checkpoint's metadata says about the policy in it. */
export function policyMetaOf(
  learner: Learner,
  config: RunConfig,
  configDigest: string,
  setup: ObsEncoderSetup | undefined,
): PolicyMeta & { algo: string; configDigest: string } {
  return {
    actorSpec: learner.actor.spec,
    envId: config.env.id,
    algo: config.algo,
    configDigest,
    ...(setup ? { encoder: { spec: setup.spec, extraDim: setup.extraDim, mode: setup.mode } } : {}),
  };
}

/** Loads an exported actor into the actor and its target (a fresh run started from an export). */
export async function initActorFromExport(
  learner: Learner,
  config: RunConfig,
  dir: string,
  out: TrainOutputs,
  load: ((dir: string) => Promise<InitPolicy>) | undefined,
): Promise<void> {
  if (!load) throw new Error('this trainer cannot read exported policies (no loadInitPolicy hook)');
  const imported = await load(dir);
  const want = learner.actor.spec;
  const got = imported.actor.spec;
  if (imported.envId !== config.env.id) throw new Error(`the policy in ${dir} was exported for "${imported.envId}", not "${config.env.id}"`);
  if (imported.hasEncoder) throw new Error(`the policy in ${dir} has a camera encoder; this run's observations are vectors`);
  if (
    got.inputDim !== want.inputDim ||
    got.outputDim !== want.outputDim ||
    got.hidden.join(',') !== want.hidden.join(',') ||
    got.outputActivation !== want.outputActivation
  ) {
    throw new Error(
      `the actor in ${dir} is ${got.inputDim}-${got.hidden.join('-')}-${got.outputDim}; this run's actor is ${want.inputDim}-${want.hidden.join('-')}-${want.outputDim} (set ${actorBlockOf(config).name}.actorHidden to match)`,
    );
  }
  learner.initActor(imported.actor.weights);
  out.log('info', `actor initialized from the export in ${dir} (${imported.from})`);
}

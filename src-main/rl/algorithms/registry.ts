/**
 * Algorithm ids -> learner factories. Adding an algorithm: a folder under rl/algorithms/ with a
 * class implementing `Learner`, its config schema in src-shared/config/algo.ts, and one entry
 * here; the trainer, the live view, checkpoints and export go through `Learner` only. The mapped
 * type makes TypeScript insist on a factory for every id of AlgoId.
 */
import type { RunConfig } from '../../../src-shared/config/run-config.js';
import type { AlgoId } from '../../../src-shared/config/algo.js';
import type { ConvEncoderSpec } from '../../ml/conv-encoder.js';
import type { Learner, OffPolicyLoop } from './learner.js';
import { Td3 } from './td3/td3.js';
import { Sac } from './sac/sac.js';
import { SacConfig } from '../../../src-shared/config/sac.js';
import { D4pg } from './d4pg/d4pg.js';
import { D4pgConfig } from '../../../src-shared/config/d4pg.js';

/** Polyak factor of a trainable target encoder when td3.encoderTau is absent (SAC-AE). */
export const DEFAULT_ENCODER_TAU = 0.05;

export interface LearnerInit {
  /** Observation (as the learner sees it) and action sizes. */
  spaces: { obsDim: number; actDim: number };
  config: RunConfig;
  /** Seeds of the network weights and of the learner's own random stream. */
  seeds: { networks: number; learner: number };
  /** A trainable conv encoder in front of the networks (image observations). */
  encoder?: { spec: ConvEncoderSpec; extraDim: number; weights?: readonly Float32Array[] };
  name?: string;
}

type Factories = { [K in AlgoId]: (init: LearnerInit) => Learner };
type Loops = { [K in AlgoId]: (config: RunConfig) => OffPolicyLoop };

function td3(init: LearnerInit): Learner {
  const { config, encoder } = init;
  const options = encoder ? { ...encoder, tau: config.td3.encoderTau ?? DEFAULT_ENCODER_TAU } : undefined;
  return new Td3(init.spaces, config.td3, { networks: init.seeds.networks, targetNoise: init.seeds.learner }, init.name, options);
}

function td3Loop({ td3: c }: RunConfig): OffPolicyLoop {
  return {
    learningStarts: c.learningStarts,
    batchSize: c.batchSize,
    trainFreq: c.trainFreq,
    gradientSteps: c.gradientSteps,
    trainSchedule: c.trainSchedule ?? 'steps',
    bufferSize: c.bufferSize,
    gamma: c.gamma,
    replay: c.replay,
    noise: c.noise,
  };
}

/** The run's SAC block (RunConfig.parse leaves it absent when the config did not come through buildRunConfig). */
const sacConfig = (config: RunConfig): SacConfig => config.sac ?? SacConfig.parse({});

function sac(init: LearnerInit): Learner {
  if (init.encoder) throw new Error('sac: a trainable image encoder is not supported; use state observations or a frozen VAE encoder');
  return new Sac(init.spaces, sacConfig(init.config), init.seeds, init.name);
}

function sacLoop(config: RunConfig): OffPolicyLoop {
  const c = sacConfig(config);
  return {
    learningStarts: c.learningStarts,
    batchSize: c.batchSize,
    trainFreq: c.trainFreq,
    gradientSteps: c.gradientSteps,
    trainSchedule: c.trainSchedule ?? 'steps',
    bufferSize: c.bufferSize,
    gamma: c.gamma,
    replay: c.replay,
    // SAC explores with its own stochastic policy (Learner.explore).
    noise: { type: 'none' },
  };
}

const d4pgConfig = (config: RunConfig): D4pgConfig => config.d4pg ?? D4pgConfig.parse({});

function d4pg(init: LearnerInit): Learner {
  if (init.encoder) throw new Error('d4pg: a trainable image encoder is not supported; use state observations or a frozen VAE encoder');
  return new D4pg(init.spaces, d4pgConfig(init.config), init.seeds, init.name);
}

function d4pgLoop(config: RunConfig): OffPolicyLoop {
  const c = d4pgConfig(config);
  return {
    learningStarts: c.learningStarts,
    batchSize: c.batchSize,
    trainFreq: c.trainFreq,
    gradientSteps: c.gradientSteps,
    trainSchedule: c.trainSchedule ?? 'steps',
    bufferSize: c.bufferSize,
    gamma: c.gamma,
    replay: c.replay,
    noise: c.noise,
  };
}

// DDPG is a preset of TD3's schema (src-shared/config/algo.ts), so it shares the class.
const FACTORIES: Factories = { td3, ddpg: td3, sac, d4pg };
const LOOPS: Loops = { td3: td3Loop, ddpg: td3Loop, sac: sacLoop, d4pg: d4pgLoop };

type ActorHidden = { [K in AlgoId]: (config: RunConfig) => { field: string; hidden: readonly number[] } };
const ACTOR_HIDDEN: ActorHidden = {
  td3: (c) => ({ field: 'td3.actorHidden', hidden: c.td3.actorHidden }),
  ddpg: (c) => ({ field: 'td3.actorHidden', hidden: c.td3.actorHidden }),
  sac: (c) => ({ field: 'sac.actorHidden', hidden: sacConfig(c).actorHidden }),
  d4pg: (c) => ({ field: 'd4pg.actorHidden', hidden: d4pgConfig(c).actorHidden }),
};

/** The hidden layers of the run's actor and the config field that sets them (checks of exported actors a run starts from). */
export function actorHiddenOf(config: RunConfig): { field: string; hidden: readonly number[] } {
  return ACTOR_HIDDEN[config.algo](config);
}

/** How the off-policy loop feeds the run's learner (from the algorithm's own config block). */
export function loopOf(config: RunConfig): OffPolicyLoop {
  const loop = LOOPS[config.algo];
  if (!loop) throw new Error(`no learner registered for algo "${config.algo}"`);
  return loop(config);
}

export function makeLearner(init: LearnerInit): Learner {
  const factory = FACTORIES[init.config.algo];
  if (!factory) throw new Error(`no learner registered for algo "${init.config.algo}"`);
  return factory(init);
}

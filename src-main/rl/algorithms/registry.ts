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
import { Dqn } from './dqn/dqn.js';
import { DqnConfig } from '../../../src-shared/config/dqn.js';
import type { ActionSpace } from '../../sim/env.js';

/** Polyak factor of a trainable target encoder when td3.encoderTau is absent (SAC-AE). */
export const DEFAULT_ENCODER_TAU = 0.05;

export interface LearnerInit {
  /** Observation (as the learner sees it) and action sizes. */
  spaces: { obsDim: number; actDim: number };
  /** The env's action space (discrete-action algorithms need it; continuous ones refuse a discrete one). Absent: continuous. */
  actionSpace?: ActionSpace;
  config: RunConfig;
  /** Seeds of the network weights and of the learner's own random stream. */
  seeds: { networks: number; learner: number };
  /** A trainable conv encoder in front of the networks (image observations). */
  encoder?: { spec: ConvEncoderSpec; extraDim: number; weights?: readonly Float32Array[] };
  name?: string;
}

type Factories = { [K in AlgoId]: (init: LearnerInit) => Learner };
type Loops = { [K in AlgoId]: (config: RunConfig) => OffPolicyLoop };

/** Refuses an algorithm on the wrong kind of action space, naming the field. */
function requireActions(init: LearnerInit, kind: 'box' | 'discrete'): void {
  const space = init.actionSpace;
  const got = space?.kind ?? 'box';
  if (got === kind) return;
  const env = init.config.env.id;
  if (kind === 'discrete')
    throw new Error(
      `algo: ${init.config.algo} needs discrete actions; env "${env}" has continuous actions (use td3 or ddpg, or a discrete env such as cartpole)`,
    );
  throw new Error(
    `algo: ${init.config.algo} needs continuous actions; env "${env}" has ${space!.kind === 'discrete' ? space!.n : ''} discrete actions (use dqn or rainbow)`,
  );
}

function td3(init: LearnerInit): Learner {
  requireActions(init, 'box');
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

/** The run's DQN block (buildRunConfig fills it for dqn and rainbow; the schema's defaults otherwise). */
function dqnConfigOf(config: RunConfig): DqnConfig {
  return config.dqn ?? DqnConfig.parse({});
}

function dqn(init: LearnerInit): Learner {
  requireActions(init, 'discrete');
  if (init.encoder) throw new Error('algo: the DQN family here takes vector observations (no camera encoder)');
  const space = init.actionSpace as Extract<ActionSpace, { kind: 'discrete' }>;
  const { config } = init;
  return new Dqn({ obsDim: init.spaces.obsDim, actions: space.n }, dqnConfigOf(config), config.totalSteps, init.seeds, init.name);
}

function dqnLoop(config: RunConfig): OffPolicyLoop {
  const c = dqnConfigOf(config);
  return {
    learningStarts: c.learningStarts,
    batchSize: c.batchSize,
    trainFreq: c.trainFreq,
    gradientSteps: c.gradientSteps,
    trainSchedule: 'steps',
    bufferSize: c.bufferSize,
    gamma: c.gamma,
    replay: c.replay,
    // Unused: DQN explores itself (epsilon-greedy or noisy nets).
    noise: { type: 'gaussian', sigma: 0 },
  };
}

// DDPG is a preset of TD3's schema (src-shared/config/algo.ts), so it shares the class; Rainbow
// is a preset of DQN's (src-shared/config/dqn.ts).
const FACTORIES: Factories = { td3, ddpg: td3, dqn, rainbow: dqn };
const LOOPS: Loops = { td3: td3Loop, ddpg: td3Loop, dqn: dqnLoop, rainbow: dqnLoop };

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

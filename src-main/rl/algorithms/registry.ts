/**
 * Algorithm ids -> learner factories. Adding an algorithm: a folder under rl/algorithms/ with a
 * class implementing `Learner` (or `OnPolicyLearner`, ./on-policy-learner.ts, for algorithms that
 * learn from their own rollouts), its config schema in src-shared/config/, and one entry in each
 * table here; the trainer, the live view, checkpoints and export go through `Learner` only. The
 * mapped types make TypeScript insist on an entry for every id of AlgoId.
 */
import type { RunConfig } from '../../../src-shared/config/run-config.js';
import type { AlgoId } from '../../../src-shared/config/algo.js';
import type { ConvEncoderSpec } from '../../ml/conv-encoder.js';
import type { ActionSpace } from '../../sim/env.js';
import type { Learner, OffPolicyLoop } from './learner.js';
import { Td3 } from './td3/td3.js';
import { ActorCritic } from './on-policy/actor-critic.js';
import { settingsOf } from './on-policy/settings.js';

/** Polyak factor of a trainable target encoder when td3.encoderTau is absent (SAC-AE). */
export const DEFAULT_ENCODER_TAU = 0.05;

export interface LearnerInit {
  /** Observation (as the learner sees it) and action sizes. */
  spaces: { obsDim: number; actDim: number };
  /** The env's action space: decides a policy's kind (Gaussian or categorical); checked against the algorithm's. */
  actionSpace?: ActionSpace;
  config: RunConfig;
  /** Seeds of the network weights and of the learner's own random stream. */
  seeds: { networks: number; learner: number };
  /** A trainable conv encoder in front of the networks (image observations). */
  encoder?: { spec: ConvEncoderSpec; extraDim: number; weights?: readonly Float32Array[] };
  name?: string;
}

type Factories = { [K in AlgoId]: (init: LearnerInit) => Learner };
/** Off-policy algorithms' loop settings; undefined for on-policy ones (they collect rollouts: rl/train/rollout-loop.ts). */
type Loops = { [K in AlgoId]: (config: RunConfig) => OffPolicyLoop | undefined };
/** The action spaces each algorithm handles. */
type ActionKinds = { [K in AlgoId]: ReadonlyArray<ActionSpace['kind']> };

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

function onPolicy(init: LearnerInit): Learner {
  const algo = init.config.algo as 'ppo' | 'a2c' | 'reinforce';
  const space = init.actionSpace;
  const spaces = { ...init.spaces, ...(space?.kind === 'discrete' ? { discreteN: space.n } : {}) };
  if (init.encoder) throw new Error(`${algo}: image observations with a trainable encoder are not supported; use a frozen encoder or state observations`);
  return new ActorCritic(spaces, settingsOf(init.config, algo), init.seeds, init.name);
}

// DDPG is a preset of TD3's schema (src-shared/config/algo.ts), so it shares the class.
const FACTORIES: Factories = { td3, ddpg: td3, ppo: onPolicy, a2c: onPolicy, reinforce: onPolicy };
const LOOPS: Loops = { td3: td3Loop, ddpg: td3Loop, ppo: () => undefined, a2c: () => undefined, reinforce: () => undefined };
const ACTION_KINDS: ActionKinds = { td3: ['box'], ddpg: ['box'], ppo: ['box', 'discrete'], a2c: ['box', 'discrete'], reinforce: ['box', 'discrete'] };

/** How the off-policy loop feeds the run's learner (from the algorithm's own config block); undefined for on-policy algorithms. */
export function loopOf(config: RunConfig): OffPolicyLoop | undefined {
  const loop = LOOPS[config.algo];
  if (!loop) throw new Error(`no learner registered for algo "${config.algo}"`);
  return loop(config);
}

export function makeLearner(init: LearnerInit): Learner {
  const factory = FACTORIES[init.config.algo];
  if (!factory) throw new Error(`no learner registered for algo "${init.config.algo}"`);
  const kind = init.actionSpace?.kind;
  if (kind && !ACTION_KINDS[init.config.algo].includes(kind)) {
    const wants = ACTION_KINDS[init.config.algo].map((k) => (k === 'box' ? 'continuous' : 'discrete')).join(' or ');
    throw new Error(`algo: ${init.config.algo} needs ${wants} actions, but env "${init.config.env.id}" has ${kind === 'box' ? 'continuous' : 'discrete'} ones`);
  }
  return factory(init);
}

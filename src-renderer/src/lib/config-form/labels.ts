/**
 * Human labels for config fields and choices. Purely cosmetic: a field or option missing
 * here is still shown, with a label made from its key ("maxEpisodeSteps" -> "Max episode steps").
 */
import { ALGO_INFO } from '../../../../src-shared/config/algo-info';
import { ENV_LABELS } from '../../../../src-shared/config/envs/index';

const FIELD_LABELS: Record<string, string> = {
  name: 'Name',
  env: 'Environment',
  algo: 'Algorithm',
  td3: 'TD3/DDPG hyperparameters',
  ppo: 'PPO hyperparameters',
  a2c: 'A2C hyperparameters',
  reinforce: 'REINFORCE hyperparameters',
  sac: 'SAC hyperparameters',
  d4pg: 'D4PG hyperparameters',
  atoms: 'Atoms',
  vMin: 'Support minimum V_min',
  vMax: 'Support maximum V_max',
  nStep: 'n-step returns',
  learningRate: 'Learning rate',
  autoEntropy: 'Automatic entropy tuning',
  entCoefInit: 'Initial entropy coefficient α',
  targetEntropy: 'Target entropy',
  targetUpdateInterval: 'Target update interval',
  dqn: 'DQN / Rainbow hyperparameters',
  lr: 'Learning rate',
  lrSchedule: 'Learning-rate schedule',
  entCoef: 'Entropy bonus weight',
  vfCoef: 'Value loss weight',
  nSteps: 'Rollout steps per env',
  nEpochs: 'Epochs per rollout',
  gaeLambda: 'GAE λ',
  clipRange: 'Clip range ε',
  clipSchedule: 'Clip-range schedule',
  normalizeAdvantage: 'Normalize advantages',
  logStdInit: 'Initial log σ',
  episodesPerUpdate: 'Episodes per update',
  episodesPerRollout: 'Episodes per rollout (instead of rollout steps)',
  optimizer: 'Optimizer',
  seed: 'Seed',
  totalSteps: 'Total env steps',
  numEnvs: 'Parallel envs',
  actors: 'Parallel actors',
  count: 'Actor threads',
  weightSyncEvery: 'Send weights every (updates)',
  updatesPerStep: 'Updates per env step',
  evalEvery: 'Evaluate every (steps)',
  evalEpisodes: 'Evaluation episodes',
  selectBest: 'Keep the best policy on validation seeds',
  checkpointEvery: 'Checkpoint every (steps)',
  logEvery: 'Log every (steps)',
  backend: 'ML backend',
  actorLr: 'Actor learning rate',
  criticLr: 'Critic learning rate',
  gamma: 'Discount γ',
  tau: 'Polyak τ',
  batchSize: 'Batch size',
  bufferSize: 'Replay buffer size',
  learningStarts: 'Learning starts (steps)',
  trainFreq: 'Train every (steps)',
  gradientSteps: 'Gradient steps',
  nCritics: 'Critics',
  policyDelay: 'Policy delay',
  targetNoise: 'Target noise σ',
  noiseClip: 'Target noise clip',
  actorHidden: 'Actor hidden layers',
  criticHidden: 'Critic hidden layers',
  noise: 'Exploration noise',
  maxGradNorm: 'Max gradient norm',
  maxEpisodeSteps: 'Max episode steps',
  sigma: 'σ (sigma)',
  theta: 'θ (theta)',
  mu: 'μ (mu)',
  dt: 'dt',
  initialStd: 'Initial std',
  desiredActionStd: 'Desired action std',
  adaptCoef: 'Adaptation factor α',
  adaptEvery: 'Adapt every (steps)',
  obs: 'Observation',
  replay: 'Experience replay',
  nSampledGoal: 'Relabelled goals per transition (k)',
  strategy: 'Goal selection',
};

const OPTION_LABELS: Record<string, Record<string, string>> = {
  algo: {
    td3: 'TD3',
    ddpg: 'DDPG (TD3 preset)',
    sac: 'SAC',
    d4pg: 'D4PG',
    dqn: 'DQN (discrete actions)',
    rainbow: 'Rainbow (DQN preset)',
    ppo: 'PPO',
    a2c: 'A2C',
    reinforce: 'REINFORCE (learned baseline)',
  },
  mode: { async: 'async (actor threads, faster)', sync: 'sync (reproducible)' },
  optimizer: { rmsprop: 'RMSprop', adam: 'Adam' },
  type: {
    gaussian: 'Gaussian',
    ou: 'Ornstein–Uhlenbeck',
    param: 'Parameter space (adaptive)',
    none: 'None',
    uniform: 'Uniform',
    prioritized: 'Prioritized (PER)',
    her: 'Hindsight (HER)',
  },
  backend: {
    auto: 'auto (fastest that loads)',
    'tensorflow-gpu': 'TensorFlow GPU',
    tensorflow: 'TensorFlow (native CPU)',
    webgpu: 'WebGPU',
    wasm: 'WebAssembly',
    cpu: 'JavaScript CPU',
  },
  id: ENV_LABELS,
};

export function humanizeKey(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function fieldLabel(key: string): string {
  return FIELD_LABELS[key] ?? humanizeKey(key);
}

/** Label of a choice: `key` is the field (or discriminator) name, e.g. "algo", "type", "id". */
export function optionLabel(key: string, value: string | number): string {
  return OPTION_LABELS[key]?.[String(value)] ?? String(value);
}

/** A sentence explaining the chosen option, where there is one (the algorithm picker). */
export function optionHelp(key: string, value: unknown): string | undefined {
  return key === 'algo' ? (ALGO_INFO as Record<string, string>)[String(value)] : undefined;
}

/** Label of a union's choice field: "Environment" for env.id, "Type" for noise.type, … */
export function choiceLabel(unionKey: string, discriminator: string): string {
  if (unionKey === 'env' && discriminator === 'id') return 'Environment';
  if (discriminator === 'type') return 'Type';
  return fieldLabel(discriminator);
}

/**
 * Per-env hyperparameter presets, applied by buildRunConfig under the user's explicit settings.
 *
 * Precedence (lowest first): schema defaults < algorithm preset (DDPG_PRESET) < env preset
 * (`td3`, then `byAlgo[algo]`) < what the user set. Env presets never touch the fields that make
 * TD3 into DDPG (nCritics, policyDelay, targetNoise, noiseClip): the type forbids it.
 *
 * Sources: rl-baselines3-zoo hyperparams/td3.yml and ddpg.yml (Pendulum-v1,
 * MountainCarContinuous-v0), adapted where noted so the presets run in sane time on a laptop CPU.
 */
import type { AlgoId, Td3ConfigInput } from './algo.js';
import type { EnvId } from './envs/index.js';

/** TD3 fields an env preset may set: everything except the algorithm's structure. */
export type EnvTd3Preset = Omit<Td3ConfigInput, 'nCritics' | 'policyDelay' | 'targetNoise' | 'noiseClip'>;

export interface EnvPreset {
  /** Where the numbers come from and what was changed, shown in docs and the UI. */
  doc: string;
  /** Settings for every algorithm on this env. */
  td3: EnvTd3Preset;
  /** Extra settings per algorithm (applied after `td3`). */
  byAlgo?: Partial<Record<AlgoId, EnvTd3Preset>>;
  /** Extra settings when the env sees through its camera (`obs` "pixels" or "vae"; applied last). */
  camera?: EnvTd3Preset;
  /** Default training length in env steps for this env. */
  totalSteps?: number;
}

/** The arm tasks' shared TD3 settings (rl-zoo's panda-gym ones, with 64-64 networks). */
const ARM_TD3: EnvTd3Preset = {
  gamma: 0.95,
  bufferSize: 1_000_000,
  learningStarts: 1_000,
  batchSize: 256,
  actorLr: 1e-3,
  criticLr: 1e-3,
  trainFreq: 1,
  gradientSteps: 1,
  actorHidden: [64, 64],
  criticHidden: [64, 64],
};

export const ENV_PRESETS: Partial<Record<EnvId, EnvPreset>> = {
  pendulum: {
    doc:
      'rl-zoo Pendulum-v1 (TD3 and DDPG): gamma 0.98, buffer 200k, lr 1e-3, batch 256, train_freq 1, ' +
      'gradient_steps 1, Gaussian noise 0.1, 20k steps. Changed: 64-64 networks instead of 400-300 ' +
      '(about 27x fewer multiply-adds per update, which matters on the WebAssembly backend; the benchmark in ' +
      'bench/RESULTS.md shows they still reach >= -200), and learning_starts 5000 instead of 10000 ' +
      '(more updates within the same 20k env steps). DDPG keeps its own OU noise.',
    td3: {
      gamma: 0.98,
      bufferSize: 200_000,
      learningStarts: 5_000,
      batchSize: 256,
      actorLr: 1e-3,
      criticLr: 1e-3,
      trainFreq: 1,
      gradientSteps: 1,
      actorHidden: [64, 64],
      criticHidden: [64, 64],
    },
    byAlgo: { td3: { noise: { type: 'gaussian', sigma: 0.1 } } },
    totalSteps: 20_000,
  },
  mountaincar: {
    doc:
      'rl-zoo MountainCarContinuous-v0 (TD3 and DDPG): OU noise with sigma 0.5, batch 256, lr 1e-3, ' +
      'train_freq 1, gradient_steps 1, 300k steps. Changed: 64-64 networks instead of 400-300 (speed ' +
      'on CPU); not benchmarked here yet.',
    td3: {
      batchSize: 256,
      actorLr: 1e-3,
      criticLr: 1e-3,
      trainFreq: 1,
      gradientSteps: 1,
      actorHidden: [64, 64],
      criticHidden: [64, 64],
      noise: { type: 'ou', sigma: 0.5, theta: 0.15, dt: 0.01, mu: 0 },
    },
    totalSteps: 300_000,
  },
  'arm-reach': {
    doc:
      'Tuned here (bench/RESULTS.md "TD3 on arm-reach"), after rl-zoo\'s panda-gym settings: gamma 0.95, ' +
      'lr 1e-3, batch 256, train_freq 1, gradient_steps 1, Gaussian noise 0.1, 30k steps. Changed: 64-64 networks ' +
      '(speed on the WebAssembly backend), learning_starts 1000, uniform replay (HER not needed with the dense ' +
      "reward). With the env's defaults (dense reward, velocity control) every benchmarked seed passes 95% success " +
      'well within the 30k steps; position control learned slower and less precisely.',
    td3: { ...ARM_TD3 },
    byAlgo: { td3: { noise: { type: 'gaussian', sigma: 0.1 } } },
    totalSteps: 30_000,
  },
  'arm-push': {
    doc:
      'Measured here (bench/RESULTS.md "TD3 + HER on arm-push"): the sparse reward (the env default for push) with hindsight ' +
      "experience replay (future, k = 4), tau 0.05 (as HER and rl-zoo's panda-gym settings), gamma 0.95, 128-128 networks, one update " +
      'every 2 env steps, and scripted exploration: 30% of training episodes are acted by the scripted push controller (with ' +
      'Gaussian noise 0.1), the others by the actor with the same noise. Random actions move the cube in a few episodes in a hundred, ' +
      'so without these demonstrations nothing is learned within 50k steps (8%: an arm that never moves the cube). With a camera ' +
      'observation (obs pixels or vae) the preset takes Gaussian noise and uniform replay instead (the scripted controller and hindsight replay read the state).',
    // Hindsight replay and the scripted pusher read the state: from the camera, plain replay and noise.
    camera: { replay: { type: 'uniform' }, noise: { type: 'gaussian', sigma: 0.1 } },
    td3: {
      ...ARM_TD3,
      tau: 0.05,
      trainFreq: 2,
      actorHidden: [128, 128],
      criticHidden: [128, 128],
      replay: { type: 'her', nSampledGoal: 4, strategy: 'future' },
      noise: { type: 'scripted', fraction: 0.3, sigma: 0.1 },
    },
    totalSteps: 300_000,
  },
};

/** The env preset's TD3 settings for one algorithm (empty when the env has no preset); `obs` picks the camera settings. */
export function envTd3Preset(envId: string, algo: AlgoId, obs?: string): EnvTd3Preset {
  const p = ENV_PRESETS[envId as EnvId];
  if (!p) return {};
  const camera = obs === 'pixels' || obs === 'vae' ? (p.camera ?? {}) : {};
  return { ...p.td3, ...(p.byAlgo?.[algo] ?? {}), ...camera };
}

/** The env preset's default training length, if it has one. */
export function envTotalSteps(envId: string): number | undefined {
  return ENV_PRESETS[envId as EnvId]?.totalSteps;
}

/**
 * The one typed configuration of a run, saved as config.json in its folder.
 * Every field has a documented default; the UI's New-run form and the CLI read this schema.
 */
import { z } from 'zod';
import { AlgoId, DDPG_PRESET, Td3Config, type Td3ConfigInput } from './algo.js';
import { ActorsConfig } from './actors.js';
import { DriveConfig } from './drive.js';
import { dqnConfigInput, DQN_ALGOS, DQN_ENV_PRESETS, DqnConfig } from './dqn.js';
import { EnvConfig, type EnvConfigInput } from './envs/index.js';
import { envTd3Preset, envTotalSteps } from './presets.js';
import { SAC_ENV_PRESETS, SacConfig } from './sac.js';
import { D4PG_ENV_PRESETS, D4pgConfig } from './d4pg.js';
import { A2cConfig, PpoConfig, ReinforceConfig } from './on-policy.js';

export const BackendChoice = z.enum(['auto', 'tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']);
export type BackendChoice = z.infer<typeof BackendChoice>;

export const RunConfig = z.object({
  name: z.string().min(1).max(120).default('run').describe('Display name of the run.'),
  env: EnvConfig.default({ id: 'pendulum', maxEpisodeSteps: 200 }).describe('Environment and its options.'),
  algo: AlgoId.default('td3').describe(
    'Learning algorithm: td3, ddpg (a preset of TD3), sac or d4pg for continuous actions; dqn, rainbow (a preset of DQN) for discrete actions (cartpole, mountaincar-discrete); the on-policy ppo, a2c and reinforce for either.',
  ),
  td3: Td3Config.default(Td3Config.parse({})).describe('TD3/DDPG hyperparameters.'),
  // Blocks of the other algorithms: optional (absent from older runs' configs, so their digest
  // stays), written out by buildRunConfig when that algorithm is chosen.
  sac: SacConfig.optional().describe('SAC hyperparameters (read when algo is sac).'),
  d4pg: D4pgConfig.optional().describe('D4PG hyperparameters (read when algo is d4pg).'),
  dqn: DqnConfig.optional().describe('DQN/Rainbow hyperparameters (present when algo is dqn or rainbow).'),
  ppo: PpoConfig.optional().describe('PPO hyperparameters (algo "ppo").'),
  a2c: A2cConfig.optional().describe('A2C hyperparameters (algo "a2c").'),
  reinforce: ReinforceConfig.optional().describe('REINFORCE (with a learned baseline) hyperparameters (algo "reinforce").'),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0)
    .describe('Seed of every random number generator in the run.'),
  totalSteps: z.number().int().min(1).max(1_000_000_000).default(20_000).describe('Env steps to train for.'),
  numEnvs: z.number().int().min(1).max(64).default(1).describe('Envs stepped in parallel (vectorized).'),
  evalEvery: z.number().int().min(0).default(5_000).describe('Env steps between deterministic evaluations (0 = only at the end).'),
  evalEpisodes: z.number().int().min(1).max(1000).default(10).describe('Episodes per evaluation.'),
  // Optional (absent = false) so the digests of runs made before it are unchanged.
  selectBest: z
    .boolean()
    .optional()
    .describe(
      "true: the evaluations during training run on validation seeds (2^30 + 2^29 + k), disjoint from the held-out seeds (2^30 + k); the run keeps the policy that scored best on them (with one more validation of the last policy at the end), and the final evaluation scores that policy on the held-out seeds (RL Zoo's EvalCallback best_model). Absent or false: the final evaluation scores the last policy.",
    ),
  checkpointEvery: z.number().int().min(0).default(5_000).describe('Env steps between checkpoints (0 = only at the end).'),
  logEvery: z.number().int().min(1).default(1_000).describe('Env steps between "train" metric lines.'),
  initPolicy: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .describe('Export folder (made by `export`) whose actor starts this run; critics start fresh. Its env and actor sizes must match this run.'),
  drive: DriveConfig.optional().describe(
    'Makes the run the "learning to drive in a day" pipeline (lane env only): collect camera frames, pretrain a VAE, train on its latent, evaluate after every episode, report. Absent for ordinary training runs.',
  ),
  // Optional, and absent unless asked for, so the digests of runs made before it are unchanged.
  actors: ActorsConfig.optional().describe(
    'Parallel actors: actor workers step envs while the learner trains (mode "async"). Absent = the synchronous, bit-reproducible loop.',
  ),
  backend: BackendChoice.default('auto').describe(
    'ML backend: auto picks the fastest that loads (tensorflow-gpu, tensorflow, webgpu on a hardware GPU, wasm, cpu).',
  ),
});
export type RunConfig = z.infer<typeof RunConfig>;
export type RunConfigInput = z.input<typeof RunConfig>;

/**
 * Builds a full config from user input: the algorithm preset (DDPG), then the env preset
 * (src-shared/config/presets.ts) are applied under the user's explicit TD3 fields, then
 * everything is validated and defaulted.
 */
export function buildRunConfig(input: RunConfigInput): RunConfig {
  const algo = AlgoId.parse(input.algo ?? 'td3');
  const userTd3: Td3ConfigInput = input.td3 ?? {};
  const env: EnvConfigInput = input.env ?? { id: 'pendulum' };
  const envPreset = envTd3Preset(env.id, algo, 'obs' in env ? env.obs : undefined);
  const td3: Td3ConfigInput = { ...(algo === 'ddpg' ? DDPG_PRESET : {}), ...envPreset, ...userTd3 };
  const dqnFamily = (DQN_ALGOS as readonly string[]).includes(algo);
  const totalSteps = input.totalSteps ?? (dqnFamily ? DQN_ENV_PRESETS[env.id]?.totalSteps : undefined) ?? envTotalSteps(env.id);
  // Only the chosen algorithm's block is kept, filled with its (env) presets under the user's values.
  const { sac, d4pg, dqn, ppo, a2c, reinforce, ...rest } = input;
  const blocks =
    algo === 'sac'
      ? { sac: { ...SAC_ENV_PRESETS[env.id], ...sac } }
      : algo === 'd4pg'
        ? { d4pg: { ...D4PG_ENV_PRESETS[env.id], ...d4pg } }
        : dqnFamily
          ? { dqn: dqnConfigInput(algo as 'dqn' | 'rainbow', env.id, dqn) }
          : algo === 'ppo'
            ? { ppo: ppo ?? {} }
            : algo === 'a2c'
              ? { a2c: a2c ?? {} }
              : algo === 'reinforce'
                ? { reinforce: reinforce ?? {} }
                : {};
  return RunConfig.parse({ ...rest, algo, td3, env, ...blocks, ...(totalSteps === undefined ? {} : { totalSteps }) });
}

/**
 * Which envs each algorithm has a preset for, and where its numbers come from: the tables that
 * buildRunConfig applies (ENV_PRESETS for TD3/DDPG, SAC_ENV_PRESETS, D4PG_ENV_PRESETS,
 * DQN_ENV_PRESETS), read here so the New-run form can list them.
 */
import type { AlgoId } from './algo.js';
import { D4PG_ENV_PRESETS } from './d4pg.js';
import { DQN_ENV_PRESETS } from './dqn.js';
import { ENV_IDS, type EnvId } from './envs/index.js';
import { ENV_PRESETS } from './presets.js';
import { SAC_ENV_PRESETS } from './sac.js';

export interface EnvPresetEntry {
  env: EnvId;
  /** Where the numbers come from (a sentence or two). */
  doc: string;
}

/** The envs on which `algo` starts from settings of its own (beyond the schema defaults), in the env list's order. */
export function envPresetsOf(algo: AlgoId): EnvPresetEntry[] {
  const out: EnvPresetEntry[] = [];
  for (const env of ENV_IDS) {
    const doc = docOf(algo, env);
    if (doc !== undefined) out.push({ env, doc });
  }
  return out;
}

function docOf(algo: AlgoId, env: EnvId): string | undefined {
  switch (algo) {
    case 'td3':
    case 'ddpg':
      return ENV_PRESETS[env]?.doc;
    case 'sac':
      return SAC_ENV_PRESETS[env] ? "rl-baselines3-zoo sac.yml for this env's Gymnasium counterpart (networks sized for a CPU)" : undefined;
    case 'd4pg':
      return D4PG_ENV_PRESETS[env] ? 'rl-baselines3-zoo TD3 settings for this env, with the return support fitted to its rewards' : undefined;
    case 'dqn':
    case 'rainbow':
      return DQN_ENV_PRESETS[env]?.doc;
    default:
      return undefined;
  }
}

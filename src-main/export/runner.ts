/**
 * The standalone policy runner: a deterministic evaluation loop over the simulator that needs
 * nothing but an env config and a policy function (e.g. an exported policy from load.ts). No
 * learner, replay buffer or noise code is involved.
 *
 * Episodes: for each seed s, the first episode starts with env.reset(s) and each further one
 * with env.reset() (the env's RNG continues), as Gymnasium and Stable-Baselines3's
 * evaluate_policy do; actions are the policy's, unchanged (the env clips them to [-1, 1]).
 */
import type { EnvConfig } from '../../src-shared/config/envs/index.js';
import { makeEnv } from '../sim/registry.js';

export type PolicyFn = (obs: Float32Array) => Float32Array | Promise<Float32Array>;

export interface SeedResult {
  seed: number;
  /** Undiscounted return of each episode. */
  returns: number[];
  lengths: number[];
  meanReturn: number;
}

export interface EvaluationResult {
  envId: string;
  episodesPerSeed: number;
  seeds: SeedResult[];
  /** Mean over every episode. */
  meanReturn: number;
  stdReturn: number;
  episodes: number;
}

export interface EvaluateOptions {
  seeds: readonly number[];
  episodes?: number;
  /** Called after every episode. */
  onEpisode?: (done: number, total: number, ret: number) => void;
}

const MAX_EPISODE_STEPS = 10_000_000;

/** Runs the policy on the env for every seed; deterministic for a deterministic policy. */
export async function evaluatePolicy(policy: PolicyFn, envConfig: EnvConfig, options: EvaluateOptions): Promise<EvaluationResult> {
  const episodes = options.episodes ?? 1;
  if (!Number.isInteger(episodes) || episodes < 1) throw new Error(`episodes must be a positive integer (got ${episodes})`);
  if (!options.seeds.length) throw new Error('give at least one seed');
  const env = makeEnv(envConfig);
  const action = new Float32Array(env.actionSpace.shape[0]!);
  const all: number[] = [];
  const seeds: SeedResult[] = [];
  const total = options.seeds.length * episodes;
  try {
    for (const seed of options.seeds) {
      const returns: number[] = [];
      const lengths: number[] = [];
      for (let e = 0; e < episodes; e++) {
        let obs = (e === 0 ? env.reset(seed) : env.reset()).obs;
        let ret = 0;
        let len = 0;
        for (;;) {
          const a = await policy(Float32Array.from(obs));
          if (a.length !== action.length) throw new Error(`the policy gave ${a.length} action values; ${env.id} takes ${action.length}`);
          action.set(a);
          const r = env.step(action);
          ret += r.reward;
          len++;
          obs = r.obs;
          if (r.terminated || r.truncated) break;
          if (len >= MAX_EPISODE_STEPS) throw new Error(`episode did not end within ${MAX_EPISODE_STEPS} steps`);
        }
        returns.push(ret);
        lengths.push(len);
        all.push(ret);
        options.onEpisode?.(all.length, total, ret);
      }
      seeds.push({ seed, returns, lengths, meanReturn: returns.reduce((s, x) => s + x, 0) / returns.length });
    }
  } finally {
    env.close?.();
  }
  const mean = all.reduce((s, x) => s + x, 0) / all.length;
  const std = Math.sqrt(all.reduce((s, x) => s + (x - mean) ** 2, 0) / all.length);
  return { envId: envConfig.id, episodesPerSeed: episodes, seeds, meanReturn: mean, stdReturn: std, episodes: all.length };
}

/**
 * Deterministic evaluation: the actor without noise, one episode per seed, envs stepped side by
 * side with the actor batched over the envs still running.
 */
import type { EnvConfig } from '../../../src-shared/config/envs/index.js';
import type { MetricLine } from '../../../src-shared/types.js';
import { episodeInfoNumbers, type BatchPolicy, type EvalResult } from '../../sim/adapter.js';
import type { Env } from '../../sim/env.js';
import { envAdapter } from '../../sim/registry.js';
import { evalSeeds } from './seeds.js';

export { episodeInfoNumbers, type EvalResult };

/** Deterministic policy: raw observations [n * obsDim] -> actions [n * actDim]. */
export type PolicyFn = BatchPolicy;

/**
 * A run's evaluation: the env's own protocol when its adapter has one (lane: Kendall et al.'s
 * routes), else one episode per held-out evaluation seed on `envs` (simulators built from
 * `config`, stepped side by side). `seeds` replaces the held-out seeds (validation episodes).
 */
export function evaluateRunPolicy(policy: PolicyFn, config: EnvConfig, episodes: number, envs: readonly Env[], seeds?: readonly number[]): EvalResult {
  const protocol = envAdapter(config.id).evaluate;
  if (protocol) return protocol(policy, config, seeds ? { episodes, seeds } : { episodes });
  return evaluatePolicy(policy, envs, seeds ?? evalSeeds(episodes));
}

/** The "eval" metric line of an evaluation at env step `step`. */
export function evalMetricLine(result: EvalResult, step: number): MetricLine {
  const stats: Record<string, number> = {};
  for (const [k, v] of Object.entries(result.episodeStats)) stats[`mean_${k}`] = v;
  return { ...stats, kind: 'eval', step, mean_return: result.mean_return, std_return: result.std_return, episodes: result.episodes };
}

function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { mean, std };
}

/** Runs one episode per seed with `envs.length` envs in parallel. */
export function evaluatePolicy(policy: PolicyFn, envs: readonly Env[], seeds: readonly number[]): EvalResult {
  if (envs.length === 0) throw new Error('evaluatePolicy needs at least one env');
  if (seeds.length === 0) throw new Error('evaluatePolicy needs at least one seed');
  const od = envs[0]!.observationSpace.shape.reduce((a, b) => a * b, 1);
  const ad = envs[0]!.actionSpace.shape.reduce((a, b) => a * b, 1);
  const returns = new Array<number>(seeds.length).fill(0);
  const lengths = new Array<number>(seeds.length).fill(0);
  const statSums: Record<string, number> = {};
  const statCounts: Record<string, number> = {};
  const obsBatch = new Float32Array(envs.length * od);
  const action = new Float32Array(ad);
  for (let start = 0; start < seeds.length; start += envs.length) {
    const wave = seeds.slice(start, start + envs.length);
    const active: number[] = []; // env slots still running
    wave.forEach((seed, i) => {
      const r = envs[i]!.reset(seed);
      obsBatch.set(r.obs.subarray(0, od), i * od);
      active.push(i);
    });
    const packed = new Float32Array(envs.length * od);
    while (active.length) {
      active.forEach((slot, k) => packed.set(obsBatch.subarray(slot * od, (slot + 1) * od), k * od));
      const acts = policy(packed.subarray(0, active.length * od), active.length);
      for (let k = active.length - 1; k >= 0; k--) {
        const slot = active[k]!;
        action.set(acts.subarray(k * ad, (k + 1) * ad));
        const r = envs[slot]!.step(action);
        const ep = start + slot;
        returns[ep]! += r.reward;
        lengths[ep]! += 1;
        if (r.terminated || r.truncated) {
          for (const [key, v] of Object.entries(episodeInfoNumbers(r.info))) {
            statSums[key] = (statSums[key] ?? 0) + v;
            statCounts[key] = (statCounts[key] ?? 0) + 1;
          }
          active.splice(k, 1);
        } else {
          obsBatch.set(r.obs.subarray(0, od), slot * od);
        }
      }
    }
  }
  const { mean, std } = meanStd(returns);
  const episodeStats: Record<string, number> = {};
  for (const k of Object.keys(statSums)) episodeStats[k] = statSums[k]! / statCounts[k]!;
  return { episodes: seeds.length, mean_return: mean, std_return: std, returns, lengths, seeds: [...seeds], episodeStats };
}

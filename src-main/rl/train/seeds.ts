/**
 * Every random stream of a run, derived from its one seed, and the evaluation seeds.
 *
 * Training episodes are seeded from per-env streams and always fall in [0, 2^30) (see
 * VecEnv); evaluation episodes use the fixed seeds 2^30 + k, so the two never overlap and every
 * evaluation of every run sees the same start states.
 */
import { Rng } from '../../core/rng.js';

export const EVAL_SEED_BASE = 0x40000000;

/** The fixed evaluation seeds 2^30 + k, k = 0 .. n-1. */
export function evalSeeds(n: number): number[] {
  return Array.from({ length: n }, (_, k) => EVAL_SEED_BASE + k);
}

/**
 * Validation seeds 2^30 + 2^29 + k for choosing among a run's policies (RunConfig.selectBest):
 * disjoint from the training seeds [0, 2^30) and from the held-out seeds 2^30 + k (k < 2^29), so
 * a selected policy's final evaluation is not scored on the episodes that selected it.
 */
export const VALIDATION_SEED_BASE = EVAL_SEED_BASE + 0x20000000;

export function validationSeeds(n: number): number[] {
  return Array.from({ length: n }, (_, k) => VALIDATION_SEED_BASE + k);
}

export interface RunSeeds {
  /** Network initialization. */
  networks: number;
  /** TD3 target-policy smoothing noise. */
  targetNoise: number;
  /** Replay sampling. */
  replay: number;
  /** Exploration noise. */
  noise: number;
  /** Uniform random actions before learning starts. */
  actions: number;
  /** Per-env episode seed streams. */
  envs: number;
}

export function deriveSeeds(runSeed: number): RunSeeds {
  const master = new Rng(runSeed);
  return {
    networks: master.nextU32(),
    targetNoise: master.nextU32(),
    replay: master.nextU32(),
    noise: master.nextU32(),
    actions: master.nextU32(),
    envs: master.nextU32(),
  };
}

/** A new seed for a stream after the n-th divergence roll-back (so the run takes another path). */
export function reseedAfterRollback(seed: number, rollbacks: number): number {
  return (seed ^ Math.imul(rollbacks, 0x9e3779b1)) >>> 0;
}

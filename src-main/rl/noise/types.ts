/**
 * Exploration noise, behind one interface for every kind (Gaussian, Ornstein-Uhlenbeck,
 * parameter-space, none). Values are in normalized action units: the learner adds them to the
 * actor's output and clips to [-1, 1].
 */
import type { Snapshot } from '../../core/snapshot.js';

export interface ExplorationNoise {
  readonly type: 'gaussian' | 'ou' | 'param' | 'none' | 'scripted';
  /**
   * Called once per vector step, before `sample`, with the observations [numEnvs * obsDim] and
   * the actor's noise-free actions for them [numEnvs * actDim]. Parameter noise runs its
   * perturbed actor here; action-space noises ignore it.
   */
  prepare(obs: Float32Array, cleanActions: Float32Array): void;
  /** Writes this step's noise for env `envIndex` into `out` (length actDim). */
  sample(envIndex: number, out: Float32Array): void;
  /** A new episode starts in env `envIndex`. */
  reset(envIndex: number): void;
  snapshot(): Snapshot;
  restore(snap: Snapshot): void;
  /** Frees tensors, if any. */
  dispose(): void;
}

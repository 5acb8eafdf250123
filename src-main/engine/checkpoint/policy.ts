/**
 * Reading a trained deterministic policy (the actor) out of a run's checkpoints, for `eval` and
 * for export: "best" (the best evaluation so far), "last" (the newest full checkpoint) or a step.
 */
import { join } from 'node:path';
import type { MlpSpec } from '../../ml/mlp.js';
import { requireArray, type Snapshot } from './snapshot.js';
import { CheckpointStore, type CheckpointChoice, type CheckpointRef } from './store.js';

/** What every checkpoint's metadata carries about the actor. */
export interface PolicyMeta {
  actorSpec: MlpSpec;
  envId: string;
}

export interface LoadedPolicy {
  spec: MlpSpec;
  /** Actor weights [W0, b0, W1, b1, ...] (W_i is [in, out], row-major). */
  weights: Float32Array[];
  step: number;
  source: CheckpointRef;
  envId: string;
  /** Evaluation mean return recorded with a best snapshot. */
  meanReturn?: number;
}

/** Array-name prefix of the actor in full checkpoints and in policy snapshots. */
export const ACTOR_PREFIX = { full: 'learner.actor', policy: 'actor' } as const;

/** A policy snapshot's content: the actor's weights. */
export function policySnapshot(weights: readonly Float32Array[]): Snapshot {
  const arrays: Record<string, Float32Array> = {};
  weights.forEach((w, i) => (arrays[`${ACTOR_PREFIX.policy}.${i}`] = w));
  return { json: {}, arrays };
}

export function loadPolicy(runDir: string, choice: CheckpointChoice): LoadedPolicy {
  const store = new CheckpointStore(join(runDir, 'checkpoints'));
  const ref = store.resolve(choice);
  const archive = store.read(ref);
  const meta = archive.meta as unknown as PolicyMeta & { meanReturn?: number };
  if (!meta.actorSpec) throw new Error(`${ref.dir} has no actor description`);
  const spec = meta.actorSpec;
  const dims = [spec.inputDim, ...spec.hidden, spec.outputDim];
  const prefix = ACTOR_PREFIX[archive.kind];
  const weights: Float32Array[] = [];
  for (let i = 0; i + 1 < dims.length; i++) {
    weights.push(requireArray(archive.snapshot.arrays, `${prefix}.${2 * i}`, Float32Array, dims[i]! * dims[i + 1]!));
    weights.push(requireArray(archive.snapshot.arrays, `${prefix}.${2 * i + 1}`, Float32Array, dims[i + 1]!));
  }
  return { spec, weights, step: archive.step, source: ref, envId: meta.envId, ...(meta.meanReturn === undefined ? {} : { meanReturn: meta.meanReturn }) };
}

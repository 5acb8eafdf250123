/**
 * Reading a trained deterministic policy (the actor) out of a run's checkpoints, for `eval` and
 * for export: "best" (the best evaluation so far), "last" (the newest full checkpoint) or a step.
 */
import { join } from 'node:path';
import type { ConvEncoderSpec } from '../../ml/conv-encoder.js';
import type { MlpSpec } from '../../ml/mlp.js';
import { requireArray, type Snapshot } from '../../core/snapshot.js';
import { PolicyHead } from '../../../src-shared/policy-head.js';
import { CheckpointStore, type CheckpointChoice, type CheckpointRef } from './store.js';

/** What every checkpoint's metadata carries about the actor. */
export interface PolicyMeta {
  actorSpec: MlpSpec;
  envId: string;
  /**
   * Image observations: the conv encoder in front of the actor (the actor reads [latent, extra]).
   * Its weights are in the checkpoint: "encoder.i" in policy snapshots; "learner.encoder.i"
   * (trained with the critics) or "frozenEncoder.i" (a frozen VAE encoder) in full checkpoints.
   */
  encoder?: PolicyEncoderMeta;
  /** How the actor's output becomes the action (discrete actions); absent: it is the action. */
  head?: PolicyHead;
}

export interface PolicyEncoderMeta {
  spec: ConvEncoderSpec;
  extraDim: number;
  /** How it was trained: "frozen" (the VAE's), "finetune" or "scratch" (by the critic loss). */
  mode: string;
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
  /** The conv encoder in front of the actor, for image observations. */
  encoder?: PolicyEncoderMeta & { weights: Float32Array[] };
  /** See PolicyMeta.head. */
  head?: PolicyHead;
}

/** Array-name prefix of the actor in full checkpoints and in policy snapshots. */
export const ACTOR_PREFIX = { full: 'learner.actor', policy: 'actor' } as const;

/** Array-name prefixes of the encoder weights (see PolicyMeta.encoder). */
export const ENCODER_PREFIX = { full: ['learner.encoder', 'frozenEncoder'], policy: ['encoder'] } as const;

/** A policy snapshot's content: the actor's weights (and the encoder's, for image observations). */
export function policySnapshot(weights: readonly Float32Array[], encoderWeights?: readonly Float32Array[]): Snapshot {
  const arrays: Record<string, Float32Array> = {};
  weights.forEach((w, i) => (arrays[`${ACTOR_PREFIX.policy}.${i}`] = w));
  encoderWeights?.forEach((w, i) => (arrays[`${ENCODER_PREFIX.policy[0]}.${i}`] = w));
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
  let encoder: LoadedPolicy['encoder'];
  if (meta.encoder) {
    const count = 2 * meta.encoder.spec.filters.length + 2;
    const prefix = ENCODER_PREFIX[archive.kind].find((p) => `${p}.0` in archive.snapshot.arrays);
    if (!prefix) throw new Error(`${ref.dir} describes an image encoder but holds no encoder weights`);
    const ew: Float32Array[] = [];
    for (let i = 0; i < count; i++) ew.push(requireArray(archive.snapshot.arrays, `${prefix}.${i}`, Float32Array));
    encoder = { ...meta.encoder, weights: ew };
  }
  return {
    spec,
    weights,
    step: archive.step,
    source: ref,
    envId: meta.envId,
    ...(meta.meanReturn === undefined ? {} : { meanReturn: meta.meanReturn }),
    ...(encoder ? { encoder } : {}),
    ...(meta.head ? { head: PolicyHead.parse(meta.head) } : {}),
  };
}

/**
 * Prioritized experience replay (Schaul et al. 2016, proportional variant) on the uniform
 * buffer's storage and n-step returns (./replay-buffer.ts): every transition slot has a leaf
 * p_i^alpha in a sum tree (observation-only slots have 0 and are never drawn).
 *
 *   sampling:  the total mass is cut into batchSize equal strata, one uniform draw in each
 *              (stratified, as in the paper), P(i) = p_i^alpha / sum_k p_k^alpha;
 *   weights:   w_i = (N P(i))^-beta / max_k w_k, max_k w_k from the smallest priority held,
 *              beta = beta0 + (1 - beta0) * min(1, transitions added / annealSteps);
 *   priorities: a new transition gets the largest priority seen so far; updatePriorities sets
 *              p_i = |error_i| + eps from the learner's per-sample errors.
 * The tree, the largest priority and the count of added transitions are in the snapshot, so a
 * resumed run samples exactly as the uninterrupted one.
 */
import { requireArray, type Snapshot } from '../../core/snapshot.js';
import { ReplayBuffer, type ReplayBatch, type ReplayBufferOptions } from './replay-buffer.js';
import { SumTree } from './sum-tree.js';

export interface PrioritizedOptions extends ReplayBufferOptions {
  alpha: number;
  beta0: number;
  eps: number;
  /** Transitions over which beta reaches 1 (the run's env steps). */
  annealSteps: number;
}

/** The uniform buffer's snapshot fields plus the priorities' own. */
type PrioritizedJson = ReturnType<ReplayBuffer['snapshot']>['json'] & { kind: 'prioritized'; maxPriority: number; added: number };

export class PrioritizedReplayBuffer extends ReplayBuffer {
  readonly alpha: number;
  readonly beta0: number;
  readonly eps: number;
  readonly annealSteps: number;
  readonly tree: SumTree;
  /** Largest p_i = |error| + eps seen (new transitions get it). */
  private maxPriority = 1;
  /** Transitions added since the start of the run (anneals beta). */
  private added = 0;

  constructor(opts: PrioritizedOptions) {
    super(opts);
    if (!(opts.alpha >= 0 && opts.alpha <= 1)) throw new Error('prioritized replay: alpha must be in [0, 1]');
    if (!(opts.beta0 >= 0 && opts.beta0 <= 1)) throw new Error('prioritized replay: beta0 must be in [0, 1]');
    if (!(opts.eps > 0)) throw new Error('prioritized replay: eps must be > 0');
    this.alpha = opts.alpha;
    this.beta0 = opts.beta0;
    this.eps = opts.eps;
    this.annealSteps = Math.max(1, opts.annealSteps);
    this.tree = new SumTree(this.slots);
  }

  /** The importance-sampling exponent now. */
  get beta(): number {
    return this.beta0 + (1 - this.beta0) * Math.min(1, this.added / this.annealSteps);
  }

  protected override onWrite(s: number, transition: boolean): void {
    if (transition) this.added++;
    this.tree.set(s, transition ? Math.pow(this.maxPriority, this.alpha) : 0);
  }

  /** Stratified proportional sampling with importance weights; the batch carries indices and weights. */
  override sample(batchSize: number): ReplayBatch {
    if (this.size === 0) throw new Error('cannot sample from an empty replay buffer');
    const batch = this.batchFor(batchSize);
    if (!batch.indices) batch.indices = new Int32Array(batchSize);
    if (!batch.weights) batch.weights = new Float32Array(batchSize);
    const total = this.tree.total;
    const segment = total / batchSize;
    const beta = this.beta;
    const n = this.size;
    // max_k w_k = (N P_min)^-beta, from the smallest leaf held.
    const maxWeight = Math.pow((n * this.tree.min) / total, -beta);
    for (let b = 0; b < batchSize; b++) {
      const s = this.tree.find(segment * b + this.rng.next() * segment);
      this.fillRow(batch, b, s);
      batch.indices[b] = s;
      batch.weights[b] = Math.pow((n * this.tree.get(s)) / total, -beta) / maxWeight;
    }
    return batch;
  }

  /** p_i = |error_i| + eps for the slots of the last batch (slots overwritten since are skipped). */
  updatePriorities(indices: Int32Array, priorities: Float32Array): void {
    if (indices.length !== priorities.length) throw new Error('updatePriorities: indices and priorities differ in length');
    for (let k = 0; k < indices.length; k++) {
      const s = indices[k]!;
      if (!this.isTransition[s]) continue;
      const e = Math.abs(priorities[k]!);
      const p = (Number.isFinite(e) ? e : 0) + this.eps;
      if (p > this.maxPriority) this.maxPriority = p;
      this.tree.set(s, Math.pow(p, this.alpha));
    }
  }

  override snapshot(): Snapshot<PrioritizedJson> {
    const base = super.snapshot();
    return {
      json: { ...base.json, kind: 'prioritized', maxPriority: this.maxPriority, added: this.added },
      arrays: { ...base.arrays, priorities: this.tree.leaves() },
    };
  }

  override restore(snap: Snapshot<unknown>): void {
    const j = snap.json as Partial<PrioritizedJson>;
    if (j.kind !== 'prioritized') throw new Error('the checkpoint holds a replay buffer without priorities; this run uses prioritized replay');
    super.restore(snap);
    this.tree.setLeaves(requireArray(snap.arrays, 'priorities', Float64Array, this.slots));
    this.maxPriority = j.maxPriority!;
    this.added = j.added!;
  }
}

/**
 * What the on-policy loop has collected since the last update, per env: observations, sampled
 * actions, their log-probabilities, V(s), rewards, how each step ended and, for truncated steps,
 * V(final obs). It is part of every checkpoint (a run may stop mid-rollout), and it turns its
 * complete part into a RolloutBatch with GAE advantages (rl/algorithms/on-policy/gae.ts).
 */
import { requireArray, type Snapshot, type SnapshotArray } from '../../core/snapshot.js';
import type { OnPolicyRollout, RolloutBatch } from '../algorithms/on-policy-learner.js';
import { gae, STEP_CONTINUES } from '../algorithms/on-policy/gae.js';

class Trajectory {
  len = 0;
  /** Episodes that ended in [0, len). */
  ended = 0;
  /** Index after the last step that ended an episode. */
  lastEnd = 0;
  private cap = 0;
  obs = new Float32Array(0);
  act = new Float32Array(0);
  logp = new Float32Array(0);
  value = new Float32Array(0);
  reward = new Float32Array(0);
  end = new Uint8Array(0);
  boot = new Float32Array(0);

  constructor(
    private readonly od: number,
    private readonly ad: number,
  ) {}

  private grow(need: number): void {
    if (need <= this.cap) return;
    const cap = Math.max(need, this.cap * 2, 64);
    const g = <T extends Float32Array | Uint8Array>(a: T, w: number): T => {
      const b = new (a.constructor as new (n: number) => T)(cap * w);
      b.set(a.subarray(0, this.len * w));
      return b;
    };
    this.obs = g(this.obs, this.od);
    this.act = g(this.act, this.ad);
    this.logp = g(this.logp, 1);
    this.value = g(this.value, 1);
    this.reward = g(this.reward, 1);
    this.end = g(this.end, 1);
    this.boot = g(this.boot, 1);
    this.cap = cap;
  }

  push(obs: Float32Array, act: Float32Array, logp: number, value: number, reward: number, end: number, boot: number): void {
    this.grow(this.len + 1);
    const t = this.len++;
    this.obs.set(obs, t * this.od);
    this.act.set(act, t * this.ad);
    this.logp[t] = logp;
    this.value[t] = value;
    this.reward[t] = reward;
    this.end[t] = end;
    this.boot[t] = boot;
    if (end !== STEP_CONTINUES) {
      this.ended++;
      this.lastEnd = this.len;
    }
  }

  /** Drops steps [0, k) (k = len or lastEnd). */
  dropPrefix(k: number): void {
    const rest = this.len - k;
    this.obs.copyWithin(0, k * this.od, this.len * this.od);
    this.act.copyWithin(0, k * this.ad, this.len * this.ad);
    for (const a of [this.logp, this.value, this.reward, this.end, this.boot]) a.copyWithin(0, k, this.len);
    this.len = rest;
    this.ended = 0;
    this.lastEnd = 0;
    for (let t = 0; t < rest; t++) {
      if (this.end[t] === STEP_CONTINUES) continue;
      this.ended++;
      this.lastEnd = t + 1;
    }
  }

  snapshot(): Record<string, SnapshotArray> {
    const n = this.len;
    return {
      obs: this.obs.slice(0, n * this.od),
      act: this.act.slice(0, n * this.ad),
      logp: this.logp.slice(0, n),
      value: this.value.slice(0, n),
      reward: this.reward.slice(0, n),
      end: this.end.slice(0, n),
      boot: this.boot.slice(0, n),
    };
  }

  restore(len: number, a: Record<string, SnapshotArray>): void {
    this.len = 0;
    this.grow(len);
    this.obs.set(requireArray(a, 'obs', Float32Array, len * this.od));
    this.act.set(requireArray(a, 'act', Float32Array, len * this.ad));
    this.logp.set(requireArray(a, 'logp', Float32Array, len));
    this.value.set(requireArray(a, 'value', Float32Array, len));
    this.reward.set(requireArray(a, 'reward', Float32Array, len));
    this.end.set(requireArray(a, 'end', Uint8Array, len));
    this.boot.set(requireArray(a, 'boot', Float32Array, len));
    this.len = len;
    this.dropPrefix(0);
  }
}

export class RolloutStore {
  private readonly envs: Trajectory[];

  constructor(
    numEnvs: number,
    private readonly obsDim: number,
    private readonly actDim: number,
    private readonly rollout: OnPolicyRollout,
  ) {
    this.envs = Array.from({ length: numEnvs }, () => new Trajectory(obsDim, actDim));
  }

  /** Records env e's step. `end`: STEP_CONTINUES / STEP_TERMINATED / STEP_TRUNCATED; `boot`: V(final obs) when truncated. */
  push(e: number, obs: Float32Array, act: Float32Array, logp: number, value: number, reward: number, end: number, boot: number): void {
    this.envs[e]!.push(obs, act, logp, value, reward, end, boot);
  }

  /** Whether the schedule's rollout is complete. */
  complete(): boolean {
    const s = this.rollout.schedule;
    if (s.mode === 'steps') return this.envs[0]!.len >= s.nSteps;
    let ended = 0;
    for (const t of this.envs) ended += t.ended;
    return ended >= s.episodes;
  }

  /**
   * The complete part as one batch with advantages and returns, then dropped from the store:
   * every step (mode "steps": `lastValues` [numEnvs] = V of each env's current observation), or
   * every finished episode (mode "episodes"; an episode in progress stays for the next batch).
   */
  takeBatch(lastValues: Float32Array | undefined): RolloutBatch {
    const steps = this.rollout.schedule.mode === 'steps';
    const lengths = this.envs.map((t) => (steps ? t.len : t.lastEnd));
    const size = lengths.reduce((a, b) => a + b, 0);
    const od = this.obsDim;
    const ad = this.actDim;
    const b: RolloutBatch = {
      size,
      obs: new Float32Array(size * od),
      actions: new Float32Array(size * ad),
      logProbs: new Float32Array(size),
      values: new Float32Array(size),
      advantages: new Float32Array(size),
      returns: new Float32Array(size),
    };
    let off = 0;
    this.envs.forEach((t, e) => {
      const len = lengths[e]!;
      b.obs.set(t.obs.subarray(0, len * od), off * od);
      b.actions.set(t.act.subarray(0, len * ad), off * ad);
      b.logProbs.set(t.logp.subarray(0, len), off);
      b.values.set(t.value.subarray(0, len), off);
      const { gamma, gaeLambda: lambda } = this.rollout;
      gae(
        { rewards: t.reward, values: t.value, ends: t.end, bootValues: t.boot, lastValue: lastValues?.[e] ?? 0, gamma, lambda },
        len,
        b.advantages,
        b.returns,
        off,
      );
      t.dropPrefix(len);
      off += len;
    });
    return b;
  }

  snapshot(): Snapshot<{ lengths: number[] }> {
    const arrays: Record<string, SnapshotArray> = {};
    this.envs.forEach((t, e) => {
      for (const [k, a] of Object.entries(t.snapshot())) arrays[`${e}.${k}`] = a;
    });
    return { json: { lengths: this.envs.map((t) => t.len) }, arrays };
  }

  restore(snap: Snapshot): void {
    const { lengths } = snap.json as { lengths: number[] };
    if (lengths.length !== this.envs.length) throw new Error(`rollout: the checkpoint has ${lengths.length} envs, the run ${this.envs.length}`);
    this.envs.forEach((t, e) => {
      const a: Record<string, SnapshotArray> = {};
      for (const k of ['obs', 'act', 'logp', 'value', 'reward', 'end', 'boot']) if (`${e}.${k}` in snap.arrays) a[k] = snap.arrays[`${e}.${k}`]!;
      t.restore(lengths[e]!, a);
    });
  }
}

/**
 * Experience replay: a ring of preallocated typed arrays, sampled uniformly (with replacement,
 * as Stable-Baselines3 does) from a seeded Rng, returning a typed batch that is reused.
 *
 * Each observation is stored once. A slot holds (obs, action, reward, terminated, truncated)
 * and the index of the slot that holds its next observation:
 *   - within an episode, the next observation is the obs of the same env's next transition;
 *     until that transition arrives it waits in a per-env staging row;
 *   - at an episode end (terminated or truncated) the final observation, which no later
 *     transition starts from, goes into an extra "observation-only" slot that is never sampled.
 * Slots are overwritten oldest first, and a slot's next-observation slot is always newer than
 * it, so a stored transition never points at an overwritten observation.
 *
 * `terminated` and `truncated` are kept apart: the TD target bootstraps through truncation
 * (time limits) and only stops at true terminal states.
 *
 * Camera observations (`imageDim` > 0): the first imageDim values of every observation are
 * pixels of the form byte / 255 (an env's imageLayout) and are stored as one byte each (4x less
 * memory, exact: sampling gives back the same float32 values); the rest stay float32.
 * addPixels takes such observations with their pixels already bytes (PixelRows, as a Redis
 * actor's batch arrives) and stores the same thing without the round trip through float32.
 */
import { Rng } from '../../core/rng.js';
import { requireArray, rngFromJson, rngToJson, type RngJson, type Snapshot } from '../../core/snapshot.js';
import { BYTE_TO_UNIT } from '../../../src-shared/util/pixels.js';

/** A sampled minibatch; its arrays are owned by the buffer and overwritten by the next sample. */
export interface ReplayBatch {
  size: number;
  obsDim: number;
  actDim: number;
  /** [size * obsDim] */
  obs: Float32Array;
  /** [size * actDim], in [-1, 1] */
  actions: Float32Array;
  /** [size] */
  rewards: Float32Array;
  /** [size * obsDim] */
  nextObs: Float32Array;
  /** [size] 1 where the episode truly ended (no bootstrapping), else 0. */
  terminated: Float32Array;
  /** [size] 1 where the episode was cut by a limit (the target still bootstraps), else 0. */
  truncated: Float32Array;
  /**
   * [size] Rewards summed into `rewards` (n-step returns: r_t + gamma r_t+1 + ... over k steps,
   * cut at the episode's end); the target then discounts by gamma^k. Absent: 1 step each.
   */
  steps?: Float32Array;
  /** [size] Slots the samples came from (prioritized replay: where their new priorities go). */
  indices?: Int32Array;
  /** [size] Importance-sampling weights (prioritized replay); absent = all 1. */
  weights?: Float32Array;
}

/** What the training loop needs of a replay buffer (uniform: ReplayBuffer; HER: HerReplayBuffer). */
export interface Replay {
  /** Transitions that can be sampled now. */
  readonly size: number;
  /** Bytes held by the preallocated arrays. */
  readonly byteLength: number;
  /** Stores one transition of env `env` (arrays are copied). */
  add(env: number, obs: Float32Array, action: Float32Array, reward: number, nextObs: Float32Array, terminated: boolean, truncated: boolean): void;
  /** A minibatch of `batchSize` transitions; the batch object is reused by the next call. */
  sample(batchSize: number): ReplayBatch;
  /** Reseeds the sampling Rng (after a divergence roll-back). */
  reseed(seed: number): void;
  /**
   * New priorities of the samples of the last batch (prioritized replay), from the learner's
   * per-sample errors; absent on buffers that sample uniformly.
   */
  updatePriorities?(indices: Int32Array, priorities: Float32Array): void;
  snapshot(): Snapshot<unknown>;
  restore(snap: Snapshot<unknown>): void;
}

/**
 * Observation rows whose camera pixels are kept as bytes (the value is byte / 255): row r is
 * imageDim bytes of `pixels` from r * imageDim, then obsDim - imageDim values of `vec` from
 * r * (obsDim - imageDim). How a camera batch arrives from a Redis actor, and how the buffer
 * stores observations.
 */
export interface PixelRows {
  pixels: Uint8Array;
  vec: Float32Array;
}

export interface ReplayBufferOptions {
  /** Transitions to keep (the oldest are overwritten first). */
  capacity: number;
  obsDim: number;
  actDim: number;
  /** Envs that add transitions (each has its own staging row). */
  numEnvs: number;
  /** Seed of the sampling Rng. */
  seed: number;
  /**
   * Extra slots reserved for episode-final observations, as a fraction of `capacity`
   * (default 1/16: no loss of capacity while episodes last 16 steps or more).
   */
  finalObsReserve?: number;
  /** Leading observation values stored as bytes (pixels = byte / 255); default 0. */
  imageDim?: number;
  /**
   * n-step returns (D4PG, Rainbow): a sample sums up to `nStep` discounted rewards of its env's
   * following transitions (stopping at the episode's end) and `nextObs` is the observation after
   * the last of them; batch.steps says how many. Default 1 (one-step TD).
   */
  nStep?: number;
  /** Discount used to sum n-step rewards (required when nStep > 1). */
  gamma?: number;
}

/** out[offset...] = the k pixels img[from...] as byte / 255, then the vector values `vec`. */
function unpackRow(img: Uint8Array, from: number, k: number, vec: Float32Array, out: Float32Array, offset: number): void {
  for (let i = 0; i < k; i++) out[offset + i] = BYTE_TO_UNIT[img[from + i]!]!;
  out.set(vec, offset + k);
}

/** Where a slot's next observation lives: >= 0 a slot index, < 0 the staging row of env -1 - ref. */
const NO_NEXT = -0x7fffffff;

interface ReplayJson {
  slots: number;
  obsDim: number;
  actDim: number;
  numEnvs: number;
  pos: number;
  size: number;
  transitions: number;
  pending: number[];
  rng: RngJson;
  /** Present (and > 0) when leading observation values are stored as bytes. */
  imageDim?: number;
}

export class ReplayBuffer implements Replay {
  readonly slots: number;
  readonly obsDim: number;
  readonly actDim: number;
  readonly numEnvs: number;
  /** Leading observation values stored as bytes. */
  readonly imageDim: number;
  /** Float32 values per observation (obsDim - imageDim). */
  private readonly vecDim: number;
  private readonly obsBuf: Float32Array;
  private readonly imgBuf: Uint8Array;
  private readonly actBuf: Float32Array;
  private readonly rewBuf: Float32Array;
  private readonly termBuf: Uint8Array;
  private readonly truncBuf: Uint8Array;
  /** 1 for a sampleable transition, 0 for an observation-only slot. */
  protected readonly isTransition: Uint8Array;
  private readonly nextRef: Int32Array;
  /** Per env: next observation of its newest transition, until the env's next transition arrives. */
  private readonly staging: Float32Array;
  /** Per env: slot of its newest transition still pointing at staging, or -1. */
  private readonly pending: Int32Array;
  /**
   * Per env: 1 when its staged observation's pixels are in stagingImg (it came through
   * addPixels) rather than in `staging`; its vector values are in `staging` either way.
   */
  private readonly stagedAsBytes: Uint8Array;
  private readonly stagingImg: Uint8Array;
  protected readonly rng: Rng;
  private pos = 0;
  protected filled = 0;
  /** Transitions (not observation-only slots) currently held. */
  private transitions = 0;
  private readonly batchCache = new Map<number, ReplayBatch>();
  /** Rewards summed per sample (1 = one-step TD). */
  readonly nStep: number;
  private readonly gamma: number;

  constructor(opts: ReplayBufferOptions) {
    const { capacity, obsDim, actDim, numEnvs } = opts;
    if (!(capacity >= 1)) throw new Error('replay capacity must be >= 1');
    this.nStep = opts.nStep ?? 1;
    if (!Number.isInteger(this.nStep) || this.nStep < 1) throw new Error('replay nStep must be an integer >= 1');
    if (this.nStep > 1 && !(opts.gamma !== undefined && opts.gamma >= 0 && opts.gamma <= 1)) throw new Error('replay nStep > 1 needs gamma in [0, 1]');
    this.gamma = opts.gamma ?? 1;
    const reserve = Math.ceil(capacity * (opts.finalObsReserve ?? 1 / 16));
    // Room for every env's newest transition plus its final observation, whatever the capacity.
    this.slots = Math.max(capacity + reserve, 2 * numEnvs + 2);
    this.obsDim = obsDim;
    this.actDim = actDim;
    this.numEnvs = numEnvs;
    this.imageDim = opts.imageDim ?? 0;
    if (!Number.isInteger(this.imageDim) || this.imageDim < 0 || this.imageDim > obsDim) throw new Error(`replay imageDim must be 0..${obsDim}`);
    this.vecDim = obsDim - this.imageDim;
    this.obsBuf = new Float32Array(this.slots * this.vecDim);
    this.imgBuf = new Uint8Array(this.slots * this.imageDim);
    this.actBuf = new Float32Array(this.slots * actDim);
    this.rewBuf = new Float32Array(this.slots);
    this.termBuf = new Uint8Array(this.slots);
    this.truncBuf = new Uint8Array(this.slots);
    this.isTransition = new Uint8Array(this.slots);
    this.nextRef = new Int32Array(this.slots).fill(NO_NEXT);
    this.staging = new Float32Array(numEnvs * obsDim);
    this.pending = new Int32Array(numEnvs).fill(-1);
    this.stagedAsBytes = new Uint8Array(numEnvs);
    this.stagingImg = new Uint8Array(numEnvs * this.imageDim);
    this.rng = new Rng(opts.seed);
  }

  /** Sampleable transitions held. */
  get size(): number {
    return this.transitions;
  }

  /** Slots in use (transitions plus final observations). */
  get slotsUsed(): number {
    return this.filled;
  }

  /**
   * Stores one transition of env `env`. `obs` must be the observation the env was in (for an
   * env whose previous transition did not end its episode, it equals that transition's
   * `nextObs`; if it does not, the old next observation is kept in its own slot).
   */
  add(env: number, obs: Float32Array, action: Float32Array, reward: number, nextObs: Float32Array, terminated: boolean, truncated: boolean): void {
    const od = this.obsDim;
    const prev = this.pending[env]!;
    let s: number;
    if (prev >= 0) {
      this.pending[env] = -1;
      if (this.sameAsStaging(env, obs)) {
        // The previous transition's next obs is this transition's obs: point it at this slot.
        s = this.writeTransition(obs, action, reward, terminated, truncated);
        this.nextRef[prev] = s;
      } else {
        // The caller broke the chain: keep the staged next obs in an observation-only slot.
        this.nextRef[prev] = this.writeStagedObsOnly(env);
        s = this.writeTransition(obs, action, reward, terminated, truncated);
      }
    } else {
      s = this.writeTransition(obs, action, reward, terminated, truncated);
    }
    if (terminated || truncated) {
      this.nextRef[s] = this.writeObsOnly(nextObs);
    } else {
      this.staging.set(nextObs.subarray(0, od), env * od);
      this.stagedAsBytes[env] = 0;
      this.nextRef[s] = -1 - env;
      this.pending[env] = s;
    }
  }

  /**
   * add() for observations whose pixels are bytes: row `obsRow` of `obs` and row `nextRow` of
   * `nextObs` (PixelRows). The same slots, links and samples as add() with the float32 rows
   * byte / 255, without the round trip through float32. Needs imageDim > 0.
   */
  addPixels(
    env: number,
    obs: PixelRows,
    obsRow: number,
    action: Float32Array,
    reward: number,
    nextObs: PixelRows,
    nextRow: number,
    terminated: boolean,
    truncated: boolean,
  ): void {
    const k = this.imageDim;
    const vd = this.vecDim;
    const fits = (r: PixelRows, row: number) => row >= 0 && (row + 1) * k <= r.pixels.length && (row + 1) * vd <= r.vec.length;
    if (k === 0 || !fits(obs, obsRow) || !fits(nextObs, nextRow)) {
      throw new Error(`replay addPixels needs rows of ${k} pixel bytes and ${vd} vector values`);
    }
    const prev = this.pending[env]!;
    if (prev >= 0) {
      this.pending[env] = -1;
      if (!this.pixelsSameAsStaging(env, obs, obsRow)) this.nextRef[prev] = this.writeStagedObsOnly(env);
    }
    const s = this.claim();
    this.writePixelObs(s, obs, obsRow);
    if (prev >= 0 && this.nextRef[prev] === -1 - env) this.nextRef[prev] = s;
    this.finishTransition(s, action, reward, terminated, truncated);
    if (terminated || truncated) {
      const f = this.claim();
      this.writePixelObs(f, nextObs, nextRow);
      this.finishObsOnly(f);
      this.nextRef[s] = f;
    } else {
      this.stagingImg.set(nextObs.pixels.subarray(nextRow * k, (nextRow + 1) * k), env * k);
      this.staging.set(nextObs.vec.subarray(nextRow * vd, (nextRow + 1) * vd), env * this.obsDim + k);
      this.stagedAsBytes[env] = 1;
      this.nextRef[s] = -1 - env;
      this.pending[env] = s;
    }
  }

  private sameAsStaging(env: number, obs: Float32Array): boolean {
    const od = this.obsDim;
    const base = env * od;
    let i = 0;
    if (this.stagedAsBytes[env]) {
      const k = this.imageDim;
      const img = this.stagingImg;
      for (; i < k; i++) if (!Object.is(BYTE_TO_UNIT[img[env * k + i]!], obs[i])) return false;
    }
    for (; i < od; i++) if (!Object.is(this.staging[base + i], obs[i])) return false;
    return true;
  }

  private pixelsSameAsStaging(env: number, obs: PixelRows, row: number): boolean {
    const k = this.imageDim;
    const vd = this.vecDim;
    const base = env * this.obsDim;
    const px = obs.pixels;
    const p = row * k;
    if (this.stagedAsBytes[env]) {
      const img = this.stagingImg;
      for (let i = 0; i < k; i++) if (img[env * k + i] !== px[p + i]) return false;
    } else {
      for (let i = 0; i < k; i++) if (!Object.is(this.staging[base + i], BYTE_TO_UNIT[px[p + i]!])) return false;
    }
    for (let i = 0; i < vd; i++) if (!Object.is(this.staging[base + k + i], obs.vec[row * vd + i])) return false;
    return true;
  }

  /** The staged next observation of env `env` into an observation-only slot; returns the slot. */
  private writeStagedObsOnly(env: number): number {
    const od = this.obsDim;
    if (!this.stagedAsBytes[env]) return this.writeObsOnly(this.staging.subarray(env * od, (env + 1) * od));
    const k = this.imageDim;
    const s = this.claim();
    this.imgBuf.set(this.stagingImg.subarray(env * k, (env + 1) * k), s * k);
    this.obsBuf.set(this.staging.subarray(env * od + k, (env + 1) * od), s * this.vecDim);
    this.finishObsOnly(s);
    return s;
  }

  /** Copies env `env`'s staged observation into out[offset...]. */
  private readStaged(env: number, out: Float32Array, offset: number): void {
    const od = this.obsDim;
    if (!this.stagedAsBytes[env]) {
      out.set(this.staging.subarray(env * od, (env + 1) * od), offset);
      return;
    }
    const k = this.imageDim;
    unpackRow(this.stagingImg, env * k, k, this.staging.subarray(env * od + k, (env + 1) * od), out, offset);
  }

  /** The staging rows as float32 values, whichever way each was staged (checkpoints keep this form). */
  private stagingAsFloats(): Float32Array {
    const out = this.staging.slice();
    for (let e = 0; e < this.numEnvs; e++) if (this.stagedAsBytes[e]) this.readStaged(e, out, e * this.obsDim);
    return out;
  }

  private claim(): number {
    const s = this.pos;
    if (this.isTransition[s]) this.transitions--;
    for (let e = 0; e < this.numEnvs; e++) {
      if (this.pending[e] === s) throw new Error('replay buffer overwrote a pending transition (capacity too small)');
    }
    this.pos = (s + 1) % this.slots;
    if (this.filled < this.slots) this.filled++;
    return s;
  }

  /** Stores an observation in slot s (bytes for the image part). */
  private writeObs(s: number, obs: Float32Array): void {
    const k = this.imageDim;
    if (k === 0) {
      this.obsBuf.set(obs.subarray(0, this.obsDim), s * this.obsDim);
      return;
    }
    const img = this.imgBuf;
    const base = s * k;
    for (let i = 0; i < k; i++) img[base + i] = Math.round(obs[i]! * 255);
    this.obsBuf.set(obs.subarray(k, this.obsDim), s * this.vecDim);
  }

  /** Copies the observation of slot s into out[offset...]. */
  private readObs(s: number, out: Float32Array, offset: number): void {
    const k = this.imageDim;
    if (k === 0) {
      out.set(this.obsBuf.subarray(s * this.obsDim, (s + 1) * this.obsDim), offset);
      return;
    }
    unpackRow(this.imgBuf, s * k, k, this.obsBuf.subarray(s * this.vecDim, (s + 1) * this.vecDim), out, offset);
  }

  /** Stores row `row` of `obs` in slot s. */
  private writePixelObs(s: number, obs: PixelRows, row: number): void {
    const k = this.imageDim;
    const vd = this.vecDim;
    this.imgBuf.set(obs.pixels.subarray(row * k, (row + 1) * k), s * k);
    this.obsBuf.set(obs.vec.subarray(row * vd, (row + 1) * vd), s * vd);
  }

  private writeTransition(obs: Float32Array, action: Float32Array, reward: number, terminated: boolean, truncated: boolean): number {
    const s = this.claim();
    this.writeObs(s, obs);
    this.finishTransition(s, action, reward, terminated, truncated);
    return s;
  }

  /** Everything of transition slot s but its observation. */
  private finishTransition(s: number, action: Float32Array, reward: number, terminated: boolean, truncated: boolean): void {
    const ad = this.actDim;
    this.actBuf.set(action.subarray(0, ad), s * ad);
    this.rewBuf[s] = reward;
    this.termBuf[s] = terminated ? 1 : 0;
    this.truncBuf[s] = truncated ? 1 : 0;
    this.isTransition[s] = 1;
    this.transitions++;
    this.nextRef[s] = NO_NEXT;
    this.onWrite(s, true);
  }

  /** Called after slot `s` was (over)written with a transition or an observation only (prioritized replay keeps its priorities in step). */
  protected onWrite(_s: number, _transition: boolean): void {}

  private writeObsOnly(obs: Float32Array): number {
    const s = this.claim();
    this.writeObs(s, obs);
    this.finishObsOnly(s);
    return s;
  }

  /** Everything of observation-only slot s but its observation. */
  private finishObsOnly(s: number): void {
    this.rewBuf[s] = 0;
    this.termBuf[s] = 0;
    this.truncBuf[s] = 0;
    this.isTransition[s] = 0;
    this.nextRef[s] = NO_NEXT;
    this.onWrite(s, false);
  }

  /** Uniformly samples `batchSize` transitions (with replacement). The batch object is reused. */
  sample(batchSize: number): ReplayBatch {
    if (this.transitions === 0) throw new Error('cannot sample from an empty replay buffer');
    const batch = this.batchFor(batchSize);
    for (let b = 0; b < batchSize; b++) {
      let s: number;
      do s = this.rng.int(this.filled);
      while (!this.isTransition[s]);
      this.fillRow(batch, b, s);
    }
    return batch;
  }

  /** Writes the sample of transition slot `s` (with its n-step return) into row `b` of `batch`. */
  protected fillRow(batch: ReplayBatch, b: number, s: number): void {
    const od = this.obsDim;
    const ad = this.actDim;
    this.readObs(s, batch.obs, b * od);
    batch.actions.set(this.actBuf.subarray(s * ad, (s + 1) * ad), b * ad);
    // n-step: follow the env's chain of transitions while the episode goes on; a chain ends at
    // an episode end, at a transition whose next one has not arrived (staging), or where the
    // caller broke it (an observation-only slot).
    let last = s;
    let ret = this.rewBuf[s]!;
    let k = 1;
    let g = 1;
    while (k < this.nStep && !this.termBuf[last] && !this.truncBuf[last]) {
      const nx = this.nextRef[last]!;
      if (nx < 0 || !this.isTransition[nx]) break;
      g *= this.gamma;
      ret += g * this.rewBuf[nx]!;
      last = nx;
      k++;
    }
    if (batch.steps) batch.steps[b] = k;
    batch.rewards[b] = ret;
    batch.terminated[b] = this.termBuf[last]!;
    batch.truncated[b] = this.truncBuf[last]!;
    const ref = this.nextRef[last]!;
    if (ref >= 0) this.readObs(ref, batch.nextObs, b * od);
    else this.readStaged(-1 - ref, batch.nextObs, b * od);
  }

  protected batchFor(n: number): ReplayBatch {
    let b = this.batchCache.get(n);
    if (!b) {
      b = {
        size: n,
        obsDim: this.obsDim,
        actDim: this.actDim,
        obs: new Float32Array(n * this.obsDim),
        actions: new Float32Array(n * this.actDim),
        rewards: new Float32Array(n),
        nextObs: new Float32Array(n * this.obsDim),
        terminated: new Float32Array(n),
        truncated: new Float32Array(n),
        ...(this.nStep > 1 ? { steps: new Float32Array(n) } : {}),
      };
      this.batchCache.set(n, b);
    }
    return b;
  }

  /** Reseeds the sampling Rng (used after a divergence roll-back, to take a different path). */
  reseed(seed: number): void {
    this.rng.seed(seed);
  }

  /** Bytes held by the preallocated arrays. */
  get byteLength(): number {
    return (
      this.obsBuf.byteLength +
      this.imgBuf.byteLength +
      this.actBuf.byteLength +
      this.rewBuf.byteLength +
      this.termBuf.byteLength +
      this.truncBuf.byteLength +
      this.isTransition.byteLength +
      this.nextRef.byteLength +
      this.staging.byteLength +
      this.stagingImg.byteLength
    );
  }

  /** State for a checkpoint: only the slots in use are copied. */
  snapshot(): Snapshot<ReplayJson> {
    const n = this.filled;
    return {
      json: {
        slots: this.slots,
        obsDim: this.obsDim,
        actDim: this.actDim,
        numEnvs: this.numEnvs,
        pos: this.pos,
        size: this.filled,
        transitions: this.transitions,
        pending: Array.from(this.pending),
        rng: rngToJson(this.rng),
        ...(this.imageDim > 0 ? { imageDim: this.imageDim } : {}),
      },
      arrays: {
        obs: this.obsBuf.slice(0, n * this.vecDim),
        ...(this.imageDim > 0 ? { obsImage: this.imgBuf.slice(0, n * this.imageDim) } : {}),
        actions: this.actBuf.slice(0, n * this.actDim),
        rewards: this.rewBuf.slice(0, n),
        terminated: this.termBuf.slice(0, n),
        truncated: this.truncBuf.slice(0, n),
        isTransition: this.isTransition.slice(0, n),
        nextRef: this.nextRef.slice(0, n),
        staging: this.stagingAsFloats(),
      },
    };
  }

  restore(snap: Snapshot<unknown>): void {
    const j = snap.json as ReplayJson;
    if ((snap.json as { kind?: unknown }).kind === 'her')
      throw new Error('the checkpoint holds a hindsight experience replay buffer; this run uses uniform replay');
    if (j.slots !== this.slots || j.obsDim !== this.obsDim || j.actDim !== this.actDim || j.numEnvs !== this.numEnvs || (j.imageDim ?? 0) !== this.imageDim) {
      throw new Error(
        `checkpoint replay buffer has shape ${j.slots}x${j.obsDim}/${j.actDim}/${j.numEnvs} (image ${j.imageDim ?? 0}), this run needs ${this.slots}x${this.obsDim}/${this.actDim}/${this.numEnvs} (image ${this.imageDim})`,
      );
    }
    const n = j.size;
    const a = snap.arrays;
    this.obsBuf.fill(0).set(requireArray(a, 'obs', Float32Array, n * this.vecDim));
    if (this.imageDim > 0) this.imgBuf.fill(0).set(requireArray(a, 'obsImage', Uint8Array, n * this.imageDim));
    this.actBuf.fill(0).set(requireArray(a, 'actions', Float32Array, n * this.actDim));
    this.rewBuf.fill(0).set(requireArray(a, 'rewards', Float32Array, n));
    this.termBuf.fill(0).set(requireArray(a, 'terminated', Uint8Array, n));
    this.truncBuf.fill(0).set(requireArray(a, 'truncated', Uint8Array, n));
    this.isTransition.fill(0).set(requireArray(a, 'isTransition', Uint8Array, n));
    this.nextRef.fill(NO_NEXT).set(requireArray(a, 'nextRef', Int32Array, n));
    this.staging.set(requireArray(a, 'staging', Float32Array, this.staging.length));
    this.stagedAsBytes.fill(0);
    this.pending.set(j.pending);
    this.pos = j.pos;
    this.filled = n;
    this.transitions = j.transitions;
    rngFromJson(this.rng, j.rng);
  }
}

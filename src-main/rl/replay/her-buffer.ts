/**
 * Hindsight experience replay (Andrychowicz et al. 2017), after Stable-Baselines3's
 * HerReplayBuffer (goal_selection_strategy, n_sampled_goal, her_ratio = 1 - 1 / (k + 1)).
 *
 * Storage is episode-aware: every env has its own ring of rows, so an episode's transitions sit
 * in consecutive rows (mod the ring), and each row knows where its episode started and, once it
 * has ended, how long it was. Only transitions of finished episodes are sampled (a relabelled
 * goal may come from any later step of the episode). Overwriting the first row of an old
 * episode invalidates the whole episode, so no sample ever mixes two episodes.
 *
 * Sampling (uniform over valid transitions, with replacement, from a seeded Rng): the first
 * floor(batch * k / (k + 1)) rows of each batch are relabelled ("virtual"), the rest are the
 * stored transitions ("real"). A virtual transition at episode step t gets as its goal the
 * achieved goal of the next observation of step t' of the same episode, where t' is drawn
 *   future:  uniformly from [t, T - 1];   final: T - 1;   episode: uniformly from [0, T - 1];
 * the goal is written into both observations at the env's desired-goal offset, and the reward
 * is the env's computeReward(achieved goal of the next observation, new goal). `terminated` and
 * `truncated` keep their stored values (as SB3: a time limit stays a time limit; the arm envs
 * terminate only on a physics fault unless terminateOnSuccess is set).
 *
 * Each row stores its own next observation (twice the observation memory of ReplayBuffer,
 * which shares them; simpler, and HER is for small goal-conditioned observations).
 */
import { Rng } from '../../core/rng.js';
import { requireArray, rngFromJson, rngToJson, type RngJson, type Snapshot } from '../../core/snapshot.js';
import type { Replay, ReplayBatch } from './replay-buffer.js';

export type HerStrategy = 'future' | 'final' | 'episode';

/** Where the goals sit in the flat observation (as GoalEnv.goal). */
export interface HerGoalLayout {
  size: number;
  achievedOffset: number;
  desiredOffset: number;
}

export interface HerReplayBufferOptions {
  /** Transitions to keep, over all envs (each env gets ceil(capacity / numEnvs) rows). */
  capacity: number;
  obsDim: number;
  actDim: number;
  numEnvs: number;
  seed: number;
  goal: HerGoalLayout;
  /** The env's reward for `achieved` when `desired` is the goal (pure; called at sample time). */
  computeReward(achieved: Float32Array, desired: Float32Array): number;
  /** Relabelled goals per real transition (k >= 1). */
  nSampledGoal: number;
  strategy: HerStrategy;
}

interface HerJson {
  kind: 'her';
  rows: number;
  obsDim: number;
  actDim: number;
  numEnvs: number;
  maxFilled: number;
  valid: number;
  pos: number[];
  filled: number[];
  curStart: number[];
  curLen: number[];
  rng: RngJson;
}

export class HerReplayBuffer implements Replay {
  /** Rows per env. */
  readonly rows: number;
  readonly obsDim: number;
  readonly actDim: number;
  readonly numEnvs: number;
  readonly nSampledGoal: number;
  readonly strategy: HerStrategy;
  /** Fraction of each batch that is relabelled: 1 - 1 / (k + 1). */
  readonly herRatio: number;
  private readonly goal: HerGoalLayout;
  private readonly computeReward: HerReplayBufferOptions['computeReward'];
  // Row r of env e lives at index r * numEnvs + e (so the rows in use are a prefix).
  private readonly obsBuf: Float32Array;
  private readonly nextBuf: Float32Array;
  private readonly actBuf: Float32Array;
  private readonly rewBuf: Float32Array;
  private readonly termBuf: Uint8Array;
  private readonly truncBuf: Uint8Array;
  /** Row (within its env's ring) where the transition's episode started. */
  private readonly epStart: Int32Array;
  /** Length of the transition's episode once it ended and while it is intact; 0 = not sampleable. */
  private readonly epLen: Int32Array;
  private readonly pos: Int32Array;
  private readonly filled: Int32Array;
  /** Per env: the episode in progress (start row, transitions so far). */
  private readonly curStart: Int32Array;
  private readonly curLen: Int32Array;
  private maxFilled = 0;
  private valid = 0;
  private readonly rng: Rng;
  private readonly achievedScratch: Float32Array;
  private readonly goalScratch: Float32Array;
  private readonly batchCache = new Map<number, ReplayBatch>();

  constructor(opts: HerReplayBufferOptions) {
    const { capacity, obsDim, actDim, numEnvs, goal } = opts;
    if (!(capacity >= 1)) throw new Error('replay capacity must be >= 1');
    if (!(opts.nSampledGoal >= 1)) throw new Error('HER needs nSampledGoal >= 1');
    if (
      goal.size < 1 ||
      goal.achievedOffset < 0 ||
      goal.desiredOffset < 0 ||
      goal.achievedOffset + goal.size > obsDim ||
      goal.desiredOffset + goal.size > obsDim
    ) {
      throw new Error(`HER goal layout ${JSON.stringify(goal)} does not fit observations of ${obsDim} values`);
    }
    this.rows = Math.max(2, Math.ceil(capacity / numEnvs));
    this.obsDim = obsDim;
    this.actDim = actDim;
    this.numEnvs = numEnvs;
    this.goal = { ...goal };
    this.computeReward = opts.computeReward;
    this.nSampledGoal = opts.nSampledGoal;
    this.strategy = opts.strategy;
    this.herRatio = 1 - 1 / (opts.nSampledGoal + 1);
    const n = this.rows * numEnvs;
    this.obsBuf = new Float32Array(n * obsDim);
    this.nextBuf = new Float32Array(n * obsDim);
    this.actBuf = new Float32Array(n * actDim);
    this.rewBuf = new Float32Array(n);
    this.termBuf = new Uint8Array(n);
    this.truncBuf = new Uint8Array(n);
    this.epStart = new Int32Array(n);
    this.epLen = new Int32Array(n);
    this.pos = new Int32Array(numEnvs);
    this.filled = new Int32Array(numEnvs);
    this.curStart = new Int32Array(numEnvs);
    this.curLen = new Int32Array(numEnvs);
    this.rng = new Rng(opts.seed);
    this.achievedScratch = new Float32Array(goal.size);
    this.goalScratch = new Float32Array(goal.size);
  }

  /** Sampleable transitions held (those of finished, intact episodes). */
  get size(): number {
    return this.valid;
  }

  /** Transitions stored, sampleable or not (including episodes in progress). */
  get stored(): number {
    let s = 0;
    for (let e = 0; e < this.numEnvs; e++) s += this.filled[e]!;
    return s;
  }

  /**
   * Stores one transition of env `env`. An env's transitions must arrive in episode order, each
   * episode ending with terminated or truncated (as the training loop adds them).
   */
  add(env: number, obs: Float32Array, action: Float32Array, reward: number, nextObs: Float32Array, terminated: boolean, truncated: boolean): void {
    const E = this.numEnvs;
    const od = this.obsDim;
    const ad = this.actDim;
    const row = this.pos[env]!;
    const i = row * E + env;
    // Overwriting a finished episode's row: that episode is no longer whole, drop all of it.
    const oldLen = this.epLen[i]!;
    if (oldLen > 0) {
      const start = this.epStart[i]!;
      for (let k = 0; k < oldLen; k++) this.epLen[((start + k) % this.rows) * E + env] = 0;
      this.valid -= oldLen;
    }
    if (this.curLen[env] === 0) this.curStart[env] = row;
    const len = ++this.curLen[env]!;
    if (len > this.rows) {
      throw new Error(`an episode of ${len} steps does not fit the HER buffer's ${this.rows} rows per env; raise bufferSize`);
    }
    this.obsBuf.set(obs.subarray(0, od), i * od);
    this.nextBuf.set(nextObs.subarray(0, od), i * od);
    this.actBuf.set(action.subarray(0, ad), i * ad);
    this.rewBuf[i] = reward;
    this.termBuf[i] = terminated ? 1 : 0;
    this.truncBuf[i] = truncated ? 1 : 0;
    this.epStart[i] = this.curStart[env]!;
    this.epLen[i] = 0;
    this.pos[env] = (row + 1) % this.rows;
    if (this.filled[env]! < this.rows) {
      this.filled[env] = this.filled[env]! + 1;
      if (this.filled[env]! > this.maxFilled) this.maxFilled = this.filled[env]!;
    }
    if (terminated || truncated) {
      const start = this.curStart[env]!;
      for (let k = 0; k < len; k++) this.epLen[((start + k) % this.rows) * E + env] = len;
      this.valid += len;
      this.curLen[env] = 0;
    }
  }

  /** Virtual (relabelled) rows in a batch of `batchSize`: floor(batchSize * k / (k + 1)), as SB3. */
  virtualCount(batchSize: number): number {
    return Math.floor(this.herRatio * batchSize + 1e-9);
  }

  /**
   * Samples `batchSize` transitions uniformly from finished episodes (with replacement); the
   * first virtualCount(batchSize) rows are relabelled. The batch object is reused.
   */
  sample(batchSize: number): ReplayBatch {
    if (this.valid === 0) {
      throw new Error('HER samples only transitions of finished episodes and none has finished yet; set learningStarts above the episode length');
    }
    const batch = this.batchFor(batchSize);
    const E = this.numEnvs;
    const od = this.obsDim;
    const ad = this.actDim;
    const { size: gs, achievedOffset: ao, desiredOffset: dof } = this.goal;
    const nVirtual = this.virtualCount(batchSize);
    const span = this.maxFilled * E;
    for (let b = 0; b < batchSize; b++) {
      let i: number;
      do i = this.rng.int(span);
      while (this.epLen[i] === 0);
      batch.obs.set(this.obsBuf.subarray(i * od, (i + 1) * od), b * od);
      batch.nextObs.set(this.nextBuf.subarray(i * od, (i + 1) * od), b * od);
      batch.actions.set(this.actBuf.subarray(i * ad, (i + 1) * ad), b * ad);
      batch.terminated[b] = this.termBuf[i]!;
      batch.truncated[b] = this.truncBuf[i]!;
      if (b >= nVirtual) {
        batch.rewards[b] = this.rewBuf[i]!;
        continue;
      }
      // Relabel with an achieved goal of the same episode.
      const env = i % E;
      const row = (i - env) / E;
      const start = this.epStart[i]!;
      const len = this.epLen[i]!;
      const t = (row - start + this.rows) % this.rows;
      const tGoal = this.strategy === 'future' ? t + this.rng.int(len - t) : this.strategy === 'final' ? len - 1 : this.rng.int(len);
      const g = (((start + tGoal) % this.rows) * E + env) * od + ao;
      for (let k = 0; k < gs; k++) {
        const v = this.nextBuf[g + k]!;
        this.goalScratch[k] = v;
        batch.obs[b * od + dof + k] = v;
        batch.nextObs[b * od + dof + k] = v;
        this.achievedScratch[k] = batch.nextObs[b * od + ao + k]!;
      }
      batch.rewards[b] = this.computeReward(this.achievedScratch, this.goalScratch);
    }
    return batch;
  }

  private batchFor(n: number): ReplayBatch {
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
      };
      this.batchCache.set(n, b);
    }
    return b;
  }

  reseed(seed: number): void {
    this.rng.seed(seed);
  }

  get byteLength(): number {
    return (
      this.obsBuf.byteLength +
      this.nextBuf.byteLength +
      this.actBuf.byteLength +
      this.rewBuf.byteLength +
      this.termBuf.byteLength +
      this.truncBuf.byteLength +
      this.epStart.byteLength +
      this.epLen.byteLength
    );
  }

  /** State for a checkpoint: only the rows in use are copied. */
  snapshot(): Snapshot<HerJson> {
    const n = this.maxFilled * this.numEnvs;
    return {
      json: {
        kind: 'her',
        rows: this.rows,
        obsDim: this.obsDim,
        actDim: this.actDim,
        numEnvs: this.numEnvs,
        maxFilled: this.maxFilled,
        valid: this.valid,
        pos: Array.from(this.pos),
        filled: Array.from(this.filled),
        curStart: Array.from(this.curStart),
        curLen: Array.from(this.curLen),
        rng: rngToJson(this.rng),
      },
      arrays: {
        obs: this.obsBuf.slice(0, n * this.obsDim),
        nextObs: this.nextBuf.slice(0, n * this.obsDim),
        actions: this.actBuf.slice(0, n * this.actDim),
        rewards: this.rewBuf.slice(0, n),
        terminated: this.termBuf.slice(0, n),
        truncated: this.truncBuf.slice(0, n),
        epStart: this.epStart.slice(0, n),
        epLen: this.epLen.slice(0, n),
      },
    };
  }

  restore(snap: Snapshot<unknown>): void {
    const j = snap.json as Partial<HerJson>;
    if (j.kind !== 'her') throw new Error('the checkpoint holds a uniform replay buffer; this run uses hindsight experience replay');
    if (j.rows !== this.rows || j.obsDim !== this.obsDim || j.actDim !== this.actDim || j.numEnvs !== this.numEnvs) {
      throw new Error(
        `checkpoint HER buffer has shape ${j.rows}x${j.numEnvs} of ${j.obsDim}/${j.actDim}, this run needs ${this.rows}x${this.numEnvs} of ${this.obsDim}/${this.actDim}`,
      );
    }
    const n = j.maxFilled! * this.numEnvs;
    const a = snap.arrays;
    const od = this.obsDim;
    const ad = this.actDim;
    this.obsBuf.fill(0).set(requireArray(a, 'obs', Float32Array, n * od));
    this.nextBuf.fill(0).set(requireArray(a, 'nextObs', Float32Array, n * od));
    this.actBuf.fill(0).set(requireArray(a, 'actions', Float32Array, n * ad));
    this.rewBuf.fill(0).set(requireArray(a, 'rewards', Float32Array, n));
    this.termBuf.fill(0).set(requireArray(a, 'terminated', Uint8Array, n));
    this.truncBuf.fill(0).set(requireArray(a, 'truncated', Uint8Array, n));
    this.epStart.fill(0).set(requireArray(a, 'epStart', Int32Array, n));
    this.epLen.fill(0).set(requireArray(a, 'epLen', Int32Array, n));
    this.pos.set(j.pos!);
    this.filled.set(j.filled!);
    this.curStart.set(j.curStart!);
    this.curLen.set(j.curLen!);
    this.maxFilled = j.maxFilled!;
    this.valid = j.valid!;
    rngFromJson(this.rng, j.rng!);
  }
}

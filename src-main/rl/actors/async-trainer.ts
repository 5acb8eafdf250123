/**
 * The learner of an async run (config `actors.mode: "async"`), in the run's worker thread:
 *
 *   actors (a transport: worker threads here, or processes anywhere through Redis) step their
 *   own envs with a copy of the actor and their own noise, and send transitions tagged with the
 *   weight version that chose them;
 *   the learner validates each batch (run, config digest, shape), stores it in the replay
 *   buffer (one stream per actor slot and env), and trains continuously, keeping to
 *   `updatesPerStep` updates per collected step (actors whose batches are not yet acknowledged
 *   wait, so neither side runs away from the other);
 *   every `weightSyncEvery` updates it broadcasts the actor's weights with a new version;
 *   "train" and "actors" metric lines, evaluations and checkpoints fall due by env steps as in
 *   the synchronous loop (rl/train/trainer.ts).
 *
 * On a backend that reads only asynchronously (WebGPU in Node) this is how a run trains: the
 * learner fetches its state to the host before every read of it (ml/host-reads.ts), its actors
 * act on a CPU backend, and evaluations run in a thread of their own (./eval-thread.ts).
 *
 * Not bit-reproducible (thread timing decides which transitions arrive first). A checkpoint
 * keeps the learner, the replay buffer and the counters, so a resumed run loses no experience;
 * its actors start new episodes.
 */
import { truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { ActorWeights, TransitionBatch } from '../../../src-shared/actors.js';
import type { ActorsConfig } from '../../../src-shared/config/actors.js';
import type { RunConfig } from '../../../src-shared/config/run-config.js';
import { prefixArrays, unprefixArrays, type Snapshot } from '../../core/snapshot.js';
import type { Env } from '../../sim/env.js';
import { envAdapter, makeEnv } from '../../sim/registry.js';
import { RUN_FILES } from '../../store/run-store.js';
import type { Learner, OffPolicyLoop } from '../algorithms/learner.js';
import { loopOf, makeLearner } from '../algorithms/registry.js';
import { CheckpointStore } from '../checkpoint/store.js';
import { policySnapshot } from '../checkpoint/policy.js';
import { makeReplay, type Replay } from '../replay/index.js';
import { policyOfLearner, type Policy } from '../policy/policy.js';
import { evalMetricLine, evaluateRunPolicy, type EvalResult } from '../train/evaluate.js';
import type { TrainHooks } from '../train/hooks.js';
import { initActorFromExport, policyMetaOf, runEncoders } from '../train/run-encoders.js';
import { configDigest, fileSize, firstNonFinite } from '../train/run-state.js';
import { deriveSeeds, type RunSeeds } from '../train/seeds.js';
import { Throughput } from '../train/throughput.js';
import type { TrainJob } from '../train/types.js';
import { ActorBook } from './actor-book.js';
import { prefetchVariables, readsAsyncOnly } from '../../ml/host-reads.js';
import { evaluateInThread, learnerEvalRequest } from './eval-thread.js';
import { checkAsyncConfig, type AsyncJson } from './async-state.js';
import { writeEvalJson } from '../train/run-lines.js';
import { actorSeeds } from './actor-loop.js';
import { InprocActors } from './inproc.js';
import { storeBatch } from './store-batch.js';
import type { ActorInit } from './protocol.js';
import type { ActorTransport, ActorInitOf, TransportLog } from './transport.js';

/** Batches an actor may send ahead of the learner's acknowledgements. */
export const MAX_IN_FLIGHT = 2;
/** Env steps the actors may run ahead of the update rate before their batches wait for acknowledgement. */
const RATE_SLACK_STEPS = 256;
/** Longest stretch of updates between looks at the actors' messages and the controls. */
const TRAIN_SLICE_MS = 20;
const HEALTH_CHECK_EVERY = 100;
/** Milliseconds between the live actors events for the app. */
const ACTORS_EVENT_MS = 1000;
const MAX_EVAL_ENVS = 16;
export const MAX_ROLLBACKS = 5;

/** A transport for a learner: given the actors' init and a log, or the in-process default. */
export type TransportFactory = (initOf: ActorInitOf, log: TransportLog, learner: AsyncTrainer) => ActorTransport;

export class AsyncTrainer {
  readonly config: RunConfig;
  readonly actorsConfig: ActorsConfig;
  readonly seeds: RunSeeds;
  readonly learner: Learner;
  readonly policy: Policy;
  readonly buffer: Replay;
  readonly loop: OffPolicyLoop;
  readonly checkpoints: CheckpointStore;
  readonly book: ActorBook;
  readonly transport: ActorTransport;
  /** Learner updates per collected env step. */
  readonly updatesPerStep: number;
  readonly digest: string;
  private readonly encoderSetup;
  private readonly evalEnvs: Env[];
  private readonly metricsPath: string;
  private readonly eventsPath: string;
  private readonly streamsPerSlot: number;

  step = 0;
  episodes = 0;
  rollbacks = 0;
  bestEval: number | null = null;
  /** The weight version the actors got last. */
  version = 0;
  private random = true;
  private finalEvalDone = false;
  private startStep = 0;
  private lastSyncUpdates = 0;
  private updatesSinceHealthCheck = 0;
  /** A NaN check is owed (backends without synchronous reads check between slices, after fetching the loss sums). */
  private healthDue = false;
  /**
   * The backend reads only asynchronously (WebGPU in Node): the learner's state is fetched to the
   * host before each read of it, and evaluations run in a thread of their own (ml/host-reads.ts).
   */
  private readonly hostReads = readsAsyncOnly();
  private lastActorsEvent = 0;
  private readonly rates = new Throughput();
  /** Batches stored but not yet acknowledged (their actors wait while the learner catches up). */
  private readonly held: TransitionBatch[] = [];

  constructor(
    private readonly job: TrainJob,
    private readonly hooks: Pick<TrainHooks, 'afterUpdate' | 'loadInitPolicy' | 'freshLogOffsets'> = {},
    transport?: TransportFactory,
  ) {
    const cfg = (this.config = job.config);
    if (cfg.actors?.mode !== 'async') throw new Error('AsyncTrainer runs configs with actors.mode "async"');
    this.actorsConfig = cfg.actors;
    this.seeds = deriveSeeds(cfg.seed);
    this.digest = configDigest(cfg);
    const { setup, frozen, trainable } = runEncoders(cfg, job.runId, job.runDir);
    if (frozen) {
      frozen.dispose();
      throw new Error('a frozen VAE encoder runs in the synchronous loop; parallel actors take vector observations or a trainable encoder');
    }
    this.encoderSetup = setup;
    const probe = makeEnv(cfg.env);
    const spaces = { obsDim: probe.observationSpace.shape[0]!, actDim: probe.actionSpace.shape[0]! };
    this.learner = makeLearner({
      spaces,
      actionSpace: probe.actionSpace,
      config: cfg,
      seeds: { networks: this.seeds.networks, learner: this.seeds.targetNoise },
      ...(trainable ? { encoder: trainable } : {}),
    });
    const loop = loopOf(cfg);
    checkAsyncConfig(cfg, this.learner, loop);
    this.policy = policyOfLearner(this.learner);
    this.loop = loop;
    this.streamsPerSlot = cfg.numEnvs;
    const streams = this.actorsConfig.count * cfg.numEnvs;
    const imageDim = trainable ? trainable.spec.height * trainable.spec.width * trainable.spec.channels : 0;
    this.buffer = makeReplay(this.loop.replay, {
      capacity: Math.min(this.loop.bufferSize, cfg.totalSteps + streams),
      obsDim: spaces.obsDim,
      actDim: spaces.actDim,
      numEnvs: streams,
      seed: this.seeds.replay,
      env: probe,
      imageDim,
      gamma: this.loop.gamma,
    });
    probe.close?.();
    const l = this.loop;
    this.updatesPerStep =
      this.actorsConfig.updatesPerStep ?? (l.trainSchedule === 'steps' && l.gradientSteps >= 0 ? l.gradientSteps / (l.trainFreq * cfg.numEnvs) : 1);
    this.evalEnvs = envAdapter(cfg.env.id).evaluate ? [] : Array.from({ length: Math.min(cfg.evalEpisodes, MAX_EVAL_ENVS) }, () => makeEnv(cfg.env));
    this.checkpoints = new CheckpointStore(join(job.runDir, RUN_FILES.checkpoints));
    this.metricsPath = join(job.runDir, RUN_FILES.metrics);
    this.eventsPath = join(job.runDir, RUN_FILES.events);
    this.book = new ActorBook(job.runId, this.digest);
    const log: TransportLog = (level, message) => job.out.log(level, message);
    const initOf: ActorInitOf = (slot, generation) => this.actorInit(slot, generation);
    this.transport = transport ? transport(initOf, log, this) : new InprocActors(this.actorsConfig.count, initOf, log);
  }

  /** What actor `slot`'s incarnation `generation` starts from. */
  actorInit(slot: number, generation: number): ActorInit {
    const cfg = this.config;
    const setup = this.encoderSetup;
    return {
      runId: this.job.runId,
      digest: this.digest,
      actor: `${this.job.runId.slice(0, 24)}-a${slot}.${generation}-${process.pid}`,
      slot,
      env: cfg.env,
      numEnvs: cfg.numEnvs,
      seeds: actorSeeds(this.seeds.envs, slot, generation, this.startStep),
      noise: this.loop.noise,
      actorSpec: { ...this.learner.actor.spec, hidden: [...this.learner.actor.spec.hidden] },
      ...(setup ? { encoder: { spec: { ...setup.spec, filters: [...setup.spec.filters] }, extraDim: setup.extraDim } } : {}),
      // Acting reads every action back: actors of a learner on WebGPU act on the fastest CPU backend.
      backend: this.job.backend.name === 'webgpu' ? 'auto' : this.job.backend.name,
      maxInFlight: MAX_IN_FLIGHT,
    };
  }

  async run(): Promise<void> {
    const { out } = this.job;
    const torn = this.checkpoints.cleanTemp();
    if (torn.length) out.log('warn', `removed ${torn.length} incomplete checkpoint folder(s) left by an interrupted write`);
    if (this.resume()) {
      out.log('info', `resumed from the checkpoint at step ${this.step} (async: the replay buffer is kept, actors start new episodes)`);
      if (this.finalEvalDone) return out.status('finished', this.step);
    } else {
      const keep = this.hooks.freshLogOffsets;
      if (fileSize(this.metricsPath) > (keep?.metrics ?? 0)) truncateSync(this.metricsPath, keep?.metrics ?? 0);
      if (fileSize(this.eventsPath) > (keep?.events ?? 0)) truncateSync(this.eventsPath, keep?.events ?? 0);
      if (this.config.initPolicy) await initActorFromExport(this.learner, this.config, this.config.initPolicy, out, this.hooks.loadInitPolicy);
      await this.onHost();
      this.writeCheckpoint();
    }
    this.startStep = this.step;
    this.random = this.step < this.loop.learningStarts;
    try {
      await this.transport.start();
      await this.broadcast();
    } catch (e) {
      await this.transport.close(false);
      await this.transportDown(e, false);
      return;
    }
    out.status('running', this.step);
    try {
      const end = await this.train();
      if (end !== 'finished') return;
      await this.transport.close(true);
      await this.finish();
    } finally {
      await this.transport.close(false);
    }
  }

  /** The loop until totalSteps; 'stopped' / 'failed' when it ended early (status already reported). */
  private async train(): Promise<'finished' | 'stopped' | 'failed'> {
    const { out, controls } = this.job;
    const cfg = this.config;
    // To the last step, then the updates still owed for it (as many as the synchronous schedule does).
    while (this.step < cfg.totalSteps || this.updateBudget() > 0) {
      if (this.transport.failure) return this.transportDown(this.transport.failure, true);
      if (controls.stopRequested) {
        await this.onHost();
        this.writeCheckpoint();
        // What the checkpoint holds is taken for good (Redis: not delivered again to a resumed learner).
        for (const b of this.held.splice(0)) this.transport.ack(b);
        out.status('stopped', this.step);
        return 'stopped';
      }
      if (controls.paused) {
        // Actors wait once their batches go unacknowledged.
        out.status('paused', this.step);
        await controls.waitWhilePaused();
        if (!controls.stopRequested) out.status('running', this.step);
        this.rates.window.reset();
        continue;
      }
      if (controls.takeEvaluateRequest()) await this.evaluate();
      const before = this.step;
      const took = this.takeMessages();
      let trained: number;
      try {
        trained = this.trainSlice();
        await this.dueWork(before);
      } catch (e) {
        if (!(e instanceof DivergenceError)) throw e;
        if (!this.rollback(e.message)) return 'failed';
        await this.broadcast();
        continue;
      }
      this.releaseAcks();
      try {
        if (this.updatesSinceSync() >= this.actorsConfig.weightSyncEvery || (this.random && this.step >= this.loop.learningStarts)) await this.broadcast();
      } catch (e) {
        return this.transportDown(e, true);
      }
      const rates = this.rates.progressDue();
      if (rates) out.progress({ step: this.step, totalSteps: cfg.totalSteps, episodes: this.episodes, ...rates });
      if (out.actors && performance.now() - this.lastActorsEvent >= ACTORS_EVENT_MS) {
        this.lastActorsEvent = performance.now();
        out.actors(this.actorsLine());
      }
      if (!took && !trained) await this.transport.wait(50);
      else await new Promise<void>((r) => setImmediate(r));
    }
    return 'finished';
  }

  /** The actors cannot be reached (Redis gone): the run pauses with one line, after a checkpoint of what it has. */
  private async transportDown(e: unknown, checkpoint: boolean): Promise<'stopped'> {
    if (checkpoint) await this.onHost();
    if (checkpoint && this.learner.healthy()) this.writeCheckpoint();
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
    this.job.out.status('paused', this.step, `paused: ${why}; nothing was lost, resume the run once the actors' transport is back`);
    return 'stopped';
  }

  private updatesSinceSync(): number {
    return this.learner.updates - this.lastSyncUpdates;
  }

  /** Validates and stores what the actors sent; returns how many transitions were stored. */
  private takeMessages(): number {
    let took = 0;
    const rejectedBefore = this.rejectedTotal();
    for (const raw of this.transport.drain()) {
      const m = this.book.accept(raw);
      if (!m) continue;
      if (m.kind === 'error') this.job.out.log('warn', `actor ${m.actor}: ${m.message}`);
      if (m.kind !== 'batch') continue;
      took += this.store(m.batch);
      this.held.push(m.batch);
    }
    if (this.rejectedTotal() > rejectedBefore)
      this.job.out.log('warn', `refused ${this.book.lastRejection} (refused so far: ${JSON.stringify(this.book.rejected)})`);
    return took;
  }

  private rejectedTotal(): number {
    const r = this.book.rejected;
    return r.foreignRun + r.foreignDigest + r.malformed;
  }

  /** Stores a batch's transitions (no more than the run has left) and reports its episodes. */
  private store(b: TransitionBatch): number {
    const cfg = this.config;
    const n = Math.min(b.count, cfg.totalSteps - this.step);
    if (n <= 0) return 0;
    const { obsDim: od, actDim: ad } = b;
    if (od !== this.learner.obsDim || ad !== this.learner.actDim) {
      this.book.rejected.malformed++;
      this.job.out.log(
        'warn',
        `refused transitions of actor ${b.actor}: ${od}/${ad} values per observation/action, the run has ${this.learner.obsDim}/${this.learner.actDim}`,
      );
      return 0;
    }
    const slot = b.slot % this.actorsConfig.count;
    const endsAt = storeBatch(this.buffer, b, n, slot * this.streamsPerSlot, this.streamsPerSlot).map((i) => this.step + i);
    this.step += n;
    this.rates.addEnvSteps(n);
    this.book.took(b.actor, n);
    // Episodes in order of their last transitions (the batch lists them in that order).
    b.episodes.slice(0, endsAt.length).forEach((ep, k) => {
      this.episodes++;
      this.job.out.metric({ ...(ep.info ?? {}), kind: 'episode', step: endsAt[k]!, return: ep.return, length: ep.length, actor: b.slot, version: b.version });
    });
    return n;
  }

  /** Updates the learner owes for the steps collected so far. */
  private updateBudget(): number {
    if (this.step <= this.loop.learningStarts || this.buffer.size === 0) return 0;
    return Math.floor(this.updatesPerStep * (this.step - this.loop.learningStarts)) - this.updatesSinceStart();
  }

  private updatesAtStart = 0;
  private updatesSinceStart(): number {
    return this.learner.updates - this.updatesAtStart;
  }

  /** Trains while updates are owed, for at most TRAIN_SLICE_MS. Returns the updates done. */
  private trainSlice(): number {
    const budget = this.updateBudget();
    if (budget <= 0) return 0;
    const t0 = performance.now();
    let done = 0;
    // Ends early when new weights are due, so actors get every version on time.
    const sync = this.actorsConfig.weightSyncEvery;
    while (done < budget && performance.now() - t0 < TRAIN_SLICE_MS && this.updatesSinceSync() < sync) {
      const batch = this.buffer.sample(this.loop.batchSize);
      const priorities = this.learner.train(batch);
      if (priorities && batch.indices) this.buffer.updatePriorities?.(batch.indices, priorities);
      this.rates.addUpdate();
      done++;
      this.hooks.afterUpdate?.(this.learner, this.learner.updates);
      if (++this.updatesSinceHealthCheck >= HEALTH_CHECK_EVERY) {
        this.updatesSinceHealthCheck = 0;
        if (this.hostReads) {
          this.healthDue = true;
          break;
        }
        if (!this.learner.healthy()) throw new DivergenceError('a loss became NaN or infinite');
      }
    }
    return done;
  }

  /** Acknowledges held batches while the actors are no further ahead of the update rate than the slack. */
  private releaseAcks(): void {
    const ahead = () => (this.step <= this.loop.learningStarts ? 0 : this.updateBudget() / this.updatesPerStep);
    // At the last step the actors have done their part: they wait until the run ends.
    if (this.step >= this.config.totalSteps) return;
    while (this.held.length && ahead() <= RATE_SLACK_STEPS) this.transport.ack(this.held.shift()!);
  }

  /** Brings the learner's state to the host where the backend reads only asynchronously (before any read of it). */
  private async onHost(): Promise<void> {
    if (this.hostReads) await prefetchVariables();
  }

  private async broadcast(): Promise<void> {
    if (this.hostReads) await prefetchVariables([...this.learner.actor.variables, ...(this.learner.encoder?.variables ?? [])]);
    this.random = this.step < this.loop.learningStarts;
    this.version++;
    this.lastSyncUpdates = this.learner.updates;
    const w: ActorWeights = {
      type: 'weights',
      runId: this.job.runId,
      digest: this.digest,
      version: this.version,
      random: this.random,
      actor: this.learner.actor.getWeights(),
      ...(this.learner.encoder ? { encoder: this.learner.encoder.getWeights() } : {}),
    };
    await this.transport.broadcast(w);
  }

  /** Log lines, evaluations and checkpoints whose env-step marks were crossed since `before`. */
  private async dueWork(before: number): Promise<void> {
    const cfg = this.config;
    if (this.healthDue) {
      this.healthDue = false;
      await this.onHost();
      if (!this.learner.healthy()) throw new DivergenceError('a loss became NaN or infinite');
    }
    const crossed = (every: number) => every > 0 && Math.floor(before / every) < Math.floor(this.step / every);
    if (crossed(cfg.logEvery)) {
      await this.onHost();
      this.logLines();
    }
    if (this.step < cfg.totalSteps && crossed(cfg.evalEvery)) await this.evaluate();
    if (this.step < cfg.totalSteps && crossed(cfg.checkpointEvery)) {
      await this.onHost();
      this.writeCheckpoint();
    }
  }

  private logLines(): void {
    const stats = this.learner.takeStats();
    if (!stats.finite) throw new DivergenceError('a loss became NaN or infinite');
    const r = this.rates.window.rates();
    if (stats.updates > 0) {
      this.job.out.metric({
        kind: 'train',
        step: this.step,
        critic_loss: stats.criticLoss,
        actor_loss: stats.actorLoss,
        q_mean: stats.qMean,
        updates_per_s: r.updatesPerS,
        env_steps_per_s: r.envStepsPerS,
      });
    }
    this.job.out.metric(this.actorsLine());
    this.rates.window.reset();
  }

  /** The actors as the app's panel shows them. */
  actorsLine(): ReturnType<ActorBook['line']> {
    return this.book.line(this.step, this.transport.kind, this.version, (a, seen) => this.transport.alive(a, seen));
  }

  async evaluate(): Promise<EvalResult> {
    const cfg = this.config;
    await this.onHost();
    const result = this.hostReads
      ? // Acting reads every action back: on a CPU backend in a thread of its own, from the weights.
        await evaluateInThread(learnerEvalRequest(this.learner, cfg, this.encoderSetup))
      : evaluateRunPolicy((obs, n) => this.policy.act(obs, n), cfg.env, cfg.evalEpisodes, this.evalEnvs);
    this.job.out.metric(evalMetricLine(result, this.step));
    if (Number.isFinite(result.mean_return) && (this.bestEval === null || result.mean_return > this.bestEval)) {
      this.bestEval = result.mean_return;
      const snap = policySnapshot(this.learner.actor.getWeights(), this.learner.encoder?.getWeights());
      if (firstNonFinite(snap.arrays) === undefined) {
        this.checkpoints.writeBest(this.step, result.mean_return, snap, { ...this.meta(), std_return: result.std_return, episodes: result.episodes });
      }
    }
    return result;
  }

  private async finish(): Promise<void> {
    const cfg = this.config;
    await this.onHost();
    if (this.step % cfg.logEvery !== 0) this.logLines();
    const final = await this.evaluate();
    writeEvalJson(join(this.job.runDir, 'eval.json'), this.step, final);
    this.finalEvalDone = true;
    await this.onHost();
    this.writeCheckpoint();
    this.job.out.status('finished', this.step);
  }

  private meta(): ReturnType<typeof policyMetaOf> {
    return policyMetaOf(this.learner, this.config, this.digest, this.encoderSetup);
  }

  snapshot(): Snapshot<Record<string, unknown>> {
    const learner = this.learner.snapshot();
    const replay = this.buffer.snapshot();
    const async: AsyncJson = {
      mode: 'async',
      step: this.step,
      episodes: this.episodes,
      rollbacks: this.rollbacks,
      bestEval: this.bestEval,
      version: this.version,
      metricsBytes: fileSize(this.metricsPath),
      eventsBytes: fileSize(this.eventsPath),
      configDigest: this.digest,
      ...(this.finalEvalDone ? { finalEvalDone: true } : {}),
    };
    return {
      json: { async, learner: learner.json, replay: replay.json },
      arrays: { ...prefixArrays('learner', learner.arrays), ...prefixArrays('replay', replay.arrays) },
    };
  }

  private writeCheckpoint(): void {
    if (!this.learner.healthy()) throw new DivergenceError('a loss became NaN or infinite');
    const snap = this.snapshot();
    const bad = firstNonFinite(unprefixArrays('learner', snap.arrays));
    if (bad) throw new DivergenceError(`weight "${bad}" is not finite`);
    this.checkpoints.writeFull(this.step, snap, { ...this.meta(), episodes: this.episodes, updates: this.learner.updates, mode: 'async' });
  }

  /** Restores the newest checkpoint that loads; false when the run starts fresh. */
  private resume(): boolean {
    const loaded = this.checkpoints.loadLatest();
    for (const s of loaded?.skipped ?? []) this.job.out.log('warn', `skipped checkpoint ${s}`);
    if (!loaded) {
      const reasons = this.checkpoints.unloadable();
      const keep = this.hooks.freshLogOffsets;
      if (reasons.length === 0 && fileSize(this.metricsPath) <= (keep?.metrics ?? 0)) return false;
      if (!this.job.restart)
        throw new Error(`refusing to resume: no checkpoint can be loaded (${reasons.join('; ') || 'the run has no checkpoint'}); restart it with --restart`);
      this.job.out.log('warn', 'no checkpoint can be loaded; restarting from step 0 as asked');
      return false;
    }
    this.restore(loaded.archive.snapshot);
    return true;
  }

  private restore(snap: Snapshot): void {
    const json = snap.json as { async?: AsyncJson; learner: unknown; replay: unknown };
    const a = json.async;
    if (!a) throw new Error('the checkpoint was written by the synchronous loop; this run is async');
    if (a.configDigest !== this.digest) throw new Error('the checkpoint was written with a different config; it cannot be resumed with this one');
    this.learner.restore({ json: json.learner, arrays: unprefixArrays('learner', snap.arrays) });
    this.buffer.restore({ json: json.replay, arrays: unprefixArrays('replay', snap.arrays) });
    this.step = a.step;
    this.episodes = a.episodes;
    this.rollbacks = a.rollbacks;
    this.bestEval = a.bestEval;
    this.version = a.version;
    this.finalEvalDone = a.finalEvalDone === true;
    this.updatesAtStart = this.learner.updates - Math.floor(this.updatesPerStep * Math.max(0, this.step - this.loop.learningStarts));
    for (const [path, bytes] of [
      [this.metricsPath, a.metricsBytes],
      [this.eventsPath, a.eventsBytes],
    ] as const) {
      if (fileSize(path) > bytes) truncateSync(path, bytes);
    }
  }

  /** Back to the last checkpoint after a divergence; false when the run gave up (status reported). */
  private rollback(reason: string): boolean {
    const { out } = this.job;
    const at = this.step;
    const loaded = this.checkpoints.loadLatest();
    const rollbacks = this.rollbacks + 1;
    if (!loaded || rollbacks > MAX_ROLLBACKS) {
      out.status(
        'failed',
        at,
        loaded ? `diverged ${rollbacks} times; lower the learning rates or enable maxGradNorm` : `diverged (${reason}) and no checkpoint is left`,
      );
      return false;
    }
    this.restore(loaded.archive.snapshot);
    this.rollbacks = rollbacks;
    for (const b of this.held.splice(0)) this.transport.ack(b);
    out.event({ kind: 'divergence', step: at, t: Date.now(), reason, rolledBackTo: this.step, rollbacks });
    out.log('warn', `training diverged at step ${at} (${reason}); rolled back to the checkpoint at step ${this.step}`);
    return true;
  }

  dispose(): void {
    this.learner.dispose();
    for (const e of this.evalEnvs) e.close?.();
  }
}

class DivergenceError extends Error {}

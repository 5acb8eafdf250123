/**
 * The run store: one folder per run under the runs directory.
 *
 *   <runsDir>/<id>/config.json    validated RunConfig + app version + backend (atomic)
 *   <runsDir>/<id>/run.json       name, status, step, best evaluation, timestamps (atomic)
 *   <runsDir>/<id>/metrics.jsonl  append-only, one {kind, step, ...} per line
 *   <runsDir>/<id>/events.jsonl   append-only disengagements and other events
 *   <runsDir>/<id>/checkpoints/   written by the learner (atomic, see checkpoint code)
 *   <runsDir>/<id>/exports/       policy exports
 */
import { deepMerge } from '../../src-shared/util/objects.js';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { algoEnvMisfit } from '../../src-shared/config/action-fit.js';
import { backendMisfit, withBackendLayout } from '../../src-shared/config/backend-fit.js';
import { buildRunConfig, RunConfig, type RunConfigInput } from '../../src-shared/config/run-config.js';
import { ContractError, formatIssues } from '../../src-shared/protocol.js';
import { MetricLine, RunEvent, RunId, RunStatus, type RunDetail, type RunSummary } from '../../src-shared/types.js';
import { readJsonIfExists, readJsonlLines, writeJsonAtomic } from '../core/durable-write.js';
import { claimOwnerFile, OwnerConflict, ownerAlive, readOwner, releaseOwnerFile } from './run-owner.js';
import { checkpointStep, DamagedRunFile, readRunFile, unknownKeys } from './run-files.js';

/** What run.json holds. */
export const RunMeta = z.object({
  name: z.string(),
  status: RunStatus,
  step: z.number().int(),
  bestEval: z.number().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RunMeta = z.infer<typeof RunMeta>;

/** What config.json holds: the run's config plus provenance. */
export const StoredConfig = z.object({
  appVersion: z.string(),
  backend: z.string().optional(),
  backendReason: z.string().optional(),
  config: RunConfig,
});
export type StoredConfig = z.infer<typeof StoredConfig>;

export const RUN_FILES = {
  config: 'config.json',
  meta: 'run.json',
  metrics: 'metrics.jsonl',
  events: 'events.jsonl',
  checkpoints: 'checkpoints',
  exports: 'exports',
  /** Present while a process trains the run: {pid, hostname, startedAt}. */
  owner: 'owner.json',
} as const;

function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return s || 'run';
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

export class RunStore {
  readonly root: string;
  constructor(
    root: string,
    private readonly appVersion: string,
  ) {
    this.root = resolve(root);
    mkdirSync(this.root, { recursive: true });
  }

  dir(id: string): string {
    const parsed = RunId.safeParse(id);
    if (!parsed.success) throw new ContractError('bad-request', `invalid run id "${id}"`);
    return join(this.root, parsed.data);
  }

  /** Claims held by this store (run id -> owner token). */
  private readonly claims = new Map<string, string>();

  exists(id: string): boolean {
    return existsSync(join(this.dir(id), RUN_FILES.meta));
  }

  /** A run folder is one with run.json or config.json (either may be the damaged one). */
  private requireRun(id: string): string {
    const dir = this.dir(id);
    if (!existsSync(join(dir, RUN_FILES.meta)) && !existsSync(join(dir, RUN_FILES.config)))
      throw new ContractError('not-found', `no run "${id}" in ${this.root}`);
    return dir;
  }

  /** Reads one of the run's JSON files; a damaged one is a ContractError naming the file and the fix. */
  private readFile<S extends z.ZodType>(id: string, file: string, schema: S): z.output<S> {
    const dir = this.requireRun(id);
    try {
      return readRunFile(dir, file, schema);
    } catch (e) {
      if (!(e instanceof DamagedRunFile)) throw e;
      throw new ContractError('conflict', `run "${id}" is damaged: ${e.file} is ${e.reason}; "runs repair ${id}" rebuilds what it can`);
    }
  }

  /** Validates the input config (presets and defaults applied) and creates the run folder. */
  /** A new run folder; `exactId` names it (refused when it exists), else a new name from the time and the run's name. */
  create(input: RunConfigInput, provenance: { backend?: string; backendReason?: string } = {}, exactId?: string): RunDetail {
    let config: RunConfig;
    try {
      // webgpu trains behind actor threads: a run that names no actors gets them (backend-fit.ts).
      config = withBackendLayout(buildRunConfig(input));
    } catch (e) {
      if (e instanceof z.ZodError) throw new ContractError('bad-request', 'invalid run config', formatIssues(e, 'config'));
      throw e;
    }
    // A run its algorithm could never start (DQN on continuous actions, ...) is refused now, not at its first step.
    const misfit = algoEnvMisfit(config.algo, config.env);
    if (misfit) throw new ContractError('bad-request', 'invalid run config', [`config.algo: ${misfit}`]);
    const backendProblem = backendMisfit(config);
    if (backendProblem) throw new ContractError('bad-request', 'invalid run config', [`config.backend: ${backendProblem}`]);
    // The schema drops keys it does not know; refuse them instead, as the CLI does for --set.
    const unknown = unknownKeys(input as Record<string, unknown>, config);
    if (unknown.length)
      throw new ContractError(
        'bad-request',
        'invalid run config',
        unknown.map((k) => `config.${k}: unknown config key`),
      );
    const now = new Date();
    const base = exactId ?? `${stamp(now)}-${slug(config.name)}`;
    let id = base;
    if (exactId === undefined) for (let i = 2; existsSync(join(this.root, id)); i++) id = `${base}-${i}`;
    const dir = join(this.root, id);
    mkdirSync(this.root, { recursive: true });
    try {
      // Claims the folder: of two creators of one exact id, one gets EEXIST here.
      mkdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST')
        throw new ContractError('conflict', `${dir} already exists; a new run needs a folder that does not exist yet`);
      throw e;
    }
    try {
      mkdirSync(join(dir, RUN_FILES.checkpoints), { recursive: true });
      mkdirSync(join(dir, RUN_FILES.exports), { recursive: true });
      const stored: StoredConfig = { appVersion: this.appVersion, ...provenance, config };
      writeJsonAtomic(join(dir, RUN_FILES.config), stored);
      const meta: RunMeta = { name: config.name, status: 'created', step: 0, bestEval: null, createdAt: now.toISOString(), updatedAt: now.toISOString() };
      writeJsonAtomic(join(dir, RUN_FILES.meta), meta);
    } catch (e) {
      // A full or read-only disk: no half-made run folder is left behind.
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // nothing more to do
      }
      throw e;
    }
    return this.get(id);
  }

  readMeta(id: string): RunMeta {
    return this.readFile(id, RUN_FILES.meta, RunMeta);
  }

  readConfig(id: string): StoredConfig {
    return this.readFile(id, RUN_FILES.config, StoredConfig);
  }

  /** Records which backend trains the run (written into config.json). */
  setBackend(id: string, backend: string, backendReason: string): void {
    const stored = this.readConfig(id);
    writeJsonAtomic(join(this.dir(id), RUN_FILES.config), { ...stored, backend, backendReason });
  }

  updateMeta(id: string, patch: Partial<Omit<RunMeta, 'createdAt'>>): RunMeta {
    const meta = { ...this.readMeta(id), ...patch, updatedAt: new Date().toISOString() };
    writeJsonAtomic(join(this.dir(id), RUN_FILES.meta), RunMeta.parse(meta));
    return meta;
  }

  summary(id: string): RunSummary {
    const meta = this.readMeta(id);
    const { config } = this.readConfig(id);
    const interrupted = this.looksInterrupted(id, meta.status);
    return {
      id,
      name: meta.name,
      env: config.env.id,
      algo: config.algo,
      status: interrupted ? 'interrupted' : meta.status,
      // An interrupted run resumes from its last checkpoint: show that step, not a stale one.
      step: interrupted ? (checkpointStep(join(this.dir(id), RUN_FILES.checkpoints)) ?? meta.step) : meta.step,
      totalSteps: config.totalSteps,
      ...(config.drive ? { pipeline: 'drive' as const } : {}),
      bestEval: meta.bestEval,
      createdAt: meta.createdAt,
      updatedAt: meta.updatedAt,
    };
  }

  get(id: string): RunDetail {
    return { ...this.summary(id), config: this.readConfig(id).config, dir: this.dir(id) };
  }

  /**
   * Every run, newest first. A run whose run.json or config.json cannot be read is listed as
   * `damaged` with the file and the reason (it must neither vanish nor hide the others).
   */
  list(): RunSummary[] {
    const out: RunSummary[] = [];
    for (const name of readdirSync(this.root)) {
      if (!RunId.safeParse(name).success) continue;
      const dir = join(this.root, name);
      try {
        if (!statSync(dir).isDirectory() || (!existsSync(join(dir, RUN_FILES.meta)) && !existsSync(join(dir, RUN_FILES.config)))) continue;
      } catch {
        continue; // removed while listing
      }
      try {
        out.push(this.summary(name));
      } catch {
        out.push(this.damagedSummary(name));
      }
    }
    return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
  }

  /** What can be said of a run whose files do not all read: the damaged file, and whatever else reads. */
  private damagedSummary(id: string): RunSummary {
    const dir = this.dir(id);
    let damage: { file: string; reason: string } | undefined;
    const read = <S extends z.ZodType>(file: string, schema: S): z.output<S> | undefined => {
      try {
        return readRunFile(dir, file, schema);
      } catch (e) {
        damage ??= e instanceof DamagedRunFile ? { file: e.file, reason: e.reason } : { file, reason: e instanceof Error ? e.message : String(e) };
        return undefined;
      }
    };
    const meta = read(RUN_FILES.meta, RunMeta);
    const stored = read(RUN_FILES.config, StoredConfig);
    let mtime = new Date(0).toISOString();
    try {
      mtime = statSync(dir).mtime.toISOString();
    } catch {
      // gone: the epoch sorts it last
    }
    return {
      id,
      name: meta?.name ?? stored?.config.name ?? id,
      env: stored?.config.env.id ?? '?',
      algo: stored?.config.algo ?? '?',
      status: 'damaged',
      step: meta?.step ?? checkpointStep(join(dir, RUN_FILES.checkpoints)) ?? 0,
      totalSteps: stored?.config.totalSteps ?? 0,
      bestEval: meta?.bestEval ?? null,
      createdAt: meta?.createdAt ?? mtime,
      updatedAt: meta?.updatedAt ?? mtime,
      damage: damage ?? { file: RUN_FILES.meta, reason: 'unreadable' },
    };
  }

  /**
   * Whether run.json says the run trains but no live process does: `running` without a live
   * owner, or `paused` with a stale owner.json left behind (a run paused because its disk filled
   * up has released its owner and stays `paused`).
   */
  private looksInterrupted(id: string, status: RunStatus): boolean {
    if (status !== 'running' && status !== 'paused') return false;
    const owner = readOwner(join(this.dir(id), RUN_FILES.owner));
    if (owner) return !ownerAlive(owner);
    if (status === 'paused') return false;
    return !this.claims.has(id);
  }

  /**
   * Marks the run as trained by this store's process: owner.json created exclusively, so of two
   * processes starting the run at once one gets a conflict. Cleared by releaseOwner.
   */
  claimOwner(id: string): void {
    try {
      this.claims.set(id, claimOwnerFile(join(this.dir(id), RUN_FILES.owner)));
    } catch (e) {
      if (e instanceof OwnerConflict) throw new ContractError('conflict', `run "${id}" is being trained by another Drive Lab process (${e.message})`);
      throw e;
    }
  }

  /** Removes this store's owner.json of the run (best-effort: the folder may be gone or read-only). */
  releaseOwner(id: string): void {
    releaseOwnerFile(join(this.dir(id), RUN_FILES.owner), this.claims.get(id));
    this.claims.delete(id);
  }

  /** True when another live process (or another engine of this one) trains the run. */
  ownedElsewhere(id: string): boolean {
    if (this.claims.has(id)) return false;
    const owner = readOwner(join(this.dir(id), RUN_FILES.owner));
    return owner !== undefined && ownerAlive(owner);
  }

  /**
   * Runs left 'running' or 'paused' by a process that died (crash, kill, power loss) become
   * 'interrupted', at the step of their last checkpoint; starting them again resumes from it.
   * Runs that a live process trains are left alone. Best-effort: on a read-only or full disk
   * nothing is written (listing shows them interrupted anyway). Returns the ids it recovered.
   */
  recoverInterrupted(): string[] {
    const recovered: string[] = [];
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      return recovered;
    }
    for (const id of names) {
      if (!RunId.safeParse(id).success) continue;
      try {
        const meta = readRunFile(this.dir(id), RUN_FILES.meta, RunMeta);
        if (!this.looksInterrupted(id, meta.status)) continue;
        const step = checkpointStep(join(this.dir(id), RUN_FILES.checkpoints)) ?? meta.step;
        this.updateMeta(id, { status: 'interrupted', step });
        releaseOwnerFile(join(this.dir(id), RUN_FILES.owner), undefined);
        recovered.push(id);
      } catch {
        // Damaged, removed meanwhile, or a read-only/full disk: leave it as it is.
      }
    }
    return recovered;
  }

  /**
   * Rebuilds a damaged run.json from what the folder still holds: the name and step count from
   * config.json, the step from the newest checkpoint, the best evaluation from metrics.jsonl.
   * The damaged file is kept beside it (run.json.damaged). config.json cannot be rebuilt.
   */
  repair(id: string): { id: string; repaired: string[]; summary: RunSummary } {
    const dir = this.requireRun(id);
    let stored: StoredConfig;
    try {
      stored = readRunFile(dir, RUN_FILES.config, StoredConfig);
    } catch (e) {
      const why = e instanceof DamagedRunFile ? e.reason : String(e);
      throw new ContractError(
        'conflict',
        `run "${id}": ${RUN_FILES.config} is ${why}; it cannot be rebuilt (the config is kept nowhere else): restore it from a backup, or start a new run`,
      );
    }
    const repaired: string[] = [];
    try {
      readRunFile(dir, RUN_FILES.meta, RunMeta);
    } catch (e) {
      if (!(e instanceof DamagedRunFile)) throw e;
      const metaPath = join(dir, RUN_FILES.meta);
      if (existsSync(metaPath)) writeJsonAtomic(`${metaPath}.damaged.json`, { damaged: readFileSync(metaPath, 'utf8') });
      const step = checkpointStep(join(dir, RUN_FILES.checkpoints)) ?? 0;
      let bestEval: number | null = null;
      for (const line of readJsonlLines(join(dir, RUN_FILES.metrics)).lines) {
        const l = line as { kind?: unknown; mean_return?: unknown };
        if (l.kind === 'eval' && typeof l.mean_return === 'number' && (bestEval === null || l.mean_return > bestEval)) bestEval = l.mean_return;
      }
      const evalJson = readJsonIfExists<{ step?: unknown }>(join(dir, 'eval.json'));
      const finished = typeof evalJson?.step === 'number' && evalJson.step === step && step > 0;
      const created = statSync(join(dir, RUN_FILES.config)).mtime.toISOString();
      const meta: RunMeta = {
        name: stored.config.name,
        status: finished ? 'finished' : step > 0 ? 'interrupted' : 'created',
        step,
        bestEval,
        createdAt: created,
        updatedAt: new Date().toISOString(),
      };
      writeJsonAtomic(metaPath, meta);
      repaired.push(
        `${RUN_FILES.meta}: rebuilt (status ${meta.status}, step ${step}, best eval ${bestEval ?? '-'})${e.reason === 'missing' ? '' : `; the damaged one is kept as ${RUN_FILES.meta}.damaged.json`}`,
      );
    }
    return { id, repaired, summary: this.summary(id) };
  }

  rename(id: string, name: string): RunSummary {
    this.updateMeta(id, { name });
    const stored = this.readConfig(id);
    writeJsonAtomic(join(this.dir(id), RUN_FILES.config), { ...stored, config: { ...stored.config, name } });
    return this.summary(id);
  }

  delete(id: string): void {
    const dir = this.requireRun(id);
    rmSync(dir, { recursive: true, force: true });
  }

  /** A new run with the same config, deep-merged with `changes`. */
  duplicate(id: string, changes: Record<string, unknown>): RunDetail {
    const { config } = this.readConfig(id);
    const merged = deepMerge(config as unknown as Record<string, unknown>, changes);
    if (!('name' in changes)) merged.name = `${config.name} (copy)`;
    let built: RunConfig;
    try {
      built = buildRunConfig(merged as RunConfigInput);
    } catch (e) {
      if (e instanceof z.ZodError) throw new ContractError('bad-request', 'invalid run config', formatIssues(e, 'config'));
      throw e;
    }
    const unknown = unknownKeys(changes, built);
    if (unknown.length)
      throw new ContractError(
        'bad-request',
        'invalid run config',
        unknown.map((k) => `changes.${k}: unknown config key`),
      );
    return this.create(merged as RunConfigInput);
  }

  metrics(id: string, from: number, limit: number): { lines: MetricLine[]; next: number } {
    const { lines, next } = readJsonlLines(join(this.requireRun(id), RUN_FILES.metrics), from, limit);
    return { lines: lines.filter((l) => MetricLine.safeParse(l).success) as MetricLine[], next };
  }

  events(id: string, from: number, limit: number): { events: RunEvent[]; next: number } {
    const { lines, next } = readJsonlLines(join(this.requireRun(id), RUN_FILES.events), from, limit);
    return { events: lines.filter((l) => RunEvent.safeParse(l).success) as RunEvent[], next };
  }
}

export { deepMerge, readJsonIfExists };

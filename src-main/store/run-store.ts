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
import { deepMerge, isPlainObject } from '../../src-shared/util/objects.js';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { buildRunConfig, RunConfig, type RunConfigInput } from '../../src-shared/config/run-config.js';
import { ContractError, formatIssues } from '../../src-shared/protocol.js';
import { MetricLine, RunEvent, RunId, RunStatus, type RunDetail, type RunSummary } from '../../src-shared/types.js';
import { readJson, readJsonIfExists, readJsonlLines, writeJsonAtomic } from '../core/durable-write.js';

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

const RunOwner = z.object({ pid: z.number().int(), hostname: z.string(), startedAt: z.string() });

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

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

  exists(id: string): boolean {
    return existsSync(join(this.dir(id), RUN_FILES.meta));
  }

  private requireRun(id: string): string {
    const dir = this.dir(id);
    if (!existsSync(join(dir, RUN_FILES.meta))) throw new ContractError('not-found', `no run "${id}" in ${this.root}`);
    return dir;
  }

  /** Validates the input config (presets and defaults applied) and creates the run folder. */
  create(input: RunConfigInput, provenance: { backend?: string; backendReason?: string } = {}): RunDetail {
    let config: RunConfig;
    try {
      config = buildRunConfig(input);
    } catch (e) {
      if (e instanceof z.ZodError) throw new ContractError('bad-request', 'invalid run config', formatIssues(e, 'config'));
      throw e;
    }
    const now = new Date();
    const base = `${stamp(now)}-${slug(config.name)}`;
    let id = base;
    for (let i = 2; existsSync(join(this.root, id)); i++) id = `${base}-${i}`;
    const dir = join(this.root, id);
    mkdirSync(join(dir, RUN_FILES.checkpoints), { recursive: true });
    mkdirSync(join(dir, RUN_FILES.exports), { recursive: true });
    const stored: StoredConfig = { appVersion: this.appVersion, ...provenance, config };
    writeJsonAtomic(join(dir, RUN_FILES.config), stored);
    const meta: RunMeta = { name: config.name, status: 'created', step: 0, bestEval: null, createdAt: now.toISOString(), updatedAt: now.toISOString() };
    writeJsonAtomic(join(dir, RUN_FILES.meta), meta);
    return this.get(id);
  }

  readMeta(id: string): RunMeta {
    return RunMeta.parse(readJson(join(this.requireRun(id), RUN_FILES.meta)));
  }

  readConfig(id: string): StoredConfig {
    return StoredConfig.parse(readJson(join(this.requireRun(id), RUN_FILES.config)));
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
    return {
      id,
      name: meta.name,
      env: config.env.id,
      algo: config.algo,
      status: meta.status,
      step: meta.step,
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

  /** Every readable run, newest first. Folders that are not runs (or are damaged) are skipped. */
  list(): RunSummary[] {
    const out: RunSummary[] = [];
    for (const name of readdirSync(this.root)) {
      if (!RunId.safeParse(name).success) continue;
      const dir = join(this.root, name);
      try {
        if (!statSync(dir).isDirectory() || !existsSync(join(dir, RUN_FILES.meta))) continue;
        out.push(this.summary(name));
      } catch {
        // A damaged run must not hide the others; it can still be opened or deleted by id.
      }
    }
    return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
  }

  /** Marks the run as trained by this process (cleared by releaseOwner). */
  claimOwner(id: string): void {
    writeJsonAtomic(join(this.dir(id), RUN_FILES.owner), { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() });
  }

  releaseOwner(id: string): void {
    rmSync(join(this.dir(id), RUN_FILES.owner), { force: true });
  }

  /** True when another live process on this machine trains the run. */
  ownedElsewhere(id: string): boolean {
    const owner = RunOwner.safeParse(readJsonIfExists(join(this.dir(id), RUN_FILES.owner)));
    if (!owner.success || owner.data.pid === process.pid) return false;
    return owner.data.hostname !== hostname() || processAlive(owner.data.pid);
  }

  /**
   * Runs left 'running' or 'paused' by a process that died (crash, kill, power loss) become
   * 'stopped'; starting them again resumes from their last complete checkpoint. Runs that a
   * live process trains are left alone. Returns the ids it recovered.
   */
  recoverInterrupted(): string[] {
    const recovered: string[] = [];
    for (const run of this.list()) {
      if (run.status !== 'running' && run.status !== 'paused') continue;
      if (this.ownedElsewhere(run.id)) continue;
      this.updateMeta(run.id, { status: 'stopped' });
      this.releaseOwner(run.id);
      recovered.push(run.id);
    }
    return recovered;
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

/**
 * The runs as the UI knows them: the list from runs.list, kept live by run.status,
 * run.progress and run.metric (eval) events, plus every action on a run. Each action marks
 * the run busy with its name while the request is in flight and reports failures as toasts.
 */
import type { EventOf } from '../../../src-shared/contract';
import type { RunConfigInput } from '../../../src-shared/config/run-config';
import type { RunDetail, RunStatus, RunSummary, TrainSpeed } from '../../../src-shared/types';
import type { UiClient } from './engine-client';
import { explainFailure } from './failure';
import type { Toasts } from './toasts.svelte';

/** Shortest time (ms) between two progress redraws of the page. */
const PROGRESS_MS = 2000;

export type RunProgress = Omit<EventOf<'run.progress'>, 'id'> & { at: number };

export type RunAction = 'start' | 'pause' | 'resume' | 'stop' | 'evaluate' | 'speed' | 'rename' | 'delete' | 'duplicate';

/** Statuses in which a worker thread is training the run. */
export const ACTIVE: ReadonlySet<RunStatus> = new Set(['running', 'paused']);

const SPEED_KEY = 'drive-lab.speed.';

export class RunsState {
  list = $state<RunSummary[]>([]);
  loaded = $state(false);
  loadError = $state<string | null>(null);
  /** Latest run.progress per run id. */
  progress = $state<Record<string, RunProgress>>({});
  /** Last status message (why a run failed or stopped) per run id. */
  messages = $state<Record<string, string>>({});
  /** Speed per run id: what the engine reported, else what the user picked before starting. */
  speeds = $state<Record<string, TrainSpeed>>({});
  /** The action in flight per run id. */
  busy = $state<Record<string, RunAction | undefined>>({});

  constructor(
    private readonly client: UiClient,
    private readonly toasts: Toasts,
  ) {
    client.on('run.status', (e) => this.onStatus(e));
    client.on('run.progress', (e) => this.onProgress(e));
    client.on('runs.changed', () => void this.refresh());
    client.on('run.metric', (e) => {
      if (e.line.kind === 'episode') this.onEpisode(e.id);
      const v = e.line.kind === 'eval' ? e.line.mean_return : undefined;
      if (typeof v !== 'number' || !Number.isFinite(v)) return;
      this.patch(e.id, (r) => (r.bestEval === null || v > r.bestEval ? { bestEval: v } : {}));
    });
  }

  get(id: string): RunSummary | undefined {
    return this.list.find((r) => r.id === id);
  }

  activeCount(): number {
    return this.list.filter((r) => ACTIVE.has(r.status)).length;
  }

  speedOf(id: string): TrainSpeed {
    if (this.speeds[id]) return this.speeds[id];
    try {
      const v = localStorage.getItem(SPEED_KEY + id);
      if (v === 'realtime' || v === 'fast') return v;
    } catch {
      // no storage: default
    }
    return 'fast';
  }

  private patch(id: string, f: (r: RunSummary) => Partial<RunSummary>): void {
    const i = this.list.findIndex((r) => r.id === id);
    if (i < 0) return;
    const p = f(this.list[i]!);
    if (Object.keys(p).length) this.list[i] = { ...this.list[i]!, ...p };
  }

  private upsert(summary: RunSummary): void {
    const i = this.list.findIndex((r) => r.id === summary.id);
    if (i >= 0) {
      const cur = this.list[i]!;
      // run.json's step lags the live progress by up to two seconds: keep the larger one.
      this.list[i] = { ...summary, step: ACTIVE.has(summary.status) ? Math.max(summary.step, cur.step) : summary.step };
    } else this.list = [summary, ...this.list];
  }

  private onStatus(e: EventOf<'run.status'>): void {
    if (!this.get(e.id)) {
      void this.refresh();
      return;
    }
    this.patch(e.id, () => ({ status: e.status, step: e.step }));
    if (e.message) this.messages[e.id] = e.message;
    else if (e.status === 'running') delete this.messages[e.id];
    if (e.status === 'failed') void this.tellFailure(e);
  }

  /** One toast for a failed run: in words, with its last checkpoint and what to do (see lib/failure). */
  private async tellFailure(e: EventOf<'run.status'>): Promise<void> {
    const name = this.get(e.id)?.name ?? e.id;
    let checkpointEvery: number | undefined;
    try {
      checkpointEvery = (await this.client.request('runs.get', { id: e.id })).config.checkpointEvery;
    } catch {
      // the toast goes without the checkpoint line
    }
    const text = explainFailure(e.message, { name, step: e.step, checkpointEvery });
    this.toasts.push('error', text.title, text.lines, 30_000);
  }

  /** Progress events not shown yet, by run id (the page redraws progress at most once a second). */
  private pendingProgress = new Map<string, EventOf<'run.progress'>>();
  /** The latest progress received per run id, its episode count moved on by later episode lines. */
  private received = new Map<string, EventOf<'run.progress'>>();
  private progressTimer: ReturnType<typeof setTimeout> | undefined;
  private lastProgressFlush = 0;

  /**
   * A training run reports progress several times a second; every redraw of the page costs a
   * software-composited frame, so the page takes the latest at most once per PROGRESS_MS.
   */
  private onProgress(e: EventOf<'run.progress'>): void {
    this.received.set(e.id, e);
    this.queueProgress(e);
  }

  /**
   * A finished episode's metric line: counted at once. The trainer reports progress now and then
   * (and not at all while the user drives after a takeover, which ends an episode), so its count
   * alone lags the episodes the run has recorded; the count is the last progress's plus the
   * episode lines that came after it (both come down the same ordered stream).
   */
  private onEpisode(id: string): void {
    const last = this.received.get(id);
    if (!last) return;
    const next = { ...last, episodes: last.episodes + 1 };
    this.received.set(id, next);
    this.queueProgress(next);
  }

  private queueProgress(e: EventOf<'run.progress'>): void {
    this.pendingProgress.set(e.id, e);
    if (this.progressTimer) return;
    const wait = Math.max(0, PROGRESS_MS - (Date.now() - this.lastProgressFlush));
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
      this.lastProgressFlush = Date.now();
      const events = [...this.pendingProgress.values()];
      this.pendingProgress.clear();
      for (const p of events) this.applyProgress(p);
    }, wait);
  }

  private applyProgress(e: EventOf<'run.progress'>): void {
    const { id, ...p } = e;
    this.progress[id] = { ...p, at: Date.now() };
    if (p.speed) this.speeds[id] = p.speed;
    this.patch(id, (r) => (p.step > r.step || r.totalSteps !== p.totalSteps ? { step: Math.max(p.step, r.step), totalSteps: p.totalSteps } : {}));
  }

  /** Reloads the list (on start, after a reconnect, and every few seconds for other windows' changes). */
  async refresh(): Promise<void> {
    try {
      const fresh = await this.client.request('runs.list', {});
      const old = new Map(this.list.map((r) => [r.id, r]));
      this.list = fresh.map((r) => {
        const cur = old.get(r.id);
        return cur && ACTIVE.has(r.status) ? { ...r, step: Math.max(r.step, cur.step) } : r;
      });
      this.loaded = true;
      this.loadError = null;
    } catch (e) {
      this.loadError = e instanceof Error ? e.message : String(e);
    }
  }

  private async act<T>(id: string, action: RunAction, what: string, call: () => Promise<T>): Promise<T | undefined> {
    this.busy[id] = action;
    try {
      return await call();
    } catch (e) {
      this.toasts.error(what, e);
      return undefined;
    } finally {
      if (this.busy[id] === action) delete this.busy[id];
    }
  }

  async create(config: RunConfigInput): Promise<RunDetail> {
    // Errors go back to the form, which shows them beside the fields.
    const run = await this.client.request('runs.create', { config: config as Record<string, unknown> });
    this.upsert(run);
    return run;
  }

  async duplicate(id: string, changes: Record<string, unknown>): Promise<RunDetail> {
    const run = await this.client.request('runs.duplicate', { id, changes });
    this.upsert(run);
    return run;
  }

  async rename(id: string, name: string): Promise<boolean> {
    const r = await this.act(id, 'rename', 'Could not rename the run', () => this.client.request('runs.rename', { id, name }));
    if (r) this.upsert(r);
    return r !== undefined;
  }

  /** Deletes the run in the engine; the caller drops it from the list (after moving the view off it). */
  async remove(id: string): Promise<boolean> {
    const r = await this.act(id, 'delete', 'Could not delete the run', () => this.client.request('runs.delete', { id }));
    return r !== undefined;
  }

  /** Forgets a run that no longer exists. */
  drop(id: string): void {
    this.list = this.list.filter((x) => x.id !== id);
    delete this.progress[id];
    this.pendingProgress.delete(id);
    delete this.messages[id];
  }

  async start(id: string): Promise<void> {
    const speed = this.speedOf(id);
    const r = await this.act(id, 'start', 'Could not start training', () => this.client.request('train.start', { id }));
    if (!r) return;
    this.upsert(r);
    // Training starts fast; a run the user set to real time is switched right away.
    if (speed === 'realtime') await this.setSpeed(id, speed);
  }

  async pause(id: string): Promise<void> {
    const r = await this.act(id, 'pause', 'Could not pause', () => this.client.request('train.pause', { id }));
    if (r) this.upsert(r);
  }

  async resume(id: string): Promise<void> {
    const r = await this.act(id, 'resume', 'Could not resume', () => this.client.request('train.resume', { id }));
    if (r) this.upsert(r);
  }

  async stop(id: string): Promise<void> {
    const r = await this.act(id, 'stop', 'Could not stop', () => this.client.request('train.stop', { id }));
    if (r) this.upsert(r);
  }

  async evaluate(id: string): Promise<boolean> {
    const r = await this.act(id, 'evaluate', 'Could not start an evaluation', () => this.client.request('train.evaluate', { id }));
    if (r) this.upsert(r);
    return r !== undefined;
  }

  /** Sets the speed: at once on a training run, else remembered and applied when it starts. */
  async setSpeed(id: string, speed: TrainSpeed): Promise<void> {
    try {
      localStorage.setItem(SPEED_KEY + id, speed);
    } catch {
      // no storage
    }
    const run = this.get(id);
    if (!run || !ACTIVE.has(run.status)) {
      this.speeds[id] = speed;
      return;
    }
    const previous = this.speeds[id];
    this.speeds[id] = speed;
    const r = await this.act(id, 'speed', 'Could not change the speed', () => this.client.request('train.setSpeed', { id, speed }));
    if (!r) {
      if (previous) this.speeds[id] = previous;
      else delete this.speeds[id];
    } else this.speeds[id] = r.speed;
  }
}

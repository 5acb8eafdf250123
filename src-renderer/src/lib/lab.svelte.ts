/**
 * The app's state in one place, shared through Svelte context: the engine link, runs,
 * metrics, engine status, theme, route, toasts and the dialogs. Components read it with
 * getLab(); nothing here touches the DOM beyond the theme and the URL hash.
 */
import { getContext, setContext } from 'svelte';
import { RunStageUpdate, type EngineStatus, type RunSummary } from '../../../src-shared/types';
import { ActorsLine } from '../../../src-shared/actors';
import { Connection } from './connection.svelte';
import type { UiClient } from './engine-client';
import { MetricsHub } from './metrics/metrics-hub.svelte';
import { Router, type RunTab } from './router.svelte';
import { ACTIVE, RunsState } from './runs.svelte';
import { ThemeState } from './theme.svelte';
import { Toasts } from './toasts.svelte';
import { ManualDriver } from './live/driver.svelte';
import { LiveRun } from './live/live-run.svelte';
import { RunEvents } from './live/run-events.svelte';

export interface ConfirmRequest {
  title: string;
  message: string;
  confirmLabel: string;
  danger?: boolean;
  resolve: (ok: boolean) => void;
}

const STATUS_POLL_MS = 5_000;
const LIST_POLL_MS = 10_000;
/** How long a run's raw error line waits for the run's "failed" status (which replaces it). */
const HOLD_RUN_ERROR_MS = 1_500;

export class Lab {
  readonly connection: Connection;
  readonly toasts = new Toasts();
  readonly theme = new ThemeState();
  readonly router = new Router();
  readonly runs: RunsState;
  readonly metrics: MetricsHub;

  status = $state<EngineStatus | null>(null);
  statusError = $state<string | null>(null);
  helpOpen = $state(false);
  confirmRequest = $state<ConfirmRequest | null>(null);
  /** Run id whose "train again with another seed" dialog is open. */
  reseedFor = $state<string | null>(null);
  /** Run id whose name is being edited in place. */
  renaming = $state<string | null>(null);
  /** Run id whose Export dialog is open. */
  exportFor = $state<string | null>(null);
  readonly driver: ManualDriver;
  private readonly lives = new Map<string, LiveRun>();
  private readonly eventLogs = new Map<string, RunEvents>();
  /** Raw error lines of runs, held for HOLD_RUN_ERROR_MS (see engine.log below). */
  private readonly heldErrors = new Map<string, ReturnType<typeof setTimeout>>();
  /** The latest live stage update of each drive pipeline run (stage_progress events), by run id. */
  stageProgress = $state.raw<Record<string, RunStageUpdate & { t: number }>>({});
  /** The latest actors of each async run (live "actors" events, validated), by run id. */
  actorStates = $state.raw<Record<string, ActorsLine & { t: number }>>({});

  constructor(readonly client: UiClient) {
    this.connection = new Connection(client.transport);
    this.runs = new RunsState(client, this.toasts);
    this.metrics = new MetricsHub(client);
    this.driver = new ManualDriver(client, this.toasts);
    client.on('run.frame', ({ id, ...frame }) => this.lives.get(id)?.onFrame(frame));
    client.on('run.manual', ({ id, ...m }) => {
      this.lives.get(id)?.onManual(m);
      if (!m.on && m.reason && m.reason !== 'released') {
        const why: Record<string, string> = {
          'input-timeout': 'no input from this window for 2 s',
          stopped: 'training stopped',
          unavailable: 'manual driving needs a lane run',
        };
        this.toasts.push('info', `The agent has the car again (${why[m.reason] ?? m.reason})`);
      }
      if (!m.on) this.driver.stopSending();
    });
    client.on('run.event', ({ id, event }) => {
      // A drive run's live stage progress is not kept in events.jsonl: it must not count as a line.
      if (event.kind === 'actors') {
        const a = ActorsLine.safeParse(event);
        if (a.success) this.actorStates = { ...this.actorStates, [id]: { ...a.data, t: event.t } };
        return;
      }
      if (event.kind === 'stage_progress') {
        const u = RunStageUpdate.safeParse(event);
        if (u.success) this.stageProgress = { ...this.stageProgress, [id]: { ...u.data, t: event.t } };
        return;
      }
      this.eventLogs.get(id)?.live(event);
    });
    client.on('engine.log', (e) => {
      if (e.level === 'warn') this.toasts.push('warn', e.message);
      if (e.level !== 'error') return;
      // A run's error comes just before its "failed" status, which gets one toast in words: hold
      // the raw line a moment and drop it when the failure follows.
      const run = /^run (\S+): /.exec(e.message)?.[1];
      if (run && this.runs.get(run)) {
        clearTimeout(this.heldErrors.get(run));
        this.heldErrors.set(
          run,
          setTimeout(() => {
            this.heldErrors.delete(run);
            this.toasts.push('error', e.message);
          }, HOLD_RUN_ERROR_MS),
        );
      } else this.toasts.push('error', e.message);
    });
    client.on('run.status', (e) => {
      if (e.status !== 'failed') return;
      clearTimeout(this.heldErrors.get(e.id));
      this.heldErrors.delete(e.id);
    });
    this.connection.onReconnect(() => {
      this.metrics.catchUp();
      for (const e of this.eventLogs.values()) e.catchUp();
      void this.runs.refresh();
      void this.refreshStatus();
      this.toasts.push('success', 'Reconnected to the engine');
    });
  }

  /** Starts loading and polling; returns the cleanup. */
  start(): () => void {
    void this.runs.refresh();
    void this.refreshStatus();
    const statusTimer = setInterval(() => {
      if (this.connection.state === 'open') void this.refreshStatus();
    }, STATUS_POLL_MS);
    const listTimer = setInterval(() => {
      if (this.connection.state === 'open') void this.runs.refresh();
    }, LIST_POLL_MS);
    return () => {
      clearInterval(statusTimer);
      clearInterval(listTimer);
    };
  }

  async refreshStatus(): Promise<void> {
    try {
      this.status = await this.client.request('engine.status', {});
      this.statusError = null;
    } catch (e) {
      this.statusError = e instanceof Error ? e.message : String(e);
    }
  }

  /** The live view state of a run (created on first use). */
  live(id: string): LiveRun {
    let l = this.lives.get(id);
    if (!l) this.lives.set(id, (l = new LiveRun(id, this.client)));
    return l;
  }

  /** The event log of a run (loaded on first use). */
  events(id: string): RunEvents {
    let e = this.eventLogs.get(id);
    if (!e) this.eventLogs.set(id, (e = new RunEvents(id, this.client)));
    return e;
  }

  /** The run the current route shows, if any. */
  get openRun(): RunSummary | undefined {
    const r = this.router.route;
    return r.name === 'run' ? this.runs.get(r.id) : undefined;
  }

  openRunById(id: string, tab?: RunTab): void {
    const r = this.router.route;
    const keepTab = r.name === 'run' ? r.tab : 'curves';
    this.router.go({ name: 'run', id, tab: tab ?? keepTab, compare: [] });
  }

  confirm(req: Omit<ConfirmRequest, 'resolve'>): Promise<boolean> {
    return new Promise((resolve) => {
      this.confirmRequest?.resolve(false);
      this.confirmRequest = { ...req, resolve };
    });
  }

  /** Start if idle, pause if running, resume if paused. */
  async toggleTraining(run: RunSummary): Promise<void> {
    if (run.status === 'running') await this.runs.pause(run.id);
    else if (run.status === 'paused') await this.runs.resume(run.id);
    else if (run.status === 'finished') this.toasts.push('info', 'This run has finished. Duplicate it to train again.');
    else await this.runs.start(run.id);
  }

  async evaluate(run: RunSummary): Promise<void> {
    if (!ACTIVE.has(run.status)) {
      this.toasts.push('info', 'Evaluate now needs a training run: start it first.');
      return;
    }
    if (await this.runs.evaluate(run.id)) this.toasts.push('info', 'Evaluation requested: its result appears in the Evaluation return curve.');
  }

  async stop(run: RunSummary): Promise<void> {
    if (!ACTIVE.has(run.status)) return;
    await this.runs.stop(run.id);
  }

  async remove(run: RunSummary): Promise<void> {
    if (ACTIVE.has(run.status)) {
      this.toasts.push('warn', `"${run.name}" is training: stop it before deleting it.`);
      return;
    }
    const ok = await this.confirm({
      title: 'Delete this run?',
      message: `"${run.name}" and its folder (config, metrics, checkpoints, exports) will be deleted. This cannot be undone.`,
      confirmLabel: 'Delete run',
      danger: true,
    });
    if (!ok) return;
    if (!(await this.runs.remove(run.id))) return;
    // Move the view off the run before it leaves the list: to the run below it, else above, else home.
    const r = this.router.route;
    if ((r.name === 'run' || r.name === 'duplicate') && r.id === run.id) {
      const list = this.runs.list;
      const index = list.findIndex((x) => x.id === run.id);
      const next = list[index + 1] ?? list[index - 1];
      if (next) this.openRunById(next.id);
      else this.router.go({ name: 'home' });
    }
    this.runs.drop(run.id);
    this.metrics.forget(run.id);
    this.lives.delete(run.id);
    this.eventLogs.delete(run.id);
    this.toasts.push('success', `Deleted "${run.name}"`);
  }
}

const KEY = Symbol('lab');

export function provideLab(lab: Lab): void {
  setContext(KEY, lab);
}

export function getLab(): Lab {
  return getContext<Lab>(KEY);
}

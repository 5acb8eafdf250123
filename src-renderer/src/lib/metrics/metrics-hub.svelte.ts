/**
 * Metrics of the runs on screen: history from runs.metrics (paged), then live run.metric
 * events appended. After a dropped connection it reads what it missed from the file.
 *
 * Why nothing is counted twice: the training worker appends a line to metrics.jsonl before
 * it posts the event, and the engine sends events and replies over one ordered link. So an
 * event that arrives before the reply to the last history page is already in that page;
 * while a load is in flight live events are dropped, and after it they are appended.
 */
import type { MetricLine } from '../../../../src-shared/types';
import type { UiClient } from '../engine-client';
import { RunMetrics } from './run-metrics';

const PAGE = 10_000;
/**
 * Live appends are coalesced into at most one redraw per this many milliseconds: a fast run
 * writes several episode lines a second, and every chart redraw costs a composited frame.
 */
const REDRAW_MS = 2000;

export type MetricsStatus = 'loading' | 'ready' | 'error';

export class RunMetricsEntry {
  readonly metrics = new RunMetrics();
  status = $state<MetricsStatus>('loading');
  error = $state<string | null>(null);
  /** Bumped when metrics change (throttled for live appends). */
  version = $state(0);
  loading = false;
  private again = false;
  private redraw: ReturnType<typeof setTimeout> | undefined;
  private lastRedraw = 0;

  constructor(
    readonly id: string,
    private readonly client: UiClient,
  ) {}

  /** Reads metrics.jsonl from where this entry stopped, to the end. */
  async load(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return;
    }
    this.loading = true;
    this.again = false;
    let failure: unknown;
    try {
      for (;;) {
        const from = this.metrics.lineCount;
        const page = await this.client.request('runs.metrics', { id: this.id, from, limit: PAGE });
        this.metrics.push(page.lines, false);
        this.metrics.lineCount = page.next;
        if (page.next - from < PAGE) break;
      }
    } catch (e) {
      failure = e;
    } finally {
      this.loading = false;
    }
    // Asked again meanwhile (a reconnect): read on from where this read stopped.
    if (this.again) return this.load();
    if (failure === undefined) {
      this.status = 'ready';
      this.error = null;
    } else {
      this.status = 'error';
      this.error = failure instanceof Error ? failure.message : String(failure);
    }
    this.bump(true);
  }

  /** Marks a load as started now (synchronously), so live events are dropped until it ends. */
  beginCatchUp(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return Promise.resolve();
    }
    return this.load();
  }

  live(line: MetricLine): void {
    if (this.loading || this.status === 'error') return;
    this.metrics.push([line]);
    this.bump(false);
  }

  private bump(now: boolean): void {
    if (now) {
      clearTimeout(this.redraw);
      this.redraw = undefined;
      this.lastRedraw = Date.now();
      this.version++;
      return;
    }
    // The first append after a quiet spell draws at once; those that follow wait their turn.
    this.redraw ??= setTimeout(
      () => {
        this.redraw = undefined;
        this.lastRedraw = Date.now();
        this.version++;
      },
      Math.max(0, REDRAW_MS - (Date.now() - this.lastRedraw)),
    );
  }
}

export class MetricsHub {
  private readonly entries = new Map<string, RunMetricsEntry>();

  constructor(private readonly client: UiClient) {
    client.on('run.metric', ({ id, line }) => this.entries.get(id)?.live(line));
  }

  /** The entry of a run, loading its history the first time. */
  get(id: string): RunMetricsEntry {
    let e = this.entries.get(id);
    if (!e) {
      e = new RunMetricsEntry(id, this.client);
      this.entries.set(id, e);
      void e.load();
    } else if (e.status === 'error' && !e.loading) void e.load();
    return e;
  }

  /** After a reconnect: every entry reads what it missed (called before new events arrive). */
  catchUp(): void {
    for (const e of this.entries.values()) void e.beginCatchUp();
  }

  forget(id: string): void {
    this.entries.delete(id);
  }
}

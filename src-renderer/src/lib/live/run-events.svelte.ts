/**
 * A run's events (disengagements, divergences, ...): history from runs.events (paged), then
 * live run.event appends; after a dropped connection it reads what it missed. The worker writes
 * each event to events.jsonl before posting it, and replies and events share one ordered link,
 * so the same no-double-count rule as the metrics applies (see metrics-hub.svelte.ts).
 */
import type { RunEvent } from '../../../../src-shared/types';
import type { UiClient } from '../engine-client';

const PAGE = 10_000;

export class RunEvents {
  /** All events so far (replaced, never mutated: live appends are batched every few hundred ms). */
  events = $state.raw<RunEvent[]>([]);
  loading = $state(true);
  error = $state<string | null>(null);
  private next = 0;
  private busy = false;
  private again = false;
  private pending: RunEvent[] = [];
  private flush: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly id: string,
    private readonly client: UiClient,
  ) {
    void this.load();
  }

  async load(): Promise<void> {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.loading = true;
    try {
      for (;;) {
        const from = this.next;
        const page = await this.client.request('runs.events', { id: this.id, from, limit: PAGE });
        if (page.events.length) this.events = this.events.concat(page.events);
        this.next = page.next;
        if (page.next - from < PAGE) break;
      }
      this.error = null;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      this.busy = false;
      this.loading = false;
    }
    if (this.again) {
      this.again = false;
      return this.load();
    }
  }

  live(e: RunEvent): void {
    if (this.busy) return;
    this.pending.push(e);
    this.next++;
    this.flush ??= setTimeout(() => {
      this.flush = undefined;
      this.events = this.events.concat(this.pending);
      this.pending = [];
    }, 250);
  }

  /** After a reconnect. */
  catchUp(): void {
    void this.load();
  }
}

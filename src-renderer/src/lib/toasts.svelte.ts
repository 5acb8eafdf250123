/** Short messages in the corner: errors stay until dismissed (or 12 s), the rest fade after 4 s. */
import { describeError } from './errors';

export type ToastKind = 'error' | 'warn' | 'info' | 'success';

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  detail: string[];
}

export class Toasts {
  items = $state<Toast[]>([]);
  private nextId = 1;
  private timers = new Map<number, ReturnType<typeof setTimeout>>();

  push(kind: ToastKind, title: string, detail: string[] = [], timeoutMs = kind === 'error' ? 12_000 : 4_000): number {
    // The same message twice in a row (e.g. a retried failure) is shown once.
    const same = this.items.find((t) => t.kind === kind && t.title === title && t.detail.join('\n') === detail.join('\n'));
    if (same) this.dismiss(same.id);
    const id = this.nextId++;
    this.items = [...this.items.slice(-4), { id, kind, title, detail }];
    if (timeoutMs > 0)
      this.timers.set(
        id,
        setTimeout(() => this.dismiss(id), timeoutMs),
      );
    return id;
  }

  /** An error from a request, with the engine's reason and issues. */
  error(what: string, e: unknown): void {
    const shown = describeError(e);
    this.push('error', `${what}: ${shown.message}`, shown.issues);
  }

  dismiss(id: number): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    this.items = this.items.filter((t) => t.id !== id);
  }
}

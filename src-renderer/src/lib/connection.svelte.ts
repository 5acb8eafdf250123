/** The link to the engine as the UI shows it, and the hook that runs after a reconnect. */
import type { ConnectionState, Transport } from './transport/types';

export class Connection {
  state = $state<ConnectionState>('connecting');
  /** True once the first connection opened (later drops are "reconnecting"). */
  everOpen = $state(false);
  /** How many times the link came back after a drop. */
  reconnects = $state(0);
  private readonly reconnectHooks = new Set<() => void>();

  constructor(transport: Transport) {
    transport.onState((s) => {
      const wasOpen = this.everOpen;
      this.state = s;
      if (s !== 'open') return;
      this.everOpen = true;
      if (wasOpen) {
        this.reconnects++;
        // Synchronously, before any event of the new link arrives.
        for (const h of this.reconnectHooks) h();
      }
    });
  }

  /** Runs `hook` each time the link comes back after a drop. */
  onReconnect(hook: () => void): () => void {
    this.reconnectHooks.add(hook);
    return () => this.reconnectHooks.delete(hook);
  }

  get reconnecting(): boolean {
    return this.everOpen && this.state !== 'open';
  }
}

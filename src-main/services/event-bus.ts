/** Typed fan-out of engine events to every connected front door; payloads are validated on emit. */
import { eventChannels, type EventChannel, type EventOf } from '../../src-shared/contract.js';
import { formatIssues } from '../../src-shared/protocol.js';

export type AnyEventListener = (channel: EventChannel, payload: unknown) => void;

export class EventBus {
  private readonly listeners = new Map<EventChannel, Set<(payload: never) => void>>();
  private readonly anyListeners = new Set<AnyEventListener>();

  emit<C extends EventChannel>(channel: C, payload: EventOf<C>): void {
    const checked = eventChannels[channel].safeParse(payload);
    if (!checked.success) {
      throw new Error(`event ${channel} breaks the contract: ${formatIssues(checked.error).join('; ')}`);
    }
    // One failing listener (a closed window, a broken socket) must neither stop the others nor
    // reach the emitter: a run's worker messages are emitted from its fault boundary.
    for (const l of this.listeners.get(channel) ?? []) this.call(() => (l as (p: EventOf<C>) => void)(checked.data as EventOf<C>), channel);
    for (const l of this.anyListeners) this.call(() => l(channel, checked.data), channel);
  }

  private call(f: () => void, channel: EventChannel): void {
    try {
      f();
    } catch (e) {
      console.error(`a listener of ${channel} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  on<C extends EventChannel>(channel: C, listener: (payload: EventOf<C>) => void): () => void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  /** Every event on every channel (used by transports that forward them all). */
  onAny(listener: AnyEventListener): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }
}

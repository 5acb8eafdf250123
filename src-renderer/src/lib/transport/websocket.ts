/**
 * Transport over a WebSocket (browser mode). Reconnects by itself with backoff; requests made
 * while the link is down wait for it (up to a timeout) instead of failing at once. A request
 * already sent when the link drops fails at once (its reply is lost with the socket), so the
 * caller can say so and retry rather than wait out the timeout.
 */
import { ServerEnvelope, type ResponseEnvelope } from '../../../../src-shared/protocol';
import type { ConnectionState, Transport } from './types';

export interface WebSocketTransportOptions {
  url: string;
  /** Milliseconds a request may wait for a reply (and for a reconnect). */
  requestTimeoutMs?: number;
  /** Reconnect backoff bounds in milliseconds. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

interface Pending {
  resolve: (r: ResponseEnvelope) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  /** The socket the request went out on (undefined while queued for a reconnect). */
  sentOn?: WebSocket;
  channel: string;
}

export function createWebSocketTransport(options: WebSocketTransportOptions): Transport {
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const minBackoff = options.minBackoffMs ?? 250;
  const maxBackoff = options.maxBackoffMs ?? 5_000;
  const pending = new Map<number, Pending>();
  const eventListeners = new Set<(channel: string, payload: unknown) => void>();
  const stateListeners = new Set<(s: ConnectionState) => void>();
  const queue: Array<{ id: number; text: string }> = [];
  let socket: WebSocket | undefined;
  let state: ConnectionState = 'connecting';
  let backoff = minBackoff;

  function setState(s: ConnectionState): void {
    state = s;
    for (const l of stateListeners) l(s);
  }

  function connect(): void {
    setState('connecting');
    const ws = new WebSocket(options.url);
    socket = ws;
    ws.onopen = () => {
      backoff = minBackoff;
      for (const { id, text } of queue.splice(0)) {
        const p = pending.get(id);
        if (!p) continue; // timed out while waiting
        p.sentOn = ws;
        ws.send(text);
      }
      setState('open');
    };
    ws.onmessage = (ev) => {
      let data: unknown;
      try {
        data = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      const parsed = ServerEnvelope.safeParse(data);
      if (!parsed.success) return;
      const msg = parsed.data;
      if (msg.type === 'event') {
        for (const l of eventListeners) l(msg.channel, msg.payload);
        return;
      }
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      clearTimeout(p.timer);
      p.resolve(msg);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      for (const [id, p] of pending) {
        if (p.sentOn !== ws) continue;
        pending.delete(id);
        clearTimeout(p.timer);
        p.reject(new Error(`the connection to the engine was lost before it answered ${p.channel}`));
      }
      setState('closed');
      setTimeout(connect, backoff);
      backoff = Math.min(maxBackoff, backoff * 2);
    };
    ws.onerror = () => ws.close();
  }

  connect();

  return {
    kind: 'websocket',
    get state() {
      return state;
    },
    request(envelope) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(envelope.id);
          reject(new Error(`no reply to ${envelope.channel} within ${timeoutMs} ms`));
        }, timeoutMs);
        const entry: Pending = { resolve, reject, timer, channel: envelope.channel };
        pending.set(envelope.id, entry);
        const text = JSON.stringify(envelope);
        if (socket && socket.readyState === WebSocket.OPEN) {
          entry.sentOn = socket;
          socket.send(text);
        } else queue.push({ id: envelope.id, text });
      });
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onState(listener) {
      stateListeners.add(listener);
      listener(state);
      return () => stateListeners.delete(listener);
    },
  };
}

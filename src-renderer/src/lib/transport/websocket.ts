/**
 * Transport over a WebSocket (browser mode). Reconnects by itself with backoff; requests made
 * while the link is down wait for it (up to a timeout) instead of failing at once.
 */
import { ServerEnvelope, type RequestEnvelope, type ResponseEnvelope } from '../../../../src-shared/protocol';
import type { ConnectionState, Transport } from './types';

export interface WebSocketTransportOptions {
  url: string;
  /** Milliseconds a request may wait for a reply (and for a reconnect). */
  requestTimeoutMs?: number;
  /** Reconnect backoff bounds in milliseconds. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export function createWebSocketTransport(options: WebSocketTransportOptions): Transport {
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const minBackoff = options.minBackoffMs ?? 250;
  const maxBackoff = options.maxBackoffMs ?? 5_000;
  const pending = new Map<number, { resolve: (r: ResponseEnvelope) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  const eventListeners = new Set<(channel: string, payload: unknown) => void>();
  const stateListeners = new Set<(s: ConnectionState) => void>();
  const queue: string[] = [];
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
      setState('open');
      for (const text of queue.splice(0)) ws.send(text);
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
        pending.set(envelope.id, { resolve, reject, timer });
        const text = JSON.stringify(envelope);
        if (socket && socket.readyState === WebSocket.OPEN) socket.send(text);
        else queue.push(text);
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

/**
 * The renderer's EngineClient: the UI calls typed channels and never knows whether the
 * transport is Electron IPC or a WebSocket. Replies and events are validated against the
 * contract before the UI sees them.
 */
import type { PreloadBridge } from '../../../src-shared/bridge';
import { BRIDGE_GLOBAL } from '../../../src-shared/bridge';
import {
  eventChannels,
  isEventChannel,
  requestChannels,
  type EngineClient,
  type EventChannel,
  type EventOf,
  type RequestChannel,
  type RequestOf,
  type ResponseOf,
} from '../../../src-shared/contract';
import { ContractError, formatIssues } from '../../../src-shared/protocol';
import { createIpcTransport } from './transport/ipc';
import type { ConnectionState, Transport } from './transport/types';
import { createWebSocketTransport } from './transport/websocket';

export interface UiClient extends EngineClient {
  readonly transport: Transport;
  onState(listener: (s: ConnectionState) => void): () => void;
}

export function createClient(transport: Transport): UiClient {
  let nextId = 1;
  const listeners = new Map<EventChannel, Set<(p: never) => void>>();
  transport.onEvent((channel, payload) => {
    if (!isEventChannel(channel)) return;
    const set = listeners.get(channel);
    if (!set?.size) return;
    const parsed = eventChannels[channel].safeParse(payload);
    if (!parsed.success) {
      console.warn(`dropped malformed ${channel} event`, formatIssues(parsed.error));
      return;
    }
    for (const l of set) (l as (p: unknown) => void)(parsed.data);
  });
  return {
    transport,
    async request<C extends RequestChannel>(channel: C, payload: RequestOf<C>): Promise<ResponseOf<C>> {
      const reply = await transport.request({ type: 'req', id: nextId++, channel, payload });
      if (!reply.ok) throw new ContractError(reply.error.code, reply.error.message, reply.error.issues);
      const parsed = requestChannels[channel].response.safeParse(reply.payload);
      if (!parsed.success) throw new ContractError('internal', `malformed reply on ${channel}: ${formatIssues(parsed.error).join('; ')}`);
      return parsed.data as ResponseOf<C>;
    },
    on<C extends EventChannel>(channel: C, listener: (payload: EventOf<C>) => void) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener as (p: never) => void);
      return () => set.delete(listener as (p: never) => void);
    },
    onState: (l) => transport.onState(l),
  };
}

/** True in a browser tab served by `npm run serve` (no Electron bridge): files reach the user only as downloads. */
export function inBrowserMode(): boolean {
  return (globalThis as unknown as Record<string, PreloadBridge | undefined>)[BRIDGE_GLOBAL] === undefined;
}

/** Picks the transport: the preload bridge inside Electron, else a WebSocket to the page's host. */
export function connectToEngine(): UiClient {
  const bridge = (globalThis as unknown as Record<string, PreloadBridge | undefined>)[BRIDGE_GLOBAL];
  if (bridge) return createClient(createIpcTransport(bridge));
  const token = new URLSearchParams(location.search).get('token');
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  return createClient(createWebSocketTransport({ url }));
}

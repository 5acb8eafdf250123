/**
 * Browser mode: the renderer talks to the engine over one WebSocket with the same contract
 * and validation as Electron IPC. Requests are answered through the engine's Dispatcher;
 * engine events are pushed to every client.
 *
 * Security: on loopback, requests must carry a loopback Host header and a same-origin (or no)
 * Origin, which stops other web pages and DNS rebinding from driving the engine. Bound
 * elsewhere, every client must also present the random token printed with the URL.
 */
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventChannel } from '../../src-shared/contract.js';
import type { EventEnvelope } from '../../src-shared/protocol.js';
import type { Engine } from '../services/engine.js';

/** Largest accepted client frame (bytes): requests are small JSON objects. */
export const MAX_CLIENT_FRAME_BYTES = 1 << 20;
/** Above this many queued bytes to a slow client, droppable events are skipped for it. */
const BACKPRESSURE_BYTES = 8 << 20;
/** Events that may be skipped for a slow client (the next one supersedes them). */
const DROPPABLE: ReadonlySet<EventChannel> = new Set<EventChannel>(['run.progress', 'run.frame', 'export.progress']);

export interface WsSecurity {
  /** Token every client must present as ?token=…; undefined = no token (loopback only). */
  token?: string;
  /** True when the server listens on a loopback address only. */
  loopbackOnly: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function hostName(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.split(':')[0] ?? '';
}

function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Why a WebSocket upgrade is refused, or undefined when it is allowed. */
export function refuseReason(req: IncomingMessage, security: WsSecurity): string | undefined {
  const host = req.headers.host ?? '';
  if (security.loopbackOnly && !isLoopbackHost(hostName(host))) return 'Host is not a loopback address';
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}` && origin !== `https://${host}`) return 'cross-origin WebSocket refused';
  if (security.token !== undefined) {
    const given = new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? '';
    if (!tokensEqual(given, security.token)) return 'missing or wrong token';
  }
  return undefined;
}

export function attachWebSocket(wss: WebSocketServer, engine: Engine, security: WsSecurity): () => void {
  const clients = new Set<WebSocket>();
  wss.on('connection', (ws, req) => {
    const reason = refuseReason(req, security);
    if (reason) {
      ws.close(1008, reason);
      return;
    }
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('error', () => clients.delete(ws));
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.send(JSON.stringify({ type: 'res', id: -1, ok: false, error: { code: 'bad-envelope', message: 'binary frames are not accepted' } }));
        return;
      }
      void engine.dispatcher.handleText(data.toString()).then((reply) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
      });
    });
  });
  return engine.bus.onAny((channel, payload) => {
    const text = JSON.stringify({ type: 'event', channel, payload } satisfies EventEnvelope);
    for (const ws of clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > BACKPRESSURE_BYTES && DROPPABLE.has(channel)) continue;
      ws.send(text);
    }
  });
}

export function createWebSocketServer(): WebSocketServer {
  return new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });
}

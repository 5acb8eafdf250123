/**
 * `npm run serve`: the renderer as a web page plus the engine over WebSocket, on 127.0.0.1 by
 * default. Binding to another address needs allowRemote and then a random token.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../services/engine.js';
import { handleExportDownload } from './export-download.js';
import { contentSecurityPolicy, serveStatic } from './static-files.js';
import { attachWebSocket, createWebSocketServer, isLoopbackHost, refuseReason } from './ws-server.js';

export interface ServeOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Needed to bind anything but loopback. */
  allowRemote?: boolean;
  /** Folder with the built renderer (index.html). */
  webRoot?: string;
}

export interface RunningServer {
  url: string;
  /** The URL including the token when one is required. */
  openUrl: string;
  token?: string;
  server: Server;
  close(): Promise<void>;
}

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../out/renderer', import.meta.url));

export async function serve(engine: Engine, options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const loopbackOnly = isLoopbackHost(host);
  if (!loopbackOnly && !options.allowRemote) {
    throw new Error(`refusing to listen on ${host}: only loopback is allowed without --allow-remote`);
  }
  const webRoot = options.webRoot ?? DEFAULT_WEB_ROOT;
  if (!existsSync(`${webRoot}/index.html`)) {
    throw new Error(`no built renderer in ${webRoot}: run "npm run build" first`);
  }
  const token = loopbackOnly ? undefined : randomBytes(24).toString('base64url');
  const security = { token, loopbackOnly };
  const wss = createWebSocketServer();
  const detach = attachWebSocket(wss, engine, security);
  const server = createServer((req, res) => {
    if (handleExportDownload(req, res, engine, security)) return;
    const wsOrigin = `ws://${req.headers.host ?? host}`;
    serveStatic(webRoot, req, res, contentSecurityPolicy(wsOrigin));
  });
  server.on('upgrade', (req, socket, head) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const reason = pathname === '/ws' ? refuseReason(req, security) : 'no such endpoint';
    if (reason) {
      socket.write(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\n${reason}\n`);
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 5317, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${shownHost}:${addr.port}/`;
  return {
    url,
    openUrl: token ? `${url}?token=${token}` : url,
    token,
    server,
    close: async () => {
      detach();
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

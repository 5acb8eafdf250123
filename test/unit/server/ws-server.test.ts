import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Engine } from '../../../src-main/services/engine.js';
import { serve } from '../../../src-main/server/serve.js';
import { startServer } from '../../helpers/server.js';
import { tempDir } from '../../helpers/tmp.js';

function wsUrl(httpUrl: string, query = ''): string {
  return httpUrl.replace(/^http/, 'ws') + 'ws' + query;
}

/** Opens a socket; resolves with it once open, or rejects with the refusal. */
function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, msg: unknown): Promise<any> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const parsed = JSON.parse(data.toString());
      if (parsed.type === 'res') {
        ws.off('message', onMessage);
        resolve(parsed);
      }
    };
    ws.on('message', onMessage);
    ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  });
}

describe('browser-mode server', () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    ctx = await startServer();
  });
  afterAll(async () => {
    await ctx.stop();
  });

  it('listens on loopback and serves the page with a CSP', async () => {
    expect(ctx.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(ctx.server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(await res.text()).toMatch(/<div id="app">/);
  });

  it('does not serve files outside the web root', async () => {
    const res = await fetch(ctx.server.url + '..%2F..%2Fpackage.json');
    expect([403, 404]).toContain(res.status);
    const body = await res.text();
    expect(body).not.toMatch(/"devDependencies"/);
  });

  it('answers requests over WebSocket with the contract', async () => {
    const ws = await open(wsUrl(ctx.server.url));
    const reply = await call(ws, { type: 'req', id: 1, channel: 'engine.status', payload: {} });
    expect(reply.ok).toBe(true);
    expect(reply.payload.app).toBe('Drive Lab');
    expect(['wasm', 'cpu', 'tensorflow', 'tensorflow-gpu']).toContain(reply.payload.backend.name);
    const bad = await call(ws, 'not json');
    expect(bad.error.code).toBe('bad-envelope');
    const unknown = await call(ws, { type: 'req', id: 2, channel: 'nope', payload: {} });
    expect(unknown).toMatchObject({ id: 2, ok: false, error: { code: 'unknown-channel' } });
    ws.close();
  });

  it('pushes engine events to clients', async () => {
    const ws = await open(wsUrl(ctx.server.url));
    const got = new Promise<any>((resolve) => {
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString());
        if (m.type === 'event' && m.channel === 'engine.log') resolve(m.payload);
      });
    });
    ctx.engine.log('info', 'hello clients');
    expect((await got).message).toBe('hello clients');
    ws.close();
  });

  it('refuses cross-origin pages and foreign Host headers (DNS rebinding)', async () => {
    await expect(open(wsUrl(ctx.server.url), { origin: 'http://evil.example' })).rejects.toThrow(/refused 403/);
    const port = new URL(ctx.server.url).port;
    await expect(open(wsUrl(ctx.server.url), { host: `evil.example:${port}`, origin: `http://evil.example:${port}` })).rejects.toThrow(/refused 403/);
  });
});

describe('binding beyond loopback', () => {
  it('is refused without --allow-remote', async () => {
    const tmp = tempDir();
    const engine = new Engine({ runsDir: tmp.dir });
    await expect(serve(engine, { host: '0.0.0.0', port: 0 })).rejects.toThrow(/allow-remote/);
    tmp.cleanup();
  });

  it('requires the random token with --allow-remote', async () => {
    const ctx = await startServer({ host: '0.0.0.0', allowRemote: true });
    try {
      expect(ctx.server.token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(ctx.server.openUrl).toContain(`token=${ctx.server.token}`);
      const port = new URL(ctx.server.url).port;
      const base = `ws://127.0.0.1:${port}/ws`;
      await expect(open(base)).rejects.toThrow(/refused 403/);
      await expect(open(`${base}?token=wrong`)).rejects.toThrow(/refused 403/);
      const ws = await open(`${base}?token=${ctx.server.token}`);
      const reply = await call(ws, { type: 'req', id: 1, channel: 'runs.list', payload: {} });
      expect(reply.ok).toBe(true);
      ws.close();
    } finally {
      await ctx.stop();
    }
  });
});

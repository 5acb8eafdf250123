/**
 * Property test of the contract over a real WebSocket server: random and mutated envelopes and
 * payloads for every request channel. The server answers every message (a reply envelope that
 * matches the protocol; a refusal carries a known error code and is never "internal"), stays
 * up, and its memory stays bounded. Counts are printed for docs/reliability.md.
 */
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestChannels, type RequestChannel } from '../../src-shared/contract.js';
import { ResponseEnvelope } from '../../src-shared/protocol.js';
import { Engine } from '../../src-main/services/engine.js';
import { serve, type RunningServer } from '../../src-main/server/serve.js';
import { MAX_CLIENT_FRAME_BYTES } from '../../src-main/server/ws-server.js';
import { tempDir } from '../helpers/tmp.js';
import { tinyConfig } from '../unit/rl/fake-job.js';

const tmp = tempDir('drive-lab-fuzz-');
const webRoot = join(tmp.dir, 'web');
let engine: Engine;
let server: RunningServer;
let realId = '';

beforeAll(async () => {
  mkdirSync(webRoot);
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>fuzz</title>');
  engine = new Engine({ runsDir: join(tmp.dir, 'runs') });
  server = await serve(engine, { port: 0, webRoot });
  realId = (await engine.client().request('runs.create', { config: { ...tinyConfig(), name: 'fixture' } })).id;
});
afterAll(async () => {
  await server?.close();
  await engine?.close();
  tmp.cleanup();
});

/** A connected client that sends one text frame at a time and waits for its reply (events are skipped). */
async function connect(): Promise<{ ws: WebSocket; send: (data: string | Buffer) => Promise<unknown>; closed: Promise<number> }> {
  const ws = new WebSocket(server.url.replace('http', 'ws') + 'ws');
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  let waiting: ((v: unknown) => void) | undefined;
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as { type?: string };
    if (msg.type === 'res' && waiting) {
      const w = waiting;
      waiting = undefined;
      w(msg);
    }
  });
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  const send = (data: string | Buffer) =>
    new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply in 60 s to ${String(data).slice(0, 200)}`)), 60_000);
      waiting = (v) => (clearTimeout(timer), resolve(v));
      ws.send(data);
    });
  return { ws, send, closed };
}

const NO_RUN = 'no-such-run';
/** A valid payload per channel (typed: a channel added to the contract must be added here). Nothing here starts training. */
const samples = (): Record<RequestChannel, Record<string, unknown>> => ({
  'engine.status': {},
  'runs.list': {},
  'runs.get': { id: realId },
  'runs.create': { config: { name: 'fuzz', env: { id: 'pendulum' }, totalSteps: 100 } },
  'runs.rename': { id: realId, name: 'renamed' },
  'runs.delete': { id: NO_RUN },
  'runs.duplicate': { id: realId, changes: { name: 'dup' } },
  'runs.metrics': { id: realId, from: 0, limit: 10 },
  'runs.events': { id: realId, from: 0, limit: 10 },
  'runs.repair': { id: realId },
  'train.start': { id: NO_RUN },
  'train.wait': { id: NO_RUN, seconds: 1 },
  'train.pause': { id: NO_RUN },
  'train.resume': { id: NO_RUN },
  'train.stop': { id: NO_RUN },
  'train.evaluate': { id: NO_RUN },
  'train.setSpeed': { id: NO_RUN, speed: 'fast' },
  'scene.arm': { env: 'arm-reach', seed: 3 },
  'scene.lane': { seed: 7, config: {} },
  'live.watch': { id: realId, seconds: 5 },
  'train.takeover': { id: NO_RUN, on: true },
  'train.drive': { id: NO_RUN, steer: 0, throttle: 0 },
  'runs.episodes': { id: realId, limit: 10 },
  'runs.track': { id: realId, episode: 1 },
  'runs.drive': { id: realId },
  'runs.export': { id: NO_RUN },
});

/** A payload for `channel`: the sample, or the sample with a key dropped, added or replaced, or anything at all. */
function payloadFor(channel: RequestChannel): fc.Arbitrary<unknown> {
  return fc.constant(null).chain(() => {
    const sample = samples()[channel];
    const keys = Object.keys(sample);
    const mutated = [fc.constant(sample), fc.anything(), fc.tuple(fc.string({ maxLength: 12 }), fc.anything()).map(([k, v]) => ({ ...sample, [k]: v }))];
    if (keys.length) {
      mutated.push(fc.constantFrom(...keys).map((k) => Object.fromEntries(Object.entries(sample).filter(([key]) => key !== k))));
      mutated.push(fc.tuple(fc.constantFrom(...keys), fc.anything()).map(([k, v]) => ({ ...sample, [k]: v })));
      mutated.push(
        fc
          .tuple(fc.constantFrom(...keys), fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null), fc.constant(-1), fc.constant(2 ** 53)))
          .map(([k, v]) => ({ ...sample, [k]: v })),
      );
    }
    return fc.oneof(...mutated);
  });
}

const channelArb = fc.constantFrom(...(Object.keys(requestChannels) as RequestChannel[]));
/** Envelopes: well-formed with a mutated payload, or broken in the envelope itself. */
const envelopeArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(channelArb, fc.nat()).chain(([channel, id]) => payloadFor(channel).map((payload) => ({ type: 'req', id, channel, payload }))),
  },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        type: fc.oneof(fc.constant('req'), fc.string()),
        id: fc.anything(),
        channel: fc.oneof(channelArb, fc.string({ maxLength: 300 })),
        payload: fc.anything(),
      },
      { requiredKeys: [] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ minLength: 1, maxLength: 120 }), fc.nat(), fc.anything())
      .map(([channel, id, payload]) => ({ type: 'req', id, channel, payload })),
  },
  { weight: 1, arbitrary: fc.anything() },
);

describe('contract fuzz over WebSocket', () => {
  it('answers every random or mutated message with a protocol reply, never "internal", and stays up', async () => {
    const client = await connect();
    const rssBefore = process.memoryUsage().rss;
    const tally = { sent: 0, refused: 0, accepted: 0, byCode: {} as Record<string, number> };
    const check = async (text: string) => {
      tally.sent++;
      const reply = ResponseEnvelope.parse(await client.send(text));
      if (reply.ok) tally.accepted++;
      else {
        tally.refused++;
        tally.byCode[reply.error.code] = (tally.byCode[reply.error.code] ?? 0) + 1;
        expect(reply.error.code, `${text.slice(0, 300)} -> ${reply.error.message}`).not.toBe('internal');
        expect(reply.error.message.includes('\n    at '), 'no stack in a reply').toBe(false);
      }
    };
    await fc.assert(
      fc.asyncProperty(envelopeArb, async (env) => check(JSON.stringify(env) ?? 'undefined')),
      { numRuns: 800, seed: 20261207 },
    );
    // Text that is not JSON, and JSON that is not an object.
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (s) => check(s)),
      { numRuns: 50, seed: 7 },
    );
    // Binary frames are refused in words.
    tally.sent++;
    expect(await client.send(Buffer.from([1, 2, 3]))).toMatchObject({ ok: false, error: { code: 'bad-envelope' } });
    tally.refused++;
    console.log(`contract fuzz: ${tally.sent} messages, ${tally.refused} refused (${JSON.stringify(tally.byCode)}), ${tally.accepted} accepted`);

    // Still up and answering, on this connection and a new one.
    expect(await client.send(JSON.stringify({ type: 'req', id: 1, channel: 'runs.list', payload: {} }))).toMatchObject({ ok: true });
    const growthMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    expect(growthMb).toBeLessThan(400);
    client.ws.close();
  }, 300_000);

  it('a frame over the size limit closes only that connection (1009); the server takes the next one', async () => {
    const big = await connect();
    big.ws.send('x'.repeat(MAX_CLIENT_FRAME_BYTES + 1));
    expect(await big.closed).toBe(1009);
    const next = await connect();
    expect(await next.send(JSON.stringify({ type: 'req', id: 2, channel: 'runs.list', payload: {} }))).toMatchObject({ ok: true });
    next.ws.close();
  });
});

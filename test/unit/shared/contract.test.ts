import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/services/engine.js';
import { requestChannels } from '../../../src-shared/contract.js';
import { tempDir } from '../../helpers/tmp.js';

/** Malformed messages and the error code each must get back. */
const MALFORMED: Array<[string, unknown, string]> = [
  ['not an object', 42, 'bad-envelope'],
  ['null', null, 'bad-envelope'],
  ['array', [1, 2, 3], 'bad-envelope'],
  ['missing type', { id: 1, channel: 'engine.status', payload: {} }, 'bad-envelope'],
  ['wrong type', { type: 'res', id: 1, channel: 'engine.status', payload: {} }, 'bad-envelope'],
  ['negative id', { type: 'req', id: -5, channel: 'engine.status', payload: {} }, 'bad-envelope'],
  ['string id', { type: 'req', id: '7', channel: 'engine.status', payload: {} }, 'bad-envelope'],
  ['empty channel', { type: 'req', id: 1, channel: '', payload: {} }, 'bad-envelope'],
  ['huge channel name', { type: 'req', id: 1, channel: 'x'.repeat(10_000), payload: {} }, 'bad-envelope'],
  ['unknown channel', { type: 'req', id: 1, channel: 'engine.selfDestruct', payload: {} }, 'unknown-channel'],
  ['prototype channel', { type: 'req', id: 1, channel: '__proto__', payload: {} }, 'unknown-channel'],
  ['toString channel', { type: 'req', id: 1, channel: 'toString', payload: {} }, 'unknown-channel'],
  ['extra payload field', { type: 'req', id: 1, channel: 'runs.list', payload: { evil: true } }, 'bad-request'],
  ['payload not an object', { type: 'req', id: 1, channel: 'runs.get', payload: 'abc' }, 'bad-request'],
  ['missing run id', { type: 'req', id: 1, channel: 'runs.get', payload: {} }, 'bad-request'],
  ['path traversal id', { type: 'req', id: 1, channel: 'runs.get', payload: { id: '../../etc' } }, 'bad-request'],
  ['id with slash', { type: 'req', id: 1, channel: 'runs.delete', payload: { id: 'a/b' } }, 'bad-request'],
  ['wrong field type', { type: 'req', id: 1, channel: 'runs.rename', payload: { id: 'x', name: 12 } }, 'bad-request'],
  ['empty name', { type: 'req', id: 1, channel: 'runs.rename', payload: { id: 'x', name: '' } }, 'bad-request'],
  ['negative metrics offset', { type: 'req', id: 1, channel: 'runs.metrics', payload: { id: 'x', from: -1 } }, 'bad-request'],
  ['config not an object', { type: 'req', id: 1, channel: 'runs.create', payload: { config: 'td3' } }, 'bad-request'],
  ['invalid config value', { type: 'req', id: 1, channel: 'runs.create', payload: { config: { td3: { gamma: 7 } } } }, 'bad-request'],
  ['unknown env', { type: 'req', id: 1, channel: 'runs.create', payload: { config: { env: { id: 'moon' } } } }, 'bad-request'],
  ['unknown run', { type: 'req', id: 1, channel: 'runs.get', payload: { id: 'no-such-run' } }, 'not-found'],
  ['stop a run that is not training', { type: 'req', id: 1, channel: 'train.stop', payload: { id: 'no-such-run' } }, 'not-found'],
];

describe('contract hygiene', () => {
  const tmp = tempDir();
  let engine: Engine;
  beforeAll(() => {
    engine = new Engine({ runsDir: tmp.dir });
  });
  afterAll(async () => {
    await engine.close();
    tmp.cleanup();
  });

  it.each(MALFORMED)('rejects %s', async (_name, message, code) => {
    const reply = await engine.dispatcher.handleEnvelope(message);
    expect(reply.type).toBe('res');
    expect(reply.ok).toBe(false);
    if (!reply.ok) {
      expect(reply.error.code).toBe(code);
      expect(reply.error.message.length).toBeGreaterThan(0);
      expect(reply.error.message.length).toBeLessThan(400);
    }
  });

  it('rejects text that is not JSON', async () => {
    const reply = await engine.dispatcher.handleText('{"type": "req", ');
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error.code).toBe('bad-envelope');
  });

  it('names the invalid field in a bad config', async () => {
    const reply = await engine.dispatcher.handleEnvelope({ type: 'req', id: 9, channel: 'runs.create', payload: { config: { td3: { gamma: 7 } } } });
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error.issues?.join(' ')).toMatch(/config\.td3\.gamma/);
  });

  it('echoes the request id in replies', async () => {
    const reply = await engine.dispatcher.handleEnvelope({ type: 'req', id: 1234, channel: 'runs.list', payload: {} });
    expect(reply).toMatchObject({ type: 'res', id: 1234, ok: true, payload: [] });
  });

  it('keeps answering after every malformed message (nothing wedged)', async () => {
    for (const [, message] of MALFORMED) await engine.dispatcher.handleEnvelope(message);
    const created = await engine.client().request('runs.create', { config: { name: 'after the storm' } });
    expect(created.name).toBe('after the storm');
    const list = await engine.client().request('runs.list', {});
    expect(list.map((r) => r.id)).toContain(created.id);
  });

  it('documents every request channel', () => {
    for (const [name, spec] of Object.entries(requestChannels)) expect(spec.doc.length, name).toBeGreaterThan(10);
  });
});

/**
 * The contract requests the CLI's run command uses instead of engine internals: runs.create
 * with an exact folder name (--out), train.wait (a long poll until the worker has ended), and
 * runs.get's backendUsed, and the runs.changed event that lets every window show a run made
 * elsewhere at once.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContractError } from '../../../src-shared/protocol.js';
import { Engine } from '../../../src-main/services/engine.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();
const engine = new Engine({ runsDir: tmp.dir });
const client = engine.client();
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

describe('run channels', () => {
  it('runs.create puts the run in a folder of exactly the given id, and refuses one that exists', async () => {
    const run = await client.request('runs.create', { config: { name: 'exact' }, id: 'my-run' });
    expect(run).toMatchObject({ id: 'my-run', dir: join(tmp.dir, 'my-run'), name: 'exact', status: 'created' });
    expect(existsSync(join(tmp.dir, 'my-run', 'config.json'))).toBe(true);
    const again = await client.request('runs.create', { config: {}, id: 'my-run' }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ContractError);
    expect((again as ContractError).code).toBe('conflict');
    const bad = await client.request('runs.create', { config: {}, id: '../escape' }).catch((e: unknown) => e);
    expect((bad as ContractError).code).toBe('bad-request');
    expect((await client.request('runs.list', {})).map((r) => r.id)).toEqual(['my-run']);
  });

  it('train.wait answers at once for a run that is not training, and not-found for none', async () => {
    const t0 = Date.now();
    const w = await client.request('train.wait', { id: 'my-run', seconds: 30 });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(w).toMatchObject({ id: 'my-run', status: 'created', training: false });
    const none = await client.request('train.wait', { id: 'nothing-here' }).catch((e: unknown) => e);
    expect((none as ContractError).code).toBe('not-found');
    const long = await client.request('train.wait', { id: 'my-run', seconds: 100_000 }).catch((e: unknown) => e);
    expect((long as ContractError).code).toBe('bad-request');
  });

  it('runs.get names the backend the worker loaded once it has', async () => {
    expect((await client.request('runs.get', { id: 'my-run' })).backendUsed).toBeUndefined();
    engine.store.setBackend('my-run', 'cpu', 'asked for');
    expect((await client.request('runs.get', { id: 'my-run' })).backendUsed).toEqual({ name: 'cpu', reason: 'asked for' });
  });

  it('announces each run made, renamed or deleted through any front door as runs.changed', async () => {
    const seen: string[] = [];
    const off = engine.bus.on('runs.changed', (e) => seen.push(`${e.change} ${e.id}`));
    const a = await client.request('runs.create', { config: { name: 'a' } });
    const b = await client.request('runs.duplicate', { id: a.id, changes: {} });
    await client.request('runs.rename', { id: a.id, name: 'renamed' });
    await client.request('runs.delete', { id: b.id });
    off();
    expect(seen).toEqual([`created ${a.id}`, `created ${b.id}`, `renamed ${a.id}`, `deleted ${b.id}`]);
  });
});

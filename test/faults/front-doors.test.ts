/**
 * Bounded inputs and one validation for every front door:
 *  - scene generation (heavy, on the engine's thread) is queued one at a time with a bounded
 *    wait list; beyond it requests are refused as busy, and light requests are answered between;
 *  - runs.create and runs.duplicate refuse a config key the config does not have (the schema
 *    would drop it silently), exactly as the CLI refuses it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { HeavyQueue } from '../../src-main/services/heavy-queue.js';
import { Engine } from '../../src-main/services/engine.js';
import { tempDir } from '../helpers/tmp.js';
import { tinyConfig } from '../unit/rl/fake-job.js';

const tmp = tempDir('drive-lab-front-');
const engine = new Engine({ runsDir: tmp.dir });
const client = engine.client();
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

describe('heavy requests are queued with a limit', () => {
  it('runs one job at a time, answers light work between jobs, and refuses beyond the wait list', async () => {
    const q = new HeavyQueue('scene generation', 3);
    const order: string[] = [];
    let running = 0;
    const job = (name: string) => () => {
      running++;
      expect(running).toBe(1);
      order.push(name);
      running--;
      return name;
    };
    const all = Array.from({ length: 6 }, (_, i) => q.run(job(`scene ${i}`)).catch((e: Error) => e.message));
    const light = new Promise<void>((r) => setImmediate(() => (order.push('light'), r())));
    const results = await Promise.all(all);
    await light;
    expect(results.slice(0, 4)).toEqual(['scene 0', 'scene 1', 'scene 2', 'scene 3']);
    expect(results.slice(4)).toEqual([expect.stringMatching(/scene generation is busy \(3 requests waiting\)/), expect.stringMatching(/busy/)]);
    // The light task got its turn before the second heavy job.
    expect(order.indexOf('light')).toBeLessThan(order.indexOf('scene 1'));
    expect(q.size).toBe(0);
  });

  it('twenty concurrent scene.lane requests: a bounded number run, the rest are refused as busy, runs.list answers between', async () => {
    const replies: string[] = [];
    const scenes = Array.from({ length: 20 }, (_, seed) =>
      client.request('scene.lane', { seed, config: { lengthM: 400 } }).then(
        () => replies.push('scene'),
        (e: { code: string }) => replies.push(e.code),
      ),
    );
    const list = client.request('runs.list', {}).then(() => replies.push('list'));
    await Promise.all([...scenes, list]);
    expect(replies.filter((r) => r === 'scene')).toHaveLength(9); // one running + eight waiting
    expect(replies.filter((r) => r === 'unavailable')).toHaveLength(11);
    expect(replies.indexOf('list')).toBeLessThan(replies.lastIndexOf('scene'));
  }, 120_000);
});

describe('one validation for every front door', () => {
  it('runs.create and runs.duplicate refuse unknown config keys instead of dropping them', async () => {
    await expect(client.request('runs.create', { config: { ...tinyConfig(), td3: { batchSizee: 64 } } })).rejects.toMatchObject({
      code: 'bad-request',
      issues: ['config.td3.batchSizee: unknown config key'],
    });
    await expect(client.request('runs.create', { config: { ...tinyConfig(), constructor: 1 } })).rejects.toMatchObject({ code: 'bad-request' });
    const run = await client.request('runs.create', { config: tinyConfig() });
    await expect(client.request('runs.duplicate', { id: run.id, changes: { evalEveryy: 3 } })).rejects.toMatchObject({
      issues: ['changes.evalEveryy: unknown config key'],
    });
    expect((await client.request('runs.duplicate', { id: run.id, changes: { seed: 9 } })).config.seed).toBe(9);
    expect((await client.request('runs.list', {})).length).toBe(2);
  });
});

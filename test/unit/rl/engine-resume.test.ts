import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MetricLine } from '../../../src-shared/types.js';
import { Engine } from '../../../src-main/services/engine.js';
import { tempDir } from '../../helpers/tmp.js';
import { tinyConfig } from './fake-job.js';

const tmp = tempDir();
const engine = new Engine({ runsDir: tmp.dir });
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

const numbers = (lines: MetricLine[]) => lines.map(({ updates_per_s: _u, env_steps_per_s: _e, ...rest }) => rest);

describe('training through the engine (worker threads)', () => {
  it('stops on request with a checkpoint, resumes on start, and ends where an uninterrupted run ends', async () => {
    const client = engine.client();
    const config = tinyConfig({ totalSteps: 1500, evalEvery: 500, checkpointEvery: 0, logEvery: 250 });
    const a = await client.request('runs.create', { config });
    const b = await client.request('runs.create', { config });
    let stopAsked = false;
    const off = client.on('run.progress', (p) => {
      if (p.id === a.id && p.step >= 300 && !stopAsked) {
        stopAsked = true;
        void client.request('train.stop', { id: a.id });
      }
    });
    await client.request('train.start', { id: a.id });
    expect(await engine.training.wait(a.id)).toBe('stopped');
    off();
    const stopped = await client.request('runs.get', { id: a.id });
    expect(stopped.step).toBeGreaterThan(0);
    expect(stopped.step).toBeLessThan(1500);
    await client.request('train.start', { id: a.id }); // resume: run.json has progress
    await client.request('train.start', { id: b.id }); // uninterrupted, side by side
    expect(await engine.training.wait(a.id)).toBe('finished');
    expect(await engine.training.wait(b.id)).toBe('finished');
    const ma = (await client.request('runs.metrics', { id: a.id })).lines;
    const mb = (await client.request('runs.metrics', { id: b.id })).lines;
    expect(ma.filter((l) => l.kind === 'eval').map((l) => l.step)).toEqual([500, 1000, 1500]);
    expect(numbers(ma)).toEqual(numbers(mb));
    expect(readFileSync(join(a.dir, 'eval.json'), 'utf8')).toBe(readFileSync(join(b.dir, 'eval.json'), 'utf8'));
    expect((await client.request('runs.get', { id: a.id })).bestEval).toBe((await client.request('runs.get', { id: b.id })).bestEval);
  });
});

/**
 * A full disk, a read-only disk and a run folder deleted under a training run, injected while
 * two runs train in one engine: the faulty run is paused or failed with one line in words, the
 * engine answers requests, the other run trains on, and no complete file of the run changes.
 * (The faults are injected through durable-write's fault hook, in the engine's thread: its
 * writes of run.json and config.json fail as a full or read-only disk makes them fail.)
 */
import { readdirSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { fsError, setWriteFaultHook } from '../../src-main/core/durable-write.js';
import { Engine } from '../../src-main/services/engine.js';
import { tempDir } from '../helpers/tmp.js';
import { tinyConfig } from '../unit/rl/fake-job.js';
import { expectCompleteFilesUnchanged, logs, nextStatus, progressPast, snapshotFiles } from './helpers.js';

const tmp = tempDir('drive-lab-faults-');
const engine = new Engine({ runsDir: tmp.dir });
const client = engine.client();
afterAll(async () => {
  setWriteFaultHook(undefined);
  await engine.close();
  tmp.cleanup();
});

/** Long enough to still be training when the faults land; stopped by the test. */
const long = () => tinyConfig({ totalSteps: 200_000, evalEvery: 0, checkpointEvery: 300, logEvery: 100 });

/** Files the worker thread keeps writing while the engine's writes fail (its disk is not simulated). */
const IN_MOTION = ['owner.json', 'checkpoints/latest.json', 'episodes/'];

describe('disk faults while two runs train', () => {
  it('ENOSPC and EROFS pause only the faulty run, in words, and it resumes once the disk is fixed; a deleted folder fails it', async () => {
    const a = await client.request('runs.create', { config: { ...long(), name: 'faulty' } });
    const b = await client.request('runs.create', { config: { ...long(), name: 'healthy' } });
    // A front door whose listener throws (a closed window, a broken socket) harms no run.
    let broken = 0;
    const offBroken = engine.bus.on('run.progress', () => {
      if (broken++ < 3) throw new Error('a broken front door');
    });
    await client.request('train.start', { id: a.id });
    await client.request('train.start', { id: b.id });
    await Promise.all([progressPast(engine, a.id, 200), progressPast(engine, b.id, 200)]);
    offBroken();
    expect(broken).toBeGreaterThan(3);

    for (const code of ['ENOSPC', 'EROFS'] as const) {
      const before = snapshotFiles(a.dir);
      const beforeLogs = logs(a.dir);
      const paused = nextStatus(engine, a.id, (s) => s.status === 'paused');
      setWriteFaultHook((op, path) => {
        if (op === 'write' && path.startsWith(a.dir)) throw fsError(code, 'open', path);
      });
      // Progress rewrites run.json every 2 s; the next rewrite hits the fault.
      const s = await paused;
      expect(s.message).toMatch(
        code === 'ENOSPC' ? /^paused: no space left on .+; free space and resume$/ : /^paused: .+ cannot be written \(EROFS\); make it writable and resume$/,
      );
      expect(s.message!.split('\n')).toHaveLength(1);
      // The engine answers, and run b trains on.
      expect((await client.request('runs.list', {})).map((r) => r.id)).toEqual(expect.arrayContaining([a.id, b.id]));
      const bNow = (await client.request('runs.get', { id: b.id })).step;
      await progressPast(engine, b.id, bNow + 100);
      expect(engine.training.isActive(a.id)).toBe(true);
      expectCompleteFilesUnchanged(a.dir, before, beforeLogs, IN_MOTION);
      // Space freed: resume continues the same worker from where it paused.
      setWriteFaultHook(undefined);
      await client.request('train.resume', { id: a.id });
      expect((await client.request('runs.get', { id: a.id })).status).toBe('running');
      const aNow = (await client.request('runs.get', { id: a.id })).step;
      await progressPast(engine, a.id, aNow + 100);
    }

    const failed = nextStatus(engine, a.id, (s) => s.status === 'failed');
    // The run may be writing a checkpoint while its folder goes (ENOTEMPTY): retry, as a user would repeat the rm.
    rmSync(a.dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 25 });
    const s = await failed;
    expect(s.message).toMatch(/^failed: the run folder .+ was deleted while the run trained$/);
    expect(await engine.training.wait(a.id)).toBe('failed');
    const list = await client.request('runs.list', {});
    expect(list.map((r) => r.id)).toContain(b.id);
    expect(list.map((r) => r.id)).not.toContain(a.id);
    const bNow = (await client.request('runs.get', { id: b.id })).step;
    await progressPast(engine, b.id, bNow + 100);
    await client.request('train.stop', { id: b.id });
    expect((await client.request('runs.get', { id: b.id })).status).toBe('stopped');
  });

  it('a full disk when creating a run is one line, not a stack or "internal"', async () => {
    setWriteFaultHook((op, path) => {
      if (op === 'write' && path.startsWith(tmp.dir)) throw fsError('ENOSPC', 'open', path);
    });
    try {
      await expect(client.request('runs.create', { config: tinyConfig() })).rejects.toMatchObject({
        code: 'unavailable',
        message: expect.stringMatching(/no space left on the disk/),
      });
    } finally {
      setWriteFaultHook(undefined);
    }
    // No half-made run folder is left behind.
    expect((await client.request('runs.list', {})).map((r) => r.name)).toEqual(['healthy']);
    expect(readdirSync(tmp.dir).length).toBe(1);
  });
});

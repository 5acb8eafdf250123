import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/services/engine.js';
import { ToWorker } from '../../../src-main/workers/protocol.js';
import { isControlMessage, WorkerTrainControls } from '../../../src-main/workers/train-controls.js';
import { ContractError } from '../../../src-shared/protocol.js';
import { tempDir } from '../../helpers/tmp.js';

describe('worker train controls', () => {
  it('starts running, fast, with nothing requested', () => {
    const c = new WorkerTrainControls();
    expect(c.paused).toBe(false);
    expect(c.stopRequested).toBe(false);
    expect(c.speed).toBe('fast');
    expect(c.takeEvaluateRequest()).toBe(false);
  });

  it('switches speed both ways on set-speed messages', () => {
    const c = new WorkerTrainControls();
    c.apply({ type: 'set-speed', speed: 'realtime' });
    expect(c.speed).toBe('realtime');
    c.apply({ type: 'set-speed', speed: 'fast' });
    expect(c.speed).toBe('fast');
  });

  it('holds waitWhilePaused until resume, and releases every waiter on stop', async () => {
    const c = new WorkerTrainControls();
    c.apply({ type: 'pause' });
    expect(c.paused).toBe(true);
    let released = 0;
    const a = c.waitWhilePaused().then(() => released++);
    await new Promise((r) => setTimeout(r, 10));
    expect(released).toBe(0);
    c.apply({ type: 'resume' });
    await a;
    expect(released).toBe(1);
    c.apply({ type: 'pause' });
    const waits = [c.waitWhilePaused(), c.waitWhilePaused()];
    c.apply({ type: 'stop' });
    await Promise.all(waits);
    expect(c.stopRequested).toBe(true);
    // Once stop is requested, waiting never blocks.
    await c.waitWhilePaused();
  });

  it('hands out one evaluate request per message', () => {
    const c = new WorkerTrainControls();
    c.apply({ type: 'evaluate' });
    expect(c.takeEvaluateRequest()).toBe(true);
    expect(c.takeEvaluateRequest()).toBe(false);
  });

  it('validates set-speed worker messages and tells control messages from jobs', () => {
    expect(ToWorker.safeParse({ type: 'set-speed', speed: 'realtime' }).success).toBe(true);
    expect(ToWorker.safeParse({ type: 'set-speed', speed: 'warp' }).success).toBe(false);
    expect(isControlMessage(ToWorker.parse({ type: 'set-speed', speed: 'fast' }))).toBe(true);
    expect(isControlMessage(ToWorker.parse({ type: 'probe-backend', backend: 'cpu' }))).toBe(false);
  });
});

describe('train.setSpeed channel', () => {
  const tmp = tempDir();
  let engine: Engine;
  beforeAll(() => {
    engine = new Engine({ runsDir: tmp.dir });
  });
  afterAll(async () => {
    await engine.close();
    tmp.cleanup();
  });

  it('refuses an unknown speed with the field named', async () => {
    const reply = await engine.dispatcher.handleEnvelope({ type: 'req', id: 1, channel: 'train.setSpeed', payload: { id: 'x', speed: 'warp' } });
    expect(reply.ok).toBe(false);
    if (!reply.ok) {
      expect(reply.error.code).toBe('bad-request');
      expect(reply.error.issues?.join(' ')).toMatch(/speed/);
    }
  });

  it('answers not-found for an unknown run and conflict for a run that is not training', async () => {
    const client = engine.client();
    await expect(client.request('train.setSpeed', { id: 'no-such-run', speed: 'fast' })).rejects.toMatchObject({ code: 'not-found' });
    const run = await client.request('runs.create', { config: { name: 'idle' } });
    const err = await client.request('train.setSpeed', { id: run.id, speed: 'realtime' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContractError);
    expect((err as ContractError).code).toBe('conflict');
    expect((err as ContractError).message).toMatch(/not training/);
  });

  it('reports the machine memory in engine.status', async () => {
    const status = await engine.client().request('engine.status', {});
    expect(status.systemMemory.totalBytes).toBeGreaterThan(status.systemMemory.freeBytes);
    expect(status.systemMemory.freeBytes).toBeGreaterThan(0);
  });
});

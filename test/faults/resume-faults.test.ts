/**
 * Resume never destroys, and damaged run files are shown, not hidden:
 *  - a crash after the final checkpoint but before "finished" was recorded: the resume marks
 *    the run finished and adds no second final evaluation;
 *  - every checkpoint damaged: the resume is refused with each checkpoint's reason and nothing
 *    changes, until the user asks for a restart;
 *  - truncated run.json / config.json: listed as damaged with the file and the reason, every
 *    request answers in words (never "internal"), `runs.repair` rebuilds run.json;
 *  - a read-only runs folder: the engine starts and lists (recovery is best-effort).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fsError, setWriteFaultHook } from '../../src-main/core/durable-write.js';
import { Engine } from '../../src-main/services/engine.js';
import { RunStore } from '../../src-main/store/run-store.js';
import { tempDir } from '../helpers/tmp.js';
import { tinyConfig } from '../unit/rl/fake-job.js';
import { nextStatus } from './helpers.js';

const tmp = tempDir('drive-lab-resume-faults-');
const engine = new Engine({ runsDir: tmp.dir });
const client = engine.client();
afterAll(async () => {
  setWriteFaultHook(undefined);
  await engine.close();
  tmp.cleanup();
});

const evalLines = (dir: string) =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('"kind":"eval"'));

describe('resume never destroys', () => {
  it('after a crash before "finished": no second final evaluation; with every checkpoint damaged: refused, nothing changed, until --restart', async () => {
    const run = await client.request('runs.create', { config: tinyConfig({ totalSteps: 400, evalEvery: 200, checkpointEvery: 200 }) });
    await client.request('train.start', { id: run.id });
    expect(await engine.training.wait(run.id)).toBe('finished');
    const evals = evalLines(run.dir);
    const metrics = readFileSync(join(run.dir, 'metrics.jsonl'));
    const evalJson = readFileSync(join(run.dir, 'eval.json'));

    // The process died after the final checkpoint, before run.json said "finished".
    engine.store.updateMeta(run.id, { status: 'running' });
    expect((await client.request('runs.get', { id: run.id })).status).toBe('interrupted');
    await client.request('train.start', { id: run.id });
    expect(await engine.training.wait(run.id)).toBe('finished');
    expect(evalLines(run.dir)).toEqual(evals);
    expect(readFileSync(join(run.dir, 'metrics.jsonl')).equals(metrics)).toBe(true);
    expect(readFileSync(join(run.dir, 'eval.json')).equals(evalJson)).toBe(true);

    // Every checkpoint damaged (a data file cut short), and the run interrupted.
    const ckptRoot = join(run.dir, 'checkpoints');
    const ckpts = readdirSync(ckptRoot).filter((n) => n.startsWith('ckpt-'));
    expect(ckpts.length).toBeGreaterThan(0);
    for (const c of ckpts) {
      const files = readdirSync(join(ckptRoot, c)).filter((f) => f !== 'manifest.json');
      const victim = join(ckptRoot, c, files.sort((x, y) => statSync(join(ckptRoot, c, y)).size - statSync(join(ckptRoot, c, x)).size)[0]!);
      truncateSync(victim, Math.floor(statSync(victim).size / 2));
    }
    engine.store.updateMeta(run.id, { status: 'interrupted' });
    const events = existsSync(join(run.dir, 'events.jsonl')) ? readFileSync(join(run.dir, 'events.jsonl')) : Buffer.alloc(0);
    const failed = nextStatus(engine, run.id, (s) => s.status === 'failed');
    await client.request('train.start', { id: run.id });
    const s = await failed;
    expect(await engine.training.wait(run.id)).toBe('failed');
    expect(s.message).toMatch(/^refusing to resume: no checkpoint can be loaded/);
    for (const c of ckpts) expect(s.message).toContain(c);
    expect(s.message).toMatch(/--restart/);
    expect(s.message!.split('\n')).toHaveLength(1);
    expect(readFileSync(join(run.dir, 'metrics.jsonl')).equals(metrics)).toBe(true);
    expect((existsSync(join(run.dir, 'events.jsonl')) ? readFileSync(join(run.dir, 'events.jsonl')) : Buffer.alloc(0)).equals(events)).toBe(true);
    expect(existsSync(join(run.dir, 'owner.json'))).toBe(false);

    // The user's explicit restart: from step 0, to the end.
    await client.request('train.start', { id: run.id, restart: true });
    expect(await engine.training.wait(run.id)).toBe('finished');
    expect(evalLines(run.dir).map((l) => JSON.parse(l).step)).toEqual(evals.map((l) => JSON.parse(l).step));
  });
});

describe('damaged run files are shown, not hidden', () => {
  it('a truncated run.json or config.json is listed as damaged; requests answer in words; repair rebuilds run.json', async () => {
    const metaCut = await client.request('runs.create', { config: { ...tinyConfig(), name: 'meta cut' } });
    const configCut = await client.request('runs.create', { config: { ...tinyConfig(), name: 'config cut' } });
    const fine = await client.request('runs.create', { config: { ...tinyConfig(), name: 'fine' } });
    const metaText = readFileSync(join(metaCut.dir, 'run.json'), 'utf8');
    writeFileSync(join(metaCut.dir, 'run.json'), metaText.slice(0, 20));
    const configBytes = readFileSync(join(configCut.dir, 'config.json'));
    writeFileSync(join(configCut.dir, 'config.json'), configBytes.subarray(0, 30));

    const list = await client.request('runs.list', {});
    const byId = new Map(list.map((r) => [r.id, r]));
    expect(byId.get(fine.id)!.status).toBe('created');
    expect(byId.get(metaCut.id)).toMatchObject({ status: 'damaged', damage: { file: 'run.json' } });
    expect(byId.get(configCut.id)).toMatchObject({ status: 'damaged', name: 'config cut', damage: { file: 'config.json' } });
    expect(byId.get(configCut.id)!.damage!.reason).toMatch(/not valid JSON, probably truncated/);

    for (const [id, file] of [
      [metaCut.id, 'run.json'],
      [configCut.id, 'config.json'],
    ] as const) {
      for (const channel of ['runs.get', 'train.start'] as const) {
        await expect(client.request(channel, { id })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining(`is damaged: ${file} is`) });
      }
    }

    const repaired = await client.request('runs.repair', { id: metaCut.id });
    expect(repaired.repaired[0]).toMatch(/^run\.json: rebuilt \(status created, step 0/);
    expect(repaired.summary).toMatchObject({ id: metaCut.id, name: 'meta cut', status: 'created' });
    expect(JSON.parse(readFileSync(join(metaCut.dir, 'run.json.damaged.json'), 'utf8')).damaged).toBe(metaText.slice(0, 20));
    await expect(client.request('runs.repair', { id: configCut.id })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/config\.json is .+; it cannot be rebuilt/),
    });
    // Nothing was touched in the run whose config cannot be rebuilt.
    expect(readFileSync(join(configCut.dir, 'config.json')).equals(configBytes.subarray(0, 30))).toBe(true);
  });
});

describe('status after a crash', () => {
  it('a run a dead process left running is "interrupted" at its checkpoint step, also on a read-only runs folder', () => {
    const dir = tempDir('drive-lab-ro-');
    try {
      const store = new RunStore(dir.dir, 'test');
      const run = store.create(tinyConfig());
      // Died at step 350 with its last checkpoint at step 300; run.json last said step 240.
      store.updateMeta(run.id, { status: 'running', step: 240 });
      // (A PID above the kernel's pid_max: no such process.)
      writeFileSync(join(run.dir, 'owner.json'), JSON.stringify({ pid: 2 ** 22 + 1, hostname: hostname(), startedAt: new Date().toISOString() }));
      mkdirSync(join(run.dir, 'checkpoints', 'ckpt-000000000300'));
      writeFileSync(join(run.dir, 'checkpoints', 'latest.json'), JSON.stringify({ dir: 'ckpt-000000000300', step: 300 }));
      const runJson = readFileSync(join(run.dir, 'run.json'));
      // The folder is read-only: every write fails with EROFS.
      setWriteFaultHook((_op, path) => {
        throw fsError('EROFS', 'open', path);
      });
      let readOnly: Engine | undefined;
      try {
        readOnly = new Engine({ runsDir: dir.dir });
        const [shown] = readOnly.store.list();
        expect(shown).toMatchObject({ id: run.id, status: 'interrupted', step: 300 });
      } finally {
        setWriteFaultHook(undefined);
      }
      expect(readFileSync(join(run.dir, 'run.json')).equals(runJson)).toBe(true);
      // Writable again: recovery records it.
      expect(new RunStore(dir.dir, 'test').recoverInterrupted()).toEqual([run.id]);
      expect(new RunStore(dir.dir, 'test').readMeta(run.id)).toMatchObject({ status: 'interrupted', step: 300 });
      expect(existsSync(join(run.dir, 'owner.json'))).toBe(false);
    } finally {
      dir.cleanup();
    }
  });
});

/**
 * The async learner with in-process actor threads: a short pendulum run with two actors
 * finishes and its metrics show both actors' transitions; an actor thread killed mid-run is
 * replaced and the learner goes on; a stopped async run resumes with its replay buffer.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActorsLine } from '../../../../src-shared/actors.js';
import { buildRunConfig } from '../../../../src-shared/config/run-config.js';
import { selectBackend } from '../../../../src-main/ml/backend.js';
import { AsyncTrainer } from '../../../../src-main/rl/actors/async-trainer.js';
import { InprocActors } from '../../../../src-main/rl/actors/inproc.js';
import { CheckpointStore } from '../../../../src-main/rl/checkpoint/store.js';
import { configDigest } from '../../../../src-main/rl/train/run-state.js';
import { tempDir } from '../../../helpers/tmp.js';
import { fakeJob, tinyConfig } from '../fake-job.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
beforeAll(async () => {
  await selectBackend('wasm');
});
let runs = 0;
const newRunDir = () => {
  const d = join(tmp.dir, `run${runs++}`);
  mkdirSync(d);
  return d;
};

const asyncConfig = (over: Record<string, unknown> = {}) =>
  tinyConfig({ totalSteps: 600, evalEvery: 0, checkpointEvery: 300, logEvery: 200, actors: { mode: 'async', count: 2, weightSyncEvery: 20 }, ...over });

const actorsLines = (lines: Array<{ kind: string }>) => lines.filter((l) => l.kind === 'actors').map((l) => ActorsLine.parse(l));

describe('async actors (in-process)', () => {
  it('two actors feed one learner to the end; one killed mid-run is replaced and the learner goes on', async () => {
    const dir = newRunDir();
    const f = fakeJob(dir, asyncConfig());
    let killed = false;
    let t: AsyncTrainer | undefined = undefined;
    t = new AsyncTrainer(f.job, {
      afterUpdate: (_l, updates) => {
        // Once both actors have contributed.
        if (killed || updates < 1 || Object.values(t!.book.stepsByActor()).filter((n) => n > 0).length < 2) return;
        killed = true;
        const pool = t!.transport as InprocActors;
        // Hold the learner until the replacement has joined, so it surely contributes.
        f.pause();
        void pool
          .kill(0)
          .then(() => pool.joined(0))
          .then(() => f.resume());
      },
    });
    try {
      await t.run();
    } finally {
      t.dispose();
      f.close();
    }
    expect(killed).toBe(true);
    expect(f.statuses.at(-1)?.status).toBe('finished');
    expect(t.step).toBe(600);
    // The updates the synchronous schedule makes (one per step after learningStarts).
    expect(t.learner.updates).toBe(540);
    expect((t.transport as InprocActors).respawns).toBe(1);
    expect(f.logs.some((l) => l.level === 'warn' && /a new actor takes slot 0/.test(l.message))).toBe(true);
    const lines = f.metrics();
    const last = actorsLines(lines).at(-1)!;
    expect(last.transport).toBe('inproc');
    expect(last.actors.reduce((s, a) => s + a.steps, 0)).toBe(600);
    // Slot 0's first incarnation (gone), its replacement and slot 1 all contributed.
    const contributed = last.actors.filter((a) => a.steps > 0);
    expect(contributed.filter((a) => a.slot === 0).map((a) => a.alive)).toEqual([false, true]);
    expect(contributed.some((a) => a.slot === 1 && a.alive)).toBe(true);
    // Episodes name the actor slot that played them.
    const episodeActors = new Set(lines.filter((l) => l.kind === 'episode').map((l) => l.actor));
    expect(episodeActors).toEqual(new Set([0, 1]));
    expect(lines.some((l) => l.kind === 'eval')).toBe(true);
  }, 60_000);

  it('a stopped async run resumes from its checkpoint with its replay buffer', async () => {
    const dir = newRunDir();
    const f = fakeJob(dir, asyncConfig());
    const t = new AsyncTrainer(f.job, {
      afterUpdate: (_l, updates) => {
        if (updates === 150) f.stop();
      },
    });
    try {
      await t.run();
    } finally {
      t.dispose();
      f.close();
    }
    expect(f.statuses.at(-1)?.status).toBe('stopped');
    const stoppedAt = t.step;
    const size = t.buffer.size;
    expect(size).toBe(stoppedAt);
    const snap = new CheckpointStore(join(dir, 'checkpoints')).read(new CheckpointStore(join(dir, 'checkpoints')).resolve('last')).snapshot;
    expect((snap.json as { async: { step: number } }).async.step).toBe(stoppedAt);

    const g = fakeJob(dir, asyncConfig(), true);
    const u = new AsyncTrainer(g.job);
    try {
      await u.run();
    } finally {
      u.dispose();
      g.close();
    }
    expect(g.logs.some((l) => l.message.includes(`resumed from the checkpoint at step ${stoppedAt}`))).toBe(true);
    expect(g.statuses.at(-1)?.status).toBe('finished');
    // Nothing collected before the stop was lost.
    expect(u.buffer.size).toBe(600);
  }, 60_000);

  it('the actors block is left out of old configs, so their digests are unchanged', () => {
    const old = buildRunConfig(tinyConfig());
    expect('actors' in old).toBe(false);
    const withActors = buildRunConfig(asyncConfig());
    expect(configDigest(withActors)).not.toBe(configDigest(old));
    expect(withActors.actors).toEqual({ mode: 'async', count: 2, weightSyncEvery: 20 });
  });
});

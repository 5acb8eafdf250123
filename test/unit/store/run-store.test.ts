import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonlAppender, readJsonlLines } from '../../../src-main/core/durable-write.js';
import { RunStore } from '../../../src-main/store/run-store.js';
import { tempDir } from '../../helpers/tmp.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function store(): { store: RunStore; dir: string } {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return { store: new RunStore(t.dir, '9.9.9'), dir: t.dir };
}

describe('run store', () => {
  it('creates a run folder with a validated config and provenance', () => {
    const { store: s } = store();
    const run = s.create({ name: 'My first run', algo: 'ddpg', seed: 3 });
    expect(run.id).toMatch(/my-first-run$/);
    expect(readdirSync(run.dir).sort()).toEqual(['checkpoints', 'config.json', 'exports', 'run.json']);
    const stored = JSON.parse(readFileSync(join(run.dir, 'config.json'), 'utf8'));
    expect(stored.appVersion).toBe('9.9.9');
    expect(stored.config.seed).toBe(3);
    expect(stored.config.td3.nCritics).toBe(1);
    expect(run.status).toBe('created');
  });

  it('lists newest first, renames, duplicates with changes, deletes', () => {
    const { store: s } = store();
    const a = s.create({ name: 'a' });
    const b = s.create({ name: 'b' });
    expect(s.list().map((r) => r.id)).toEqual([b.id, a.id]);
    expect(s.rename(a.id, 'renamed').name).toBe('renamed');
    expect(s.readConfig(a.id).config.name).toBe('renamed');
    const c = s.duplicate(a.id, { seed: 7, td3: { gamma: 0.9 } });
    expect(c.name).toBe('renamed (copy)');
    expect(c.config.seed).toBe(7);
    expect(c.config.td3.gamma).toBe(0.9);
    expect(c.config.td3.tau).toBe(0.005);
    s.delete(b.id);
    expect(
      s
        .list()
        .map((r) => r.id)
        .sort(),
    ).toEqual([a.id, c.id].sort());
  });

  it('refuses ids that could escape the runs folder', () => {
    const { store: s } = store();
    expect(() => s.dir('../x')).toThrow(/invalid run id/);
    expect(() => s.dir('a/b')).toThrow(/invalid run id/);
  });

  it('lists a damaged run as damaged, with the file and the reason, beside the others', () => {
    const { store: s, dir } = store();
    const good = s.create({ name: 'good' });
    const bad = s.create({ name: 'bad' });
    writeFileSync(join(dir, bad.id, 'run.json'), '{"name": ');
    const list = s.list();
    expect(list.map((r) => r.id).sort()).toEqual([good.id, bad.id].sort());
    const shown = list.find((r) => r.id === bad.id)!;
    expect(shown.status).toBe('damaged');
    expect(shown.damage).toMatchObject({ file: 'run.json' });
    expect(shown.damage!.reason).toMatch(/not valid JSON/);
    expect(list.find((r) => r.id === good.id)!.status).toBe('created');
  });

  it('repairs a torn last JSONL line before appending', () => {
    const { dir } = store();
    const path = join(dir, 'metrics.jsonl');
    writeFileSync(path, '{"kind":"episode","step":1}\n{"kind":"epi');
    expect(readJsonlLines(path).lines).toEqual([{ kind: 'episode', step: 1 }]);
    const app = new JsonlAppender(path);
    app.append({ kind: 'episode', step: 2 });
    app.close();
    expect(readJsonlLines(path).lines).toEqual([
      { kind: 'episode', step: 1 },
      { kind: 'episode', step: 2 },
    ]);
    appendFileSync(path, 'garbage\n{"kind":"episode","step":3}\n');
    const { lines } = readJsonlLines(path);
    expect(lines[2]).toMatchObject({ kind: 'corrupt-line' });
    expect(lines[3]).toEqual({ kind: 'episode', step: 3 });
  });

  it('never leaves a half-written file when the writer is killed mid-write', async () => {
    const { dir } = store();
    const target = join(dir, 'checkpoint.json');
    const atomicModule = new URL('../../../src-main/core/durable-write.ts', import.meta.url).pathname;
    // A child process rewrites a ~2 MB JSON file as fast as it can; we SIGKILL it at random times.
    const script = `
      import { writeJsonAtomic } from ${JSON.stringify(atomicModule)};
      const big = Array.from({ length: 200000 }, (_, i) => i);
      for (let v = 0; ; v++) writeJsonAtomic(${JSON.stringify(target)}, { version: v, big, end: 'complete' });
    `;
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
      // Wait until this child has written at least once (startup is slow on a loaded machine),
      // then kill it at a random moment of its write loop.
      const before = existsSync(target) ? statSync(target).mtimeMs : 0;
      const deadline = Date.now() + 30_000;
      while ((!existsSync(target) || statSync(target).mtimeMs === before) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, Math.random() * 300));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const parsed = JSON.parse(readFileSync(target, 'utf8'));
      expect(parsed.end).toBe('complete');
      expect(parsed.big).toHaveLength(200000);
    }
  }, 60_000);
});

describe('recovery after a crash', () => {
  it('marks runs a dead process left running as interrupted, and leaves live owners alone', async () => {
    const { store: s, dir } = store();
    const orphan = s.create({ name: 'orphan' });
    s.updateMeta(orphan.id, { status: 'running', step: 40 });
    // An owner file naming a process that no longer exists.
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.once('exit', r));
    writeFileSync(join(dir, orphan.id, 'owner.json'), JSON.stringify({ pid: dead.pid, hostname: hostname(), startedAt: new Date().toISOString() }));
    const live = s.create({ name: 'live' });
    s.updateMeta(live.id, { status: 'paused', step: 10 });
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    writeFileSync(join(dir, live.id, 'owner.json'), JSON.stringify({ pid: sleeper.pid, hostname: hostname(), startedAt: new Date().toISOString() }));
    try {
      expect(s.recoverInterrupted()).toEqual([orphan.id]);
      expect(s.readMeta(orphan.id)).toMatchObject({ status: 'interrupted', step: 40 });
      expect(existsSync(join(dir, orphan.id, 'owner.json'))).toBe(false);
      expect(s.readMeta(live.id).status).toBe('paused');
      expect(s.ownedElsewhere(live.id)).toBe(true);
    } finally {
      sleeper.kill();
    }
  });
});

describe('readJsonlLines paging', () => {
  /** The reference: parse the whole file, as the reader did before it kept a line index. */
  function naive(path: string, from: number, limit: number): { lines: unknown[]; next: number } {
    const raw = readFileSync(path, 'utf8').split('\n');
    if (raw.length && raw[raw.length - 1] === '') raw.pop();
    const lines: unknown[] = [];
    let i = from;
    for (; i < raw.length && lines.length < limit; i++) {
      try {
        lines.push(JSON.parse(raw[i]!));
      } catch {
        if (i === raw.length - 1) break;
        lines.push({ kind: 'corrupt-line', step: -1, line: i });
      }
    }
    return { lines, next: i };
  }

  it('pages through a growing file exactly as a whole-file parse does (torn tails, corrupt lines, replaced files)', () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'metrics.jsonl');
      writeFileSync(path, '');
      let seed = 7;
      const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      let step = 0;
      for (let round = 0; round < 60; round++) {
        const n = Math.floor(rand() * 5);
        let text = '';
        for (let k = 0; k < n; k++)
          text += rand() < 0.05 ? 'garbage ü\n' : `${JSON.stringify({ kind: 'train', step: step++, note: 'é'.repeat(Math.floor(rand() * 3)) })}\n`;
        if (rand() < 0.2) text += '{"kind":"epi'; // a torn write…
        appendFileSync(path, text);
        for (const [from, limit] of [
          [0, Infinity],
          [Math.floor(rand() * step), 1 + Math.floor(rand() * 4)],
          [step, 10],
          [step + 5, 3],
        ] as const) {
          expect(readJsonlLines(path, from, limit)).toEqual(naive(path, from, limit));
        }
        if (text.endsWith('{"kind":"epi')) appendFileSync(path, 'sode","step":-2}\n'); // …completed later
        if (round === 30) (writeFileSync(join(dir, 'x'), '{"kind":"a","step":0}\n'), renameSync(join(dir, 'x'), path)); // replaced
      }
      expect(readJsonlLines(path)).toEqual(naive(path, 0, Infinity));
    } finally {
      cleanup();
    }
  });
});

/**
 * Run ownership: owner.json is claimed with an exclusive create, so of several processes
 * resuming one run at once exactly one trains it; a PID reused by an unrelated process (or an
 * owner from an earlier boot) does not keep a run "being trained by another process" forever.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src-main/services/engine.js';
import { bootMark, processStartTime, readOwner } from '../../src-main/store/run-owner.js';
import { RunStore } from '../../src-main/store/run-store.js';
import { tempDir } from '../helpers/tmp.js';
import { tinyConfig } from '../unit/rl/fake-job.js';

const tmp = tempDir('drive-lab-owner-');
afterAll(() => tmp.cleanup());

function sleeper(): { pid: number; kill: () => void } {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  return { pid: child.pid!, kill: () => child.kill('SIGKILL') };
}

describe('run ownership', () => {
  it('records pid, process start time and boot; a reused PID or an earlier boot is stale, a live owner is not', () => {
    const store = new RunStore(join(tmp.dir, 'a'), 'test');
    const run = store.create(tinyConfig());
    const ownerPath = join(run.dir, 'owner.json');
    store.claimOwner(run.id);
    const mine = readOwner(ownerPath)!;
    expect(mine.pid).toBe(process.pid);
    if (process.platform === 'linux') expect(mine.procStart).toBe(processStartTime(process.pid));
    expect(mine.boot).toBe(bootMark());
    // Another store (another engine) sees it owned.
    expect(new RunStore(join(tmp.dir, 'a'), 'test').ownedElsewhere(run.id)).toBe(true);
    store.releaseOwner(run.id);
    expect(existsSync(ownerPath)).toBe(false);

    const other = sleeper();
    try {
      const base = { pid: other.pid, hostname: hostname(), startedAt: new Date().toISOString(), boot: bootMark() };
      // The same PID, now another process (its start time differs from the one recorded).
      writeFileSync(ownerPath, JSON.stringify({ ...base, procStart: '1' }));
      expect(store.ownedElsewhere(run.id)).toBe(process.platform !== 'linux');
      // An owner from an earlier boot.
      writeFileSync(ownerPath, JSON.stringify({ ...base, boot: 'an-earlier-boot' }));
      expect(store.ownedElsewhere(run.id)).toBe(false);
      store.claimOwner(run.id); // the stale record is replaced
      expect(readOwner(ownerPath)!.pid).toBe(process.pid);
      store.releaseOwner(run.id);
      // The live process itself, as it recorded itself.
      writeFileSync(ownerPath, JSON.stringify({ ...base, procStart: processStartTime(other.pid) }));
      expect(store.ownedElsewhere(run.id)).toBe(true);
      expect(() => store.claimOwner(run.id)).toThrow(/being trained by another Drive Lab process/);
      expect(readOwner(ownerPath)!.pid).toBe(other.pid);
    } finally {
      other.kill();
    }
  });

  it('of six processes claiming one run at the same instant, exactly one wins, even over a stale owner', async () => {
    const store = new RunStore(join(tmp.dir, 'b'), 'test');
    const run = store.create(tinyConfig());
    const ownerPath = join(run.dir, 'owner.json');
    // A stale record (no such process) that every claimant must judge and replace.
    writeFileSync(ownerPath, JSON.stringify({ pid: 2 ** 22 + 1, hostname: hostname(), startedAt: new Date().toISOString() }));
    const at = Date.now() + 2500;
    const children = Array.from({ length: 6 }, () =>
      spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'claim-child.ts'), ownerPath, String(at)], { stdio: ['pipe', 'pipe', 'inherit'] }),
    );
    // Every child holds its claim (stays alive) until all have answered.
    const outputs = await Promise.all(
      children.map((child) => {
        let out = '';
        return new Promise<string>((r) => {
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            if (out.includes('\n')) r(out.trim());
          });
          child.once('exit', () => r(out.trim()));
        });
      }),
    );
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : (c.stdin.end(), c.once('exit', r))))));
    expect(outputs.filter((o) => o === 'won')).toHaveLength(1);
    expect(outputs.filter((o) => o === 'conflict')).toHaveLength(5);
  }, 30_000);

  it('two engines resuming one run at once: one trains it, the other gets a conflict in words', async () => {
    const dir = join(tmp.dir, 'c');
    const e1 = new Engine({ runsDir: dir });
    const e2 = new Engine({ runsDir: dir });
    try {
      const run = await e1.client().request('runs.create', { config: tinyConfig({ totalSteps: 200, evalEvery: 0, checkpointEvery: 100 }) });
      const results = await Promise.allSettled([e1.client().request('train.start', { id: run.id }), e2.client().request('train.start', { id: run.id })]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({ code: 'conflict', message: expect.stringMatching(/is being trained by another Drive Lab process/) });
      const winner = results[0]!.status === 'fulfilled' ? e1 : e2;
      expect(await winner.training.wait(run.id)).toBe('finished');
      expect(existsSync(join(run.dir, 'owner.json'))).toBe(false);
      expect(JSON.parse(readFileSync(join(run.dir, 'run.json'), 'utf8')).status).toBe('finished');
    } finally {
      await e1.close();
      await e2.close();
    }
  });
});

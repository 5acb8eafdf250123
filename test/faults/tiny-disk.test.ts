/**
 * A real full disk: the runs folder on a 512 KiB tmpfs, so the training worker's own checkpoint
 * and log writes hit ENOSPC (the fault hook reaches only the engine's thread). The run pauses
 * with one line in words, the files it had complete still load, and after space is freed
 * `train.resume` continues from the last checkpoint. `cli train` on the same disk exits 1 with
 * one line and leaves run.json readable and no owner.json.
 *
 * Mounting needs privileges: where `mount -t tmpfs` is refused this file reports itself as not
 * run (the injected faults of disk-faults.test.ts still run everywhere).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../src-main/rl/checkpoint/store.js';
import { Engine } from '../../src-main/services/engine.js';
import { RunMeta } from '../../src-main/store/run-store.js';
import { tempDir } from '../helpers/tmp.js';
import { tinyConfig } from '../unit/rl/fake-job.js';
import { nextStatus } from './helpers.js';

const tmp = tempDir('drive-lab-tinydisk-');
const mnt = join(tmp.dir, 'mnt');
mkdirSync(mnt);
const canMount = (() => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mnt], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const remount = (size: string) => execFileSync('mount', ['-o', `remount,size=${size}`, mnt]);
afterAll(() => {
  if (canMount) execFileSync('umount', [mnt]);
  tmp.cleanup();
});

describe.runIf(canMount)('a real full disk (512 KiB tmpfs)', () => {
  let engine: Engine;
  beforeAll(() => {
    engine = new Engine({ runsDir: join(mnt, 'engine') });
  });
  afterAll(async () => {
    await engine.close();
  });

  it('pauses the run in words when its worker hits ENOSPC; resumes from the last checkpoint once space is freed', async () => {
    const client = engine.client();
    const run = await client.request('runs.create', { config: tinyConfig({ totalSteps: 50_000, evalEvery: 0, checkpointEvery: 100, logEvery: 100 }) });
    const paused = nextStatus(engine, run.id, (s) => s.status === 'paused');
    await client.request('train.start', { id: run.id });
    const s = await paused;
    expect(s.message).toBe(`paused: no space left on ${run.dir}; free space and resume`);
    expect(await engine.training.wait(run.id)).toBe('paused');
    // What was complete still reads: config, run.json, the newest checkpoint.
    expect((await client.request('runs.get', { id: run.id })).config.totalSteps).toBe(50_000);
    RunMeta.parse(JSON.parse(readFileSync(join(run.dir, 'run.json'), 'utf8')));
    const latest = new CheckpointStore(join(run.dir, 'checkpoints')).loadLatest();
    expect(latest).toBeDefined();
    expect(existsSync(join(run.dir, 'owner.json'))).toBe(false);

    remount('64m');
    const running = nextStatus(engine, run.id, (x) => x.status === 'running');
    await client.request('train.resume', { id: run.id });
    await running;
    await client.request('train.stop', { id: run.id });
    const after = await client.request('runs.get', { id: run.id });
    expect(after.status).toBe('stopped');
    expect(after.step).toBeGreaterThanOrEqual(latest!.ref.step);
  }, 120_000);

  it('cli train on a full disk: exit 1, one line, run.json readable, no owner.json', () => {
    rmSync(join(mnt, 'engine'), { recursive: true, force: true });
    remount('512k');
    const runsDir = join(mnt, 'cli');
    const cfg = join(tmp.dir, 'config.json');
    writeFileSync(cfg, JSON.stringify(tinyConfig({ totalSteps: 50_000, evalEvery: 0, checkpointEvery: 100, logEvery: 100 })));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/bin.ts', '--runs-dir', runsDir, 'train', '--config', cfg], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(1);
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('warn: run ') && l.trim() !== '' && !/^\S.*\[.*\]\s+\d+%/.test(l));
    expect(lines.at(-1)).toMatch(/^error: paused: no space left on .+; free space and resume \(train --resume .+\)$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const [id] = readdirSync(runsDir);
    RunMeta.parse(JSON.parse(readFileSync(join(runsDir, id!, 'run.json'), 'utf8')));
    expect(existsSync(join(runsDir, id!, 'owner.json'))).toBe(false);
  }, 120_000);
});

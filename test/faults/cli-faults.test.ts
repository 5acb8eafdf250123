/**
 * The CLI's side of the faults: `train --resume` of a run whose every checkpoint is damaged is
 * refused with exit 2 and one line naming each checkpoint, and changes no file but run.json's
 * status; `runs list` shows a damaged run with its file and reason; `runs repair` rebuilds run.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../src-main/store/run-store.js';
import { tempDir } from '../helpers/tmp.js';
import { tinyConfig } from '../unit/rl/fake-job.js';

const tmp = tempDir('drive-lab-cli-faults-');
afterAll(() => tmp.cleanup());

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/bin.ts', '--runs-dir', tmp.dir, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('cli on damaged runs', () => {
  it('train --resume with every checkpoint damaged: exit 2, one line, metrics and events untouched', () => {
    const store = new RunStore(tmp.dir, 'test');
    const run = store.create(tinyConfig({ totalSteps: 400 }));
    store.updateMeta(run.id, { status: 'interrupted', step: 200 });
    const metrics = '{"kind":"train","step":100}\n{"kind":"train","step":200}\n';
    writeFileSync(join(run.dir, 'metrics.jsonl'), metrics);
    writeFileSync(join(run.dir, 'events.jsonl'), '{"kind":"pause","step":150,"t":1}\n');
    for (const step of ['000000000100', '000000000200']) {
      mkdirSync(join(run.dir, 'checkpoints', `ckpt-${step}`));
      writeFileSync(join(run.dir, 'checkpoints', `ckpt-${step}`, 'manifest.json'), '{"format": "drive-lab-ch');
    }
    const r = cli('train', '--resume', run.id);
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('warn: run '));
    expect(lines).toHaveLength(1);
    expect(r.stdout).toBe('');
    expect(lines[0]).toMatch(
      /refusing to resume: no checkpoint can be loaded \(ckpt-000000000100: .+; ckpt-000000000200: .+\); nothing was changed\. Restart it from step 0 with --restart/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(join(run.dir, 'metrics.jsonl'), 'utf8')).toBe(metrics);
    expect(readFileSync(join(run.dir, 'events.jsonl'), 'utf8')).toBe('{"kind":"pause","step":150,"t":1}\n');
    expect(existsSync(join(run.dir, 'owner.json'))).toBe(false);
    expect(JSON.parse(readFileSync(join(run.dir, 'run.json'), 'utf8')).status).toBe('failed');
  }, 120_000);

  it('runs list shows a damaged run with the file and reason; runs repair rebuilds run.json', () => {
    const store = new RunStore(tmp.dir, 'test');
    const run = store.create({ ...tinyConfig(), name: 'torn' });
    writeFileSync(join(run.dir, 'run.json'), '{"name": "to');
    const list = cli('runs', 'list');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${run.id}\\s+torn\\s+pendulum\\s+td3\\s+damaged`));
    expect(list.stdout).toContain(`damaged: ${run.id}: run.json is not valid JSON, probably truncated`);
    const repair = cli('runs', 'repair', run.id);
    expect(repair.code, repair.stderr).toBe(0);
    expect(repair.stdout.trim()).toMatch(
      /^repaired run\.json: rebuilt \(status created, step 0, best eval -\); the damaged one is kept as run\.json\.damaged\.json$/,
    );
    expect(store.summary(run.id)).toMatchObject({ name: 'torn', status: 'created' });
  }, 120_000);
});

import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/bin.ts', '--runs-dir', tmp.dir, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('cli', () => {
  it('documents every command in --help', () => {
    const r = cli('--help');
    expect(r.code).toBe(0);
    for (const cmd of ['status', 'runs', 'serve']) expect(r.stdout).toMatch(new RegExp(`\\n  ${cmd}\\b`));
  });

  it('prints machine-readable JSON with --json', () => {
    const r = cli('--json', 'runs', 'list');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('exits non-zero with a one-line reason on bad input', () => {
    const r = cli('runs', 'show', 'no-such-run');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: no run "no-such-run"/);
    const bad = cli('--backend', 'quantum', 'status');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--backend must be one of/);
    const unknown = cli('fly');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'fly'/);
  });

  it('reports the ML backend and why', () => {
    const r = cli('--json', 'status');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.backend.name).toBeTruthy();
    expect(s.backend.reason.length).toBeGreaterThan(5);
    expect(s.runsDir).toBe(tmp.dir);
  });
});

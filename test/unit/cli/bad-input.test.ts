/**
 * Bad command lines get one line and exit 2, and nothing is created: unbounded counts, numbers
 * that are not decimal, prototype and inherited keys, a bad --init-policy export (checked as
 * `policy check` checks it, before the run exists), a non-loopback serve without
 * --allow-remote, a runs folder that is a file. In-process: nothing here trains or serves.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RUN_LIMITS, EVAL_EPISODES_MAX } from '../../../src-shared/config/limits.js';
import { RunConfig } from '../../../src-shared/config/run-config.js';
import { intOption, numberOption } from '../../../src-main/cli/context.js';
import { main } from '../../../src-main/cli/main.js';
import { Rng } from '../../../src-main/core/rng.js';
import { APP_VERSION } from '../../../src-main/core/version.js';
import { exportRun } from '../../../src-main/export/run-source.js';
import { Mlp } from '../../../src-main/ml/mlp.js';
import { RunStore } from '../../../src-main/store/run-store.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();
const runsDir = join(tmp.dir, 'runs');
const exportsHome = new RunStore(join(tmp.dir, 'exports-home'), APP_VERSION);
let goodExport = '';
let tamperedExport = '';

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  try {
    const code = await main(['--runs-dir', runsDir, '--backend', 'cpu', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const runsNow = () => {
  try {
    return readdirSync(runsDir);
  } catch {
    return [];
  }
};

/** Exit 2, one line matching `re`, and no run folder created. */
async function refused(args: string[], re: RegExp): Promise<string> {
  const before = runsNow();
  const r = await cli(...args);
  expect(r.code, args.join(' ')).toBe(2);
  expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
  expect(r.stderr.trim(), args.join(' ')).toMatch(re);
  expect(runsNow()).toEqual(before);
  return r.stderr.trim();
}

beforeAll(async () => {
  const mlp = new Mlp({ inputDim: 3, hidden: [8], outputDim: 1, outputActivation: 'tanh' }, new Rng(1), 'actor');
  const made = async () => {
    const run = exportsHome.create({ name: 'source', env: { id: 'pendulum' }, td3: { actorHidden: [8] } });
    const r = await exportRun({
      runDir: run.dir,
      checkpoint: 'best',
      loadActor: async () => ({ actor: mlp, checkpoint: 'checkpoints/best', step: 10 }),
      options: { samples: 20, formats: ['tfjs'] },
    });
    return r.dir;
  };
  goodExport = await made();
  tamperedExport = await made();
  // Weights edited after export: the sha256 in metadata.json no longer matches.
  const weights = join(tamperedExport, 'weights.bin');
  const bytes = readFileSync(weights);
  bytes[0] = bytes[0]! ^ 0xff;
  writeFileSync(weights, bytes);
  mlp.dispose();
}, 60_000);
afterAll(() => tmp.cleanup());

describe('numbers are decimal and bounded', () => {
  it('takes plain decimals and exponents, refuses hex, octal, binary, empty and padded text', () => {
    expect(intOption('--steps', '250', 1)).toBe(250);
    expect(intOption('--steps', '1e6', 1)).toBe(1_000_000);
    expect(numberOption('--minutes', '0.5', { min: 0, max: 10, minExclusive: true })).toBe(0.5);
    for (const raw of ['0x10', '0o7', '0b1', '', ' 5', '5 ', 'Infinity', 'NaN', '1_000', '--1']) {
      expect(() => intOption('--steps', raw, 1), raw).toThrow(/--steps must be an integer >= 1 written in decimal/);
    }
    expect(() => intOption('--steps', '1.5', 1)).toThrow(/--steps must be an integer >= 1 \(got "1.5"\)/);
    expect(() => numberOption('--minutes', '0', { min: 0, max: 10, minExclusive: true })).toThrow(/--minutes must be a number > 0 and <= 10/);
  });

  it("the limits are the config schema's, so the WebSocket path refuses the same values", () => {
    expect(RunConfig.shape.totalSteps.safeParse(RUN_LIMITS.totalSteps.max + 1).success).toBe(false);
    expect(RunConfig.shape.totalSteps.safeParse(RUN_LIMITS.totalSteps.max).success).toBe(true);
    expect(RunConfig.shape.numEnvs.safeParse(RUN_LIMITS.numEnvs.max + 1).success).toBe(false);
    expect(RUN_LIMITS.drive.budgetMinutes).toMatchObject({ min: 0, minExclusive: true });
  });

  it.each([
    [['train', '--steps', '0x10'], /^error: --steps must be an integer >= 1 written in decimal \(got "0x10"\)$/],
    [['train', '--steps', String(RUN_LIMITS.totalSteps.max + 1)], /^error: --steps must be at most 1000000000/],
    [['train', '--num-envs', '65'], /^error: --num-envs must be at most 64/],
    [['train', '--seed', ''], /^error: --seed must be an integer >= 0 written in decimal/],
    [['drive', '--episodes', '100000000'], /^error: --episodes must be at most 100000/],
    [['drive', '--test-routes', '5000'], /^error: --test-routes must be at most 1000/],
    [['drive', '--minutes', '0'], /^error: --minutes must be a number > 0 and <= 100000/],
    [['drive', '--frames', '1e9'], /^error: --frames must be at most 200000/],
    [['serve', '--port', '70000'], /^error: --port must be at most 65535/],
  ])('%j', async (args, re) => {
    await refused(args, re);
  });

  it('eval bounds --episodes before it evaluates anything', async () => {
    const run = new RunStore(runsDir, APP_VERSION).create({ name: 'untrained', env: { id: 'pendulum' } });
    await refused(
      ['eval', '--policy', join(runsDir, run.id), '--episodes', '100000000'],
      new RegExp(`^error: --episodes must be at most ${EVAL_EPISODES_MAX} \\(got "100000000"\\)$`),
    );
    await refused(['eval', '--policy', goodExport, '--episodes', '100000000'], /^error: --episodes must be at most/);
    await refused(['eval', '--policy', goodExport, '--seeds', '0..200000'], /^error: --seeds: at most 100000 seeds$/);
  });
});

describe('--set and --config name config keys only', () => {
  it.each([
    [['train', '--set', 'constructor=1'], /^error: --set: "constructor" is not a config key$/],
    [['train', '--set', '__proto__.x=1'], /^error: --set: "__proto__.x" is not a config key$/],
    [['train', '--set', 'td3.prototype=1'], /^error: --set: "td3.prototype" is not a config key$/],
    [['train', '--set', 'toString=1'], /^error: unknown config key "toString"$/],
    [['train', '--set', 'td3.hasOwnProperty=1'], /^error: unknown config key "td3.hasOwnProperty"$/],
    [['drive', '--set', 'valueOf=1'], /^error: unknown config key "valueOf"$/],
  ])('%j', async (args, re) => {
    await refused(args, re);
  });

  it('refuses a --config that is a folder', async () => {
    await refused(['train', '--config', tmp.dir], /^error: --config file .* is not a file$/);
  });

  it('refuses prototype keys in a --config file', async () => {
    const file = join(tmp.dir, 'proto.json');
    writeFileSync(file, '{"seed": 1, "__proto__": {"polluted": true}}');
    await refused(['train', '--config', file], /^error: --config file: "__proto__" is not a config key$/);
    writeFileSync(file, '{"td3": {"constructor": {"x": 1}}}');
    await refused(['drive', '--config', file], /^error: --config file: "td3.constructor" is not a config key$/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('train --init-policy checks the export before the run exists', () => {
  it('refuses an export whose weights changed after export, with the words policy check uses', async () => {
    const check = await cli('policy', 'check', '--model', tamperedExport);
    expect(check.code).toBe(2);
    const reason = check.stderr.trim().replace(/^error: /, '');
    const line = await refused(
      ['train', '--init-policy', tamperedExport, '--set', 'td3.actorHidden=[8]'],
      /^error: --init-policy .*: weights\.bin: sha256 .* differs from metadata\.json's/,
    );
    expect(line.endsWith(reason)).toBe(true);
  });

  it('refuses an export for another env or other hidden sizes; nothing is created', async () => {
    await refused(
      ['train', '--env', 'mountaincar', '--init-policy', goodExport, '--set', 'td3.actorHidden=[8]'],
      /was exported for "pendulum", not "mountaincar"/,
    );
    await refused(
      ['train', '--init-policy', goodExport, '--set', 'td3.actorHidden=[16]'],
      /the actor in .* is 3-8-1; this run's actor is 3-16-1 \(set td3.actorHidden to match\)$/,
    );
    const empty = join(tmp.dir, 'not-an-export');
    mkdirSync(empty, { recursive: true });
    writeFileSync(join(empty, 'metadata.json'), '{}');
    await refused(['train', '--init-policy', empty], /^error: --init-policy .*: metadata\.json: not a Drive Lab policy export/);
  });
});

describe('serve and the runs folder', () => {
  it('refuses a non-loopback host without --allow-remote', async () => {
    await refused(['serve', '--host', '0.0.0.0'], /^error: --host 0\.0\.0\.0 is not a loopback address; add --allow-remote/);
  });

  it('refuses a runs folder that is a file, or under one, with one line', async () => {
    const file = join(tmp.dir, 'a-file');
    writeFileSync(file, 'x');
    for (const [dir, re] of [
      [file, /^error: --runs-dir .*a-file is not a folder$/],
      [join(file, 'runs'), /^error: --runs-dir .*: .*a-file is a file, not a folder$/],
    ] as const) {
      let stderr = '';
      const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
      try {
        expect(await main(['--runs-dir', dir, 'runs', 'list'])).toBe(2);
        expect(await main(['--runs-dir', dir, 'train'])).toBe(2);
        expect(await main(['--runs-dir', dir, 'serve', '--port', '0'])).toBe(2);
      } finally {
        err.mockRestore();
      }
      expect(stderr.trim().split('\n')).toHaveLength(3);
      for (const line of stderr.trim().split('\n')) expect(line).toMatch(re);
    }
  });
});

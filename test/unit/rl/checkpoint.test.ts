import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readArchive } from '../../../src-main/rl/checkpoint/archive.js';
import { CheckpointStore } from '../../../src-main/rl/checkpoint/store.js';
import type { Snapshot } from '../../../src-main/core/snapshot.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;
const fresh = () => {
  const d = join(tmp.dir, `c${n++}`);
  mkdirSync(d);
  return d;
};

const snap = (step: number): Snapshot => ({
  json: { step, nested: { spare: null, x: [1.5, -2.25e-310] } },
  arrays: {
    f32: Float32Array.of(step, Number.NaN, -0, 3.4e38),
    f64: Float64Array.of(Math.PI, step / 3),
    i32: Int32Array.of(-step, 7),
    u32: Uint32Array.of(0xffffffff),
    u8: Uint8Array.of(1, 0, 255),
  },
});

describe('checkpoint store', () => {
  it('round-trips JSON and every array type bit-exactly', () => {
    const store = new CheckpointStore(fresh());
    store.writeFull(10, snap(10), { note: 'x' });
    const { archive, ref } = store.loadLatest()!;
    expect(ref.step).toBe(10);
    expect(archive.meta).toEqual({ note: 'x' });
    expect(archive.snapshot.json).toEqual(snap(10).json);
    const want = snap(10).arrays;
    for (const [k, v] of Object.entries(want)) {
      const got = archive.snapshot.arrays[k]!;
      expect(got.constructor).toBe(v.constructor);
      expect(new Uint8Array(got.buffer, got.byteOffset, got.byteLength)).toEqual(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    }
  });

  it('keeps the newest checkpoints, points `latest` at the newest, and resolves best/last/step', () => {
    const store = new CheckpointStore(fresh(), 2);
    for (const s of [0, 100, 200, 300]) store.writeFull(s, snap(s));
    expect(store.listFull().map((c) => c.step)).toEqual([200, 300]);
    expect(store.resolve('last').step).toBe(300);
    expect(store.resolve(200).dir).toBe('ckpt-000000000200');
    expect(() => store.resolve(100)).toThrow(/no checkpoint at step 100 \(have: 200, 300\)/);
    expect(() => store.resolve('best')).toThrow(/no best/);
    store.writeBest(150, -170, snap(150));
    store.writeBest(250, -120, snap(250));
    expect(store.resolve('best')).toMatchObject({ step: 250, kind: 'policy' });
    expect(readdirSync(store.root).filter((d) => d.startsWith('best-'))).toEqual(['best-000000000250']);
  });

  it('ignores torn temp folders, and falls back when `latest` is missing or damaged', () => {
    const dir = fresh();
    const store = new CheckpointStore(dir);
    store.writeFull(100, snap(100));
    store.writeFull(200, snap(200));
    // A writer killed mid-way: a temp folder with part of the files.
    mkdirSync(join(dir, '.tmp-ckpt-000000000300-1-0'));
    writeFileSync(join(dir, '.tmp-ckpt-000000000300-1-0', 'arrays.bin'), 'partial');
    // A folder renamed into place but damaged later (one byte flipped).
    const bin = join(dir, 'ckpt-000000000200', 'arrays.bin');
    const bytes = readFileSync(bin);
    bytes[3] = bytes[3]! ^ 0xff;
    writeFileSync(bin, bytes);
    expect(() => readArchive(join(dir, 'ckpt-000000000200'))).toThrow(/does not match its manifest/);
    const loaded = store.loadLatest()!;
    expect(loaded.ref.step).toBe(100);
    expect(loaded.skipped.join()).toMatch(/ckpt-000000000200/);
    expect(store.cleanTemp()).toEqual(['.tmp-ckpt-000000000300-1-0']);
    // latest.json pointing nowhere.
    writeFileSync(join(dir, 'latest.json'), JSON.stringify({ dir: 'ckpt-000000000999', step: 999 }));
    expect(store.loadLatest()!.ref.step).toBe(100);
  });

  it('survives a writer killed at random moments: the newest complete checkpoint always loads', async () => {
    const dir = fresh();
    let next = 1;
    for (let round = 0; round < 3; round++) {
      let confirmed = -1;
      await new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'test/unit/rl/ckpt-writer.ts', dir, String(next)], { stdio: ['ignore', 'pipe', 'pipe'] });
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        let firstAt = 0;
        child.stdout.on('data', (d: Buffer) => {
          for (const m of d.toString().matchAll(/wrote (\d+)/g)) confirmed = Number(m[1]);
          if (!firstAt && confirmed >= next + 1) {
            firstAt = Date.now();
            // Kill somewhere inside a later write (each takes a few to tens of ms).
            setTimeout(() => child.kill('SIGKILL'), 3 + round * 7);
          }
        });
        child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited ${code}: ${err}`))));
      });
      const store = new CheckpointStore(dir);
      store.cleanTemp();
      const loaded = store.loadLatest()!;
      expect(loaded.ref.step).toBeGreaterThanOrEqual(confirmed);
      const step = (loaded.archive.snapshot.json as { step: number }).step;
      expect(step).toBe(loaded.ref.step);
      const big = loaded.archive.snapshot.arrays.big as Float32Array;
      expect(big.length).toBe(2_000_000);
      expect(big.every((x) => x === step)).toBe(true);
      expect(Array.from(loaded.archive.snapshot.arrays.small!)).toEqual([step, -step]);
      expect(readdirSync(dir).some((d) => d.startsWith('.tmp-'))).toBe(false);
      next = loaded.ref.step + 1;
    }
    expect(existsSync(join(dir, 'latest.json'))).toBe(true);
  });
});

/**
 * The durable-write primitives: a folder written atomically replaces the old one whole or not at
 * all, and a full disk (simulated through the file-system seam) leaves the old file and no temp
 * file behind.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync as renameSyncReal, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { setDurableFs, writeDirAtomic, writeFileAtomic, writeFileSynced } from '../../../src-main/core/durable-write.js';

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

function enospc(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

describe('durable writes', () => {
  it('writeDirAtomic replaces a folder whole, and leaves it untouched when filling fails', () => {
    const root = mkdtempSync(join(tmpdir(), 'durable-'));
    const target = join(root, 'model');
    mkdirSync(target);
    writeFileSync(join(target, 'old.txt'), 'old');
    expect(
      writeDirAtomic(target, (tmp) => {
        writeFileSynced(join(tmp, 'new.txt'), 'new');
        return 7;
      }),
    ).toBe(7);
    expect(readdirSync(target)).toEqual(['new.txt']);
    expect(() =>
      writeDirAtomic(target, (tmp) => {
        writeFileSynced(join(tmp, 'half.txt'), 'half');
        throw new Error('killed');
      }),
    ).toThrow('killed');
    expect(readdirSync(target)).toEqual(['new.txt']);
    expect(readdirSync(root)).toEqual(['model']); // no temp folder left
  });

  it('a full disk (through the seam) keeps the old file and leaves no temp file', () => {
    const root = mkdtempSync(join(tmpdir(), 'durable-'));
    const path = join(root, 'state.json');
    writeFileAtomic(path, '{"v":1}');
    restore = setDurableFs({
      writeSync: () => {
        throw enospc();
      },
    });
    expect(() => writeFileAtomic(path, '{"v":2}')).toThrow(/ENOSPC/);
    restore();
    restore = undefined;
    expect(readFileSync(path, 'utf8')).toBe('{"v":1}');
    expect(readdirSync(root)).toEqual(['state.json']);
    writeFileAtomic(path, '{"v":3}');
    expect(readFileSync(path, 'utf8')).toBe('{"v":3}');
  });

  it('a read-only disk on publishing keeps the old folder where it was', () => {
    const root = mkdtempSync(join(tmpdir(), 'durable-'));
    const target = join(root, 'ckpt');
    writeDirAtomic(target, (tmp) => writeFileSynced(join(tmp, 'a.bin'), 'first'));
    let renames = 0;
    restore = setDurableFs({
      renameSync: (from, to) => {
        // The old folder moves aside; moving the new one in fails; moving the old one back works.
        if (++renames === 2) throw Object.assign(new Error('EROFS: read-only file system, rename'), { code: 'EROFS' });
        return renameSyncReal(from, to);
      },
    });
    expect(() => writeDirAtomic(target, (tmp) => writeFileSynced(join(tmp, 'a.bin'), 'second'))).toThrow(/EROFS/);
    expect(readFileSync(join(target, 'a.bin'), 'utf8')).toBe('first');
    expect(readdirSync(root)).toEqual(['ckpt']);
  });
});

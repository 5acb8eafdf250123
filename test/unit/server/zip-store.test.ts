import { describe, expect, it } from 'vitest';
import { crc32, readStoredZip, zipStore } from '../../../src-main/server/zip-store.js';

describe('stored zip writer', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('writes entries that read back byte for byte, with UTF-8 names', () => {
    const files = [
      { name: 'best-1/README.md', data: Buffer.from('policy ✓\n') },
      { name: 'best-1/weights.bin', data: new Uint8Array([0, 1, 2, 254, 255]) },
      { name: 'best-1/empty', data: new Uint8Array(0) },
    ];
    const zip = zipStore(files);
    // Local header signature first, end record last.
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.readUInt32LE(zip.length - 22)).toBe(0x06054b50);
    const back = readStoredZip(zip);
    expect(back.map((e) => e.name)).toEqual(files.map((f) => f.name));
    back.forEach((e, i) => {
      expect(e.crcOk).toBe(true);
      expect(Buffer.compare(e.data, Buffer.from(files[i]!.data))).toBe(0);
    });
  });
});

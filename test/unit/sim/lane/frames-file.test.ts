import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { FramesReader, FramesWriter, framesPaths, listFrameSets, readFramesManifest } from '../../../../src-main/sim/lane/frames-file.js';
import { tempDir } from '../../../helpers/tmp.js';

const W = 4;
const H = 3;
const FB = W * H * 3;
function frames(n: number, base: number): Uint8Array {
  const out = new Uint8Array(n * FB);
  for (let i = 0; i < out.length; i++) out[i] = (base + i) & 255;
  return out;
}

describe('frame sets (VAE data and manual drives)', () => {
  let tmp: ReturnType<typeof tempDir>;
  afterEach(() => tmp?.cleanup());

  it('appends segments, commits them in the manifest and reads them back byte for byte', () => {
    tmp = tempDir();
    const path = `${tmp.dir}/collect`;
    const w = FramesWriter.open(path, { width: W, height: H }, { camera: 'test' });
    const a = frames(5, 0);
    const b = frames(2, 100);
    expect(w.append(a, 'random', { roadSeed: 1 })).toBe(5);
    expect(w.append(b, 'manual')).toBe(7);
    w.close();
    const m = readFramesManifest(path);
    expect(m.count).toBe(7);
    expect(m.sources).toEqual({ random: 5, manual: 2 });
    expect(m.segments.map((s) => [s.source, s.start, s.count])).toEqual([
      ['random', 0, 5],
      ['manual', 5, 2],
    ]);
    expect(listFrameSets(tmp.dir)).toEqual([framesPaths(path).manifest]);
    const r = new FramesReader(path);
    expect(Array.from(r.read(0, 5))).toEqual(Array.from(a));
    expect(Array.from(r.frame(6))).toEqual(Array.from(b.subarray(FB)));
    expect(() => r.read(6, 2)).toThrow(/outside/);
    r.close();
  });

  it('an uncommitted tail left by a crash is ignored by readers and cut when reopened', () => {
    tmp = tempDir();
    const path = `${tmp.dir}/crash`;
    const w = FramesWriter.open(path, { width: W, height: H });
    w.append(frames(3, 7), 'zero');
    w.close();
    const { data } = framesPaths(path);
    appendFileSync(data, new Uint8Array(FB + 5)); // torn write past the committed end
    expect(new FramesReader(path).count).toBe(3);
    const again = FramesWriter.open(path, { width: W, height: H });
    expect(statSync(data).size).toBe(3 * FB);
    again.append(frames(1, 9), 'zero');
    again.close();
    expect(new FramesReader(path).count).toBe(4);
    expect(() => FramesWriter.open(path, { width: 8, height: 8 })).toThrow(/holds 4x3 frames/);
  });

  it('refuses damaged sets with a one-line reason', () => {
    tmp = tempDir();
    const path = `${tmp.dir}/bad`;
    const w = FramesWriter.open(path, { width: W, height: H });
    w.append(frames(2, 0), 'random');
    w.close();
    const { manifest, data } = framesPaths(path);
    writeFileSync(data, readFileSync(data).subarray(0, FB)); // truncated data
    expect(() => new FramesReader(path)).toThrow(/damaged/);
    const m = JSON.parse(readFileSync(manifest, 'utf8'));
    writeFileSync(manifest, JSON.stringify({ ...m, count: 9 }));
    expect(() => readFramesManifest(path)).toThrow(/segments cover 2 frames, count says 9/);
    writeFileSync(manifest, '{"format":"other"}');
    expect(() => readFramesManifest(path)).toThrow(/not a drive-lab-frames v1 manifest/);
    expect(() => FramesWriter.open(`${tmp.dir}/x`, { width: W, height: H }).append(new Uint8Array(FB + 1), 'random')).toThrow(/whole number/);
  });
});

/**
 * Manual-drive frames in the shared frame-set format: "manual" segments of at most 20 frames
 * that never span two roads, per-frame labels in a side file, and a drive cut short by a crash
 * keeps every committed segment with its labels.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MANUAL_LABEL_COLUMNS, MANUAL_SEGMENT_FRAMES, ManualFramesRecorder, readManualLabels } from '../../../../src-main/workers/live/manual-frames.js';
import { FramesReader, listFrameSets } from '../../../../src-main/sim/lane/frames-file.js';
import { tempDir } from '../../../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const W = 4;
const H = 3;
const frame = (i: number) => new Uint8Array(W * H * 3).fill(i % 256);
const labels = (i: number, seed: number) => [i / 100, Number.NaN, 5, 0.1, 0.01, i, seed];

describe('manual-drive frame sets', () => {
  it('appends "manual" segments every 20 frames and at road changes, with labels beside them', () => {
    const run = join(tmp.dir, 'a');
    const rec = new ManualFramesRecorder(run, { width: W, height: H, env: { id: 'lane' } });
    for (let i = 0; i < 45; i++) rec.add(frame(i), labels(i, 7));
    for (let i = 45; i < 50; i++) rec.add(frame(i), labels(i, 8));
    expect(rec.count).toBe(50);
    rec.close();
    expect(listFrameSets(join(run, 'frames')).map((p) => p.slice(run.length + 1))).toEqual([rec.relPath]);
    const set = new FramesReader(join(run, rec.relPath));
    expect(set.count).toBe(50);
    expect(set.manifest.segments.map((s) => [s.source, s.start, s.count, s.info?.roadSeed])).toEqual([
      ['manual', 0, MANUAL_SEGMENT_FRAMES, 7],
      ['manual', 20, 20, 7],
      ['manual', 40, 5, 7],
      ['manual', 45, 5, 8],
    ]);
    expect(set.frame(46)[0]).toBe(46);
    set.close();
    const l = readManualLabels(join(run, rec.relPath));
    const c = MANUAL_LABEL_COLUMNS.length;
    expect(l.rows.length).toBe(50 * c);
    expect(l.rows[46 * c + 5]).toBe(46);
    expect(l.rows[46 * c + 6]).toBe(8);
    expect(Number.isNaN(l.rows[1]!)).toBe(true);
  });

  it('a drive cut short (no close) keeps its committed segments and their labels', () => {
    const run = join(tmp.dir, 'b');
    const rec = new ManualFramesRecorder(run, { width: W, height: H, env: {} });
    for (let i = 0; i < 33; i++) rec.add(frame(i), labels(i, 1));
    // No close(): as if the process died here.
    const set = new FramesReader(join(run, rec.relPath));
    expect(set.count).toBe(20);
    set.close();
    expect(readManualLabels(join(run, rec.relPath)).rows.length).toBe(20 * MANUAL_LABEL_COLUMNS.length);
    expect(readdirSync(join(run, 'frames')).sort()).toEqual(
      [...['.frames.bin', '.frames.json', '.labels.f32'].map((s) => rec.relPath.slice('frames/'.length).replace('.frames.json', s))].sort(),
    );
  });
});

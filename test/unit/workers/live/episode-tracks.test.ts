/**
 * The episode track store: what it writes reads back, and it survives the ways a process can
 * die mid-write (torn record, torn index line, index ahead of or behind the data, a crash
 * between the two renames of a compaction), and keeps within its size budget.
 */
import { appendFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EpisodeTrack, trackRows, type EpisodeEntry } from '../../../../src-shared/live.js';
import { listTracks, readTrack, reduceTrack, TRACKS_DATA, TRACKS_DIR, TRACKS_INDEX, TrackWriter } from '../../../../src-main/store/episode-tracks.js';
import { tempDir } from '../../../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;
const runDir = () => {
  const d = join(tmp.dir, `run${n++}`);
  mkdirSync(d);
  return d;
};

const COLS = ['t', 'x', 'a0'];
function episode(ep: number, steps: number): { entry: EpisodeEntry; stepIndex: Uint32Array; rows: Float32Array } {
  const stepIndex = Uint32Array.from({ length: steps }, (_, i) => i + 1);
  const rows = new Float32Array(steps * COLS.length);
  for (let i = 0; i < steps; i++) rows.set([(i + 1) * 0.05, ep * 1000 + i, Math.sin(i)], i * COLS.length);
  const entry: EpisodeEntry = {
    episode: ep,
    env: 0,
    kind: 'generic',
    steps,
    samples: steps,
    reduced: false,
    manual: false,
    endStep: ep * steps,
    endTime: 1e12 + ep,
    seed: ep,
    return: ep,
    cause: 'lane',
    dt: 0.05,
  };
  return { entry, stepIndex, rows };
}
function write(w: TrackWriter, ep: number, steps = 50): void {
  const e = episode(ep, steps);
  w.append(e.entry, COLS, e.stepIndex, e.rows);
}
const paths = (dir: string) => ({ data: join(dir, TRACKS_DIR, TRACKS_DATA), index: join(dir, TRACKS_DIR, TRACKS_INDEX) });

describe('episode track store', () => {
  it('reads back what it wrote, bit for bit, in a form the contract accepts', () => {
    const dir = runDir();
    const w = new TrackWriter(dir);
    for (let ep = 1; ep <= 3; ep++) write(w, ep, 40 + ep);
    w.close();
    expect(listTracks(dir).episodes.map((e) => [e.episode, e.steps])).toEqual([
      [1, 41],
      [2, 42],
      [3, 43],
    ]);
    const t = readTrack(dir, 2)!;
    expect(EpisodeTrack.safeParse(t).success).toBe(true);
    expect(t.stepIndex).toEqual(Array.from(episode(2, 42).stepIndex));
    expect(Array.from(trackRows(t))).toEqual(Array.from(episode(2, 42).rows));
    expect(readTrack(dir, 9)).toBeUndefined();
    expect(readTrack(dir, 2, true)).toBeUndefined(); // no drive by hand after episode 2
  });

  it('drops a torn record and a torn index line left by a crash, and appends after them', () => {
    const dir = runDir();
    const p = paths(dir);
    let w = new TrackWriter(dir);
    write(w, 1);
    write(w, 2);
    w.close();
    const good = statSync(p.data).size;
    // A crash in the middle of the third record: half its bytes, and half an index line.
    const rec = readFileSync(p.data).subarray(0, good / 2);
    appendFileSync(p.data, rec.subarray(0, 100));
    appendFileSync(p.index, '{"episode":3,"off');
    w = new TrackWriter(dir);
    expect(statSync(p.data).size).toBe(good);
    expect(w.entries.map((e) => e.episode)).toEqual([1, 2]);
    write(w, 3);
    w.close();
    expect(listTracks(dir).episodes.map((e) => e.episode)).toEqual([1, 2, 3]);
    expect(trackRows(readTrack(dir, 3)!)[1]).toBe(3000);
  });

  it('cuts data written after the last index line (a crash between the record and its index line)', () => {
    const dir = runDir();
    const p = paths(dir);
    let w = new TrackWriter(dir);
    write(w, 1);
    write(w, 2);
    w.close();
    const lines = readFileSync(p.index, 'utf8').trim().split('\n');
    writeFileSync(p.index, lines[0] + '\n');
    w = new TrackWriter(dir);
    expect(w.entries.map((e) => e.episode)).toEqual([1]);
    w.close();
    expect(listTracks(dir).episodes.map((e) => e.episode)).toEqual([1]);
  });

  it('rebuilds the index from the records when it does not match the data (crash between the renames of a compaction)', () => {
    const dir = runDir();
    const p = paths(dir);
    let w = new TrackWriter(dir);
    for (let ep = 1; ep <= 4; ep++) write(w, ep);
    w.close();
    // An index that points elsewhere: the old index over new data.
    const lines = readFileSync(p.index, 'utf8').trim().split('\n');
    writeFileSync(p.index, [lines[1], lines[0], lines[2]].join('\n') + '\n');
    expect(readTrack(dir, 1)).toBeUndefined(); // readers never return a record the index mislabels
    w = new TrackWriter(dir);
    expect(w.entries.map((e) => e.episode)).toEqual([1, 2, 3, 4]);
    w.close();
    expect(trackRows(readTrack(dir, 4)!)[1]).toBe(4000);
  });

  it('refuses a record whose bytes were damaged (CRC)', () => {
    const dir = runDir();
    const p = paths(dir);
    const w = new TrackWriter(dir);
    write(w, 1);
    write(w, 2);
    w.close();
    const buf = readFileSync(p.data);
    const first = JSON.parse(readFileSync(p.index, 'utf8').split('\n')[0]!) as { bytes: number };
    buf[first.bytes - 5]! ^= 0xff; // a flipped byte in episode 1's rows
    writeFileSync(p.data, buf);
    expect(readTrack(dir, 1)).toBeUndefined();
    expect(readTrack(dir, 2)).toBeDefined();
  });

  it('keeps within its budget: older episodes reduced to the last seconds plus every 10th step, the oldest dropped', () => {
    const dir = runDir();
    const budget = 200_000;
    const w = new TrackWriter(dir, { budgetBytes: budget, keepFull: 3 });
    for (let ep = 1; ep <= 120; ep++) write(w, ep, 400);
    expect(w.compactions).toBeGreaterThan(0);
    expect(w.bytes).toBeLessThanOrEqual(budget);
    w.close();
    expect(statSync(paths(dir).data).size).toBeLessThanOrEqual(budget);
    const eps = listTracks(dir).episodes;
    expect(eps.at(-1)!.episode).toBe(120);
    // The newest are whole; older ones reduced: 10 s (200 steps at 0.05 s) + every 10th step before.
    expect(eps.slice(-3).every((e) => !e.reduced && e.samples === 400)).toBe(true);
    const old = eps.find((e) => e.reduced)!;
    const t = readTrack(dir, old.episode)!;
    expect(t.stepIndex.at(-1)).toBe(400);
    expect(t.stepIndex.filter((s) => s >= 200).length).toBe(201);
    expect(t.stepIndex.filter((s) => s < 200).every((s) => s % 10 === 0)).toBe(true);
    expect(trackRows(t)[(t.stepIndex.length - 1) * 3 + 1]).toBe(old.episode * 1000 + 399);
  });

  it('reduces a track to its last window at full rate', () => {
    const { stepIndex, rows } = episode(1, 1000);
    const r = reduceTrack(stepIndex, rows, 3, 0.05);
    expect(r.stepIndex.length).toBe(79 + 201); // steps 10..790 by 10, then 800..1000
    expect(r.rows.length).toBe(r.stepIndex.length * 3);
  });
});

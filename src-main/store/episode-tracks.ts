/**
 * Recorded episode tracks of a run, for replay in the app: every training episode's pose track
 * (one row of float32 columns per env step: for the lane car, chassis pose, steering, throttle,
 * speed, road position and the action), kept compactly within a size budget.
 *
 *   <run>/episodes/tracks.bin    records, appended; each is self-describing:
 *       header (32 bytes, little-endian): magic "DTRK" u32, version u16, 0 u16, metaBytes u32,
 *         samples u32, columns u32, episode u32, payloadBytes u32, crc32(payload) u32
 *       payload: meta (UTF-8 JSON: the EpisodeEntry and column names), then the episode step of
 *         each row (u32 x samples), then the rows (f32 x samples x columns, row-major)
 *   <run>/episodes/tracks.jsonl  the index: one line per record {offset, bytes, ...EpisodeEntry}
 *
 * Crash safety: a record is written with one write() before its index line, so the index never
 * points past the data; on open, a torn index line is cut, index entries whose record header
 * does not match are dropped (and the index is rebuilt from the records, which carry their own
 * metadata), and data after the last indexed record is cut. Readers check each record's CRC.
 * Compaction writes new files beside the old ones and renames them over (data, then index).
 *
 * Size budget (default TRACK_BUDGET_BYTES = 64 MiB per run): the newest KEEP_FULL (20)
 * episodes are kept whole. When the file grows past the budget, older episodes are reduced to
 * the last WINDOW_S (10) simulated seconds at full rate (the seconds before a disengagement,
 * which the app replays) plus every DECIMATE-th (10th) step before them; if that is still more
 * than half the budget, the oldest episodes are dropped. A lane track row is 64 bytes (+4 for
 * its step index), ~1.4 KB per simulated second at 20 Hz: a whole 4,000-step episode is 272 KB,
 * a reduced one ~40 KB. Episodes longer than MAX_ROWS steps are reduced the same way in memory
 * while they are recorded.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { EpisodeEntry, type EpisodeTrack, type TrackKind } from '../../src-shared/live.js';
import { readJsonlLines, renameDurable, repairJsonl, writeFileSynced } from '../core/durable-write.js';

export const TRACKS_DIR = 'episodes';
export const TRACKS_DATA = 'tracks.bin';
export const TRACKS_INDEX = 'tracks.jsonl';
export const TRACK_BUDGET_BYTES = 64 * 1024 * 1024;
export const KEEP_FULL = 20;
export const WINDOW_S = 10;
export const DECIMATE = 10;
/** Rows one episode may hold in memory before it is reduced while recording. */
export const MAX_ROWS = 20_000;

const MAGIC = 0x4b525444; // "DTRK" little-endian
const VERSION = 1;
const HEADER_BYTES = 32;

/** One index line. */
export interface TrackIndexLine extends EpisodeEntry {
  offset: number;
  bytes: number;
}

/** A record as held in memory. */
interface TrackRecord {
  entry: EpisodeEntry;
  columns: string[];
  stepIndex: Uint32Array;
  rows: Float32Array;
}

function encodeRecord(r: TrackRecord): Buffer {
  const meta = Buffer.from(JSON.stringify({ entry: r.entry, columns: r.columns }), 'utf8');
  const n = r.stepIndex.length;
  const cols = r.columns.length;
  if (r.rows.length !== n * cols) throw new Error(`track rows hold ${r.rows.length} values, expected ${n} x ${cols}`);
  const payloadBytes = meta.length + 4 * n + 4 * n * cols;
  const buf = Buffer.alloc(HEADER_BYTES + payloadBytes);
  meta.copy(buf, HEADER_BYTES);
  let o = HEADER_BYTES + meta.length;
  for (let i = 0; i < n; i++, o += 4) buf.writeUInt32LE(r.stepIndex[i]!, o);
  for (let i = 0; i < r.rows.length; i++, o += 4) buf.writeFloatLE(r.rows[i]!, o);
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt16LE(VERSION, 4);
  buf.writeUInt32LE(meta.length, 8);
  buf.writeUInt32LE(n, 12);
  buf.writeUInt32LE(cols, 16);
  buf.writeUInt32LE(r.entry.episode, 20);
  buf.writeUInt32LE(payloadBytes, 24);
  buf.writeUInt32LE(crc32(buf.subarray(HEADER_BYTES)), 28);
  return buf;
}

interface Header {
  metaBytes: number;
  samples: number;
  columns: number;
  episode: number;
  payloadBytes: number;
  crc: number;
}

function parseHeader(buf: Buffer): Header | undefined {
  if (buf.length < HEADER_BYTES || buf.readUInt32LE(0) !== MAGIC || buf.readUInt16LE(4) !== VERSION) return undefined;
  const h = {
    metaBytes: buf.readUInt32LE(8),
    samples: buf.readUInt32LE(12),
    columns: buf.readUInt32LE(16),
    episode: buf.readUInt32LE(20),
    payloadBytes: buf.readUInt32LE(24),
    crc: buf.readUInt32LE(28),
  };
  if (h.payloadBytes !== h.metaBytes + 4 * h.samples + 4 * h.samples * h.columns) return undefined;
  return h;
}

/** Decodes a whole record (header + payload); undefined when it is damaged. */
function decodeRecord(buf: Buffer): TrackRecord | undefined {
  const h = parseHeader(buf);
  if (!h || buf.length !== HEADER_BYTES + h.payloadBytes) return undefined;
  const payload = buf.subarray(HEADER_BYTES);
  if (crc32(payload) !== h.crc) return undefined;
  let meta: { entry: unknown; columns: unknown };
  try {
    meta = JSON.parse(payload.subarray(0, h.metaBytes).toString('utf8')) as { entry: unknown; columns: unknown };
  } catch {
    return undefined;
  }
  const entry = EpisodeEntry.safeParse(meta.entry);
  if (!entry.success || !Array.isArray(meta.columns) || meta.columns.length !== h.columns || entry.data.episode !== h.episode) return undefined;
  const stepIndex = new Uint32Array(h.samples);
  let o = h.metaBytes;
  for (let i = 0; i < h.samples; i++, o += 4) stepIndex[i] = payload.readUInt32LE(o);
  const rows = new Float32Array(h.samples * h.columns);
  for (let i = 0; i < rows.length; i++, o += 4) rows[i] = payload.readFloatLE(o);
  return { entry: entry.data, columns: meta.columns.map(String), stepIndex, rows };
}

function readAt(fd: number, offset: number, bytes: number): Buffer {
  const buf = Buffer.alloc(bytes);
  let got = 0;
  while (got < bytes) {
    const n = readSync(fd, buf, got, bytes - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  return got === bytes ? buf : buf.subarray(0, got);
}

/** Scans the data file's records from the start; stops at the first damaged one. */
function scanRecords(dataPath: string): { lines: TrackIndexLine[]; end: number } {
  if (!existsSync(dataPath)) return { lines: [], end: 0 };
  const fd = openSync(dataPath, 'r');
  try {
    const size = fstatSync(fd).size;
    const lines: TrackIndexLine[] = [];
    let offset = 0;
    while (offset + HEADER_BYTES <= size) {
      const h = parseHeader(readAt(fd, offset, HEADER_BYTES));
      if (!h || offset + HEADER_BYTES + h.payloadBytes > size) break;
      const rec = decodeRecord(readAt(fd, offset, HEADER_BYTES + h.payloadBytes));
      if (!rec) break;
      lines.push({ ...rec.entry, offset, bytes: HEADER_BYTES + h.payloadBytes });
      offset += HEADER_BYTES + h.payloadBytes;
    }
    return { lines, end: offset };
  } finally {
    closeSync(fd);
  }
}

/** Index lines that match the data file's record headers (cheap: one header read per line). */
function checkedIndex(dir: string): { lines: TrackIndexLine[]; ok: boolean; dataBytes: number } {
  const dataPath = join(dir, TRACKS_DATA);
  const indexPath = join(dir, TRACKS_INDEX);
  if (!existsSync(dataPath)) return { lines: [], ok: !existsSync(indexPath) || statSync(indexPath).size === 0, dataBytes: 0 };
  const raw = readJsonlLines(indexPath).lines;
  const fd = openSync(dataPath, 'r');
  try {
    const size = fstatSync(fd).size;
    const lines: TrackIndexLine[] = [];
    let ok = true;
    let expected = 0;
    for (const l of raw) {
      const line = l as Partial<TrackIndexLine>;
      const entry = EpisodeEntry.safeParse(line);
      const offset = line.offset;
      const bytes = line.bytes;
      if (!entry.success || typeof offset !== 'number' || typeof bytes !== 'number' || offset !== expected || offset + bytes > size) {
        ok = false;
        break;
      }
      const h = parseHeader(readAt(fd, offset, HEADER_BYTES));
      if (!h || h.episode !== entry.data.episode || HEADER_BYTES + h.payloadBytes !== bytes) {
        ok = false;
        break;
      }
      lines.push({ ...entry.data, offset, bytes });
      expected = offset + bytes;
    }
    return { lines, ok, dataBytes: size };
  } finally {
    closeSync(fd);
  }
}

function indexText(lines: readonly TrackIndexLine[]): string {
  return lines.map((l) => JSON.stringify(l) + '\n').join('');
}

/** Keeps the last WINDOW_S seconds whole and every DECIMATE-th row before them. */
export function reduceTrack(stepIndex: Uint32Array, rows: Float32Array, columns: number, dt: number): { stepIndex: Uint32Array; rows: Float32Array } {
  const n = stepIndex.length;
  if (n === 0) return { stepIndex, rows };
  const lastStep = stepIndex[n - 1]!;
  const windowSteps = Math.ceil(WINDOW_S / dt);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = stepIndex[i]!;
    if (s + windowSteps >= lastStep || s % DECIMATE === 0) keep.push(i);
  }
  const si = new Uint32Array(keep.length);
  const out = new Float32Array(keep.length * columns);
  keep.forEach((i, k) => {
    si[k] = stepIndex[i]!;
    out.set(rows.subarray(i * columns, (i + 1) * columns), k * columns);
  });
  return { stepIndex: si, rows: out };
}

export interface TrackWriterOptions {
  budgetBytes?: number;
  keepFull?: number;
}

/**
 * The writer (in the training worker). Not safe for two writers on one run (the run's owner
 * file already guarantees one training process per run).
 */
export class TrackWriter {
  readonly dir: string;
  readonly budgetBytes: number;
  private readonly keepFull: number;
  private readonly dataPath: string;
  private readonly indexPath: string;
  private dataFd = -1;
  private indexFd = -1;
  private lines: TrackIndexLine[] = [];
  private dataBytes = 0;
  /** Compactions done (for tests and the log). */
  compactions = 0;

  constructor(runDir: string, options: TrackWriterOptions = {}) {
    this.dir = join(runDir, TRACKS_DIR);
    this.budgetBytes = options.budgetBytes ?? TRACK_BUDGET_BYTES;
    this.keepFull = options.keepFull ?? KEEP_FULL;
    this.dataPath = join(this.dir, TRACKS_DATA);
    this.indexPath = join(this.dir, TRACKS_INDEX);
    mkdirSync(this.dir, { recursive: true });
    this.recover();
    this.dataFd = openSync(this.dataPath, 'a');
    this.indexFd = openSync(this.indexPath, 'a');
  }

  /** Brings the files to a consistent state after a crash (see the file comment). */
  private recover(): void {
    for (const name of [TRACKS_DATA, TRACKS_INDEX]) rmSync(join(this.dir, `${name}.compact`), { force: true });
    repairJsonl(this.indexPath);
    const checked = checkedIndex(this.dir);
    let lines = checked.lines;
    if (!checked.ok) {
      // The index disagrees with the data: rebuild it from the records themselves.
      const scan = scanRecords(this.dataPath);
      lines = scan.lines;
      writeFileSynced(`${this.indexPath}.compact`, indexText(lines));
      renameDurable(`${this.indexPath}.compact`, this.indexPath);
    }
    const end = lines.length ? lines[lines.length - 1]!.offset + lines[lines.length - 1]!.bytes : 0;
    if (existsSync(this.dataPath) && statSync(this.dataPath).size > end) truncateSync(this.dataPath, end);
    this.lines = lines;
    this.dataBytes = end;
  }

  get bytes(): number {
    return this.dataBytes;
  }

  get entries(): readonly TrackIndexLine[] {
    return this.lines;
  }

  /** Appends one episode's track (rows are copied). */
  append(entry: EpisodeEntry, columns: readonly string[], stepIndex: Uint32Array, rows: Float32Array): void {
    const buf = encodeRecord({ entry, columns: [...columns], stepIndex, rows });
    const offset = this.dataBytes;
    let off = 0;
    while (off < buf.length) off += writeSync(this.dataFd, buf, off, buf.length - off);
    this.dataBytes += buf.length;
    const line: TrackIndexLine = { ...entry, offset, bytes: buf.length };
    writeSync(this.indexFd, JSON.stringify(line) + '\n');
    this.lines.push(line);
    if (this.dataBytes > this.budgetBytes) this.compact();
  }

  /** Flushes both files to disk (at checkpoints). */
  sync(): void {
    if (this.dataFd >= 0) fsyncSync(this.dataFd);
    if (this.indexFd >= 0) fsyncSync(this.indexFd);
  }

  /** Reduces older episodes and drops the oldest until the data is at most half the budget. */
  compact(): void {
    const fd = openSync(this.dataPath, 'r');
    const records: TrackRecord[] = [];
    try {
      for (const l of this.lines) {
        const rec = decodeRecord(readAt(fd, l.offset, l.bytes));
        if (rec) records.push(rec);
      }
    } finally {
      closeSync(fd);
    }
    const encoded: Buffer[] = records.map((r, i) => {
      if (i >= records.length - this.keepFull || r.entry.reduced) return encodeRecord(r);
      const red = reduceTrack(r.stepIndex, r.rows, r.columns.length, r.entry.dt);
      return encodeRecord({ ...r, entry: { ...r.entry, reduced: true, samples: red.stepIndex.length }, stepIndex: red.stepIndex, rows: red.rows });
    });
    let total = encoded.reduce((a, b) => a + b.length, 0);
    let first = 0;
    while (total > this.budgetBytes / 2 && first < encoded.length - 1) total -= encoded[first++]!.length;
    const kept = encoded.slice(first);
    const lines: TrackIndexLine[] = [];
    let offset = 0;
    for (const b of kept) {
      const rec = decodeRecord(b)!;
      lines.push({ ...rec.entry, offset, bytes: b.length });
      offset += b.length;
    }
    closeSync(this.dataFd);
    closeSync(this.indexFd);
    writeFileSynced(`${this.dataPath}.compact`, Buffer.concat(kept));
    writeFileSynced(`${this.indexPath}.compact`, indexText(lines));
    renameDurable(`${this.dataPath}.compact`, this.dataPath);
    renameDurable(`${this.indexPath}.compact`, this.indexPath);
    this.dataFd = openSync(this.dataPath, 'a');
    this.indexFd = openSync(this.indexPath, 'a');
    this.lines = lines;
    this.dataBytes = offset;
    this.compactions++;
  }

  close(): void {
    if (this.dataFd >= 0) closeSync(this.dataFd);
    if (this.indexFd >= 0) closeSync(this.indexFd);
    this.dataFd = this.indexFd = -1;
  }
}

/** Latest record per (episode, manual) key, oldest first. */
function latestPerKey(lines: readonly TrackIndexLine[]): TrackIndexLine[] {
  const byKey = new Map<string, TrackIndexLine>();
  for (const l of lines) {
    const key = `${l.episode}:${l.manual ? 1 : 0}`;
    byKey.delete(key);
    byKey.set(key, l);
  }
  return [...byKey.values()];
}

/** The recorded episodes of a run (for `runs.episodes`); never throws on damaged files. */
export function listTracks(runDir: string, budgetBytes = TRACK_BUDGET_BYTES): { episodes: EpisodeEntry[]; bytes: number; budgetBytes: number } {
  const dir = join(runDir, TRACKS_DIR);
  const { lines, dataBytes } = checkedIndex(dir);
  return { episodes: latestPerKey(lines).map(({ offset: _o, bytes: _b, ...e }) => e), bytes: dataBytes, budgetBytes };
}

/**
 * One episode's track (for `runs.track`): the newest record of that episode (`manual` picks the
 * user's drive that followed it). Undefined when there is none or its record is damaged. A
 * compaction running in the writer meanwhile shows as a header mismatch: read again then.
 */
export function readTrack(runDir: string, episode: number, manual = false): EpisodeTrack | undefined {
  const dir = join(runDir, TRACKS_DIR);
  for (let attempt = 0; attempt < 3; attempt++) {
    const checked = checkedIndex(dir);
    const line = latestPerKey(checked.lines).find((l) => l.episode === episode && l.manual === manual);
    if (!line) {
      if (!checked.ok && attempt < 2) continue; // the writer may be swapping files right now
      return undefined;
    }
    let buf: Buffer;
    try {
      const fd = openSync(join(dir, TRACKS_DATA), 'r');
      try {
        buf = readAt(fd, line.offset, line.bytes);
      } finally {
        closeSync(fd);
      }
    } catch {
      continue;
    }
    const rec = decodeRecord(buf);
    if (!rec || rec.entry.episode !== episode) continue;
    const bytes = Buffer.from(rec.rows.buffer, rec.rows.byteOffset, rec.rows.byteLength);
    return { ...rec.entry, columns: rec.columns, stepIndex: Array.from(rec.stepIndex), rows: bytes.toString('base64') };
  }
  return undefined;
}

/** For tests: the raw bytes of the data file. */
export function readTrackData(runDir: string): Buffer {
  const p = join(runDir, TRACKS_DIR, TRACKS_DATA);
  return existsSync(p) ? readFileSync(p) : Buffer.alloc(0);
}

/** Kind of track the env produces (see TRACK_COLUMNS). */
export type { TrackKind };

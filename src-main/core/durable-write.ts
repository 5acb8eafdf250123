/**
 * Crash-safe file writes. Whole files are written to a temp file in the same folder, fsynced,
 * then renamed over the target (rename is atomic on POSIX and NTFS), and the folder is fsynced.
 * A process killed at any moment leaves either the old file or the new one, never half of one.
 * Append-only JSONL files get one write() per line; a reader skips a torn last line.
 */
import { closeSync, fsyncSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync, existsSync, readFileSync, mkdirSync, truncateSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

/**
 * A seam for fault injection: when set, every write in this module first calls it with what it is
 * about to do and the target path, and it may throw (an ENOSPC or EROFS error, as the disk
 * would). Tests use it to prove a full or read-only disk never takes the server down.
 */
export type WriteFaultHook = (op: 'write' | 'append' | 'create', path: string) => void;
let writeFaultHook: WriteFaultHook | undefined;

/** Installs (or with undefined removes) the write fault hook; returns the previous one. */
export function setWriteFaultHook(hook: WriteFaultHook | undefined): WriteFaultHook | undefined {
  const previous = writeFaultHook;
  writeFaultHook = hook;
  return previous;
}

/** An fs-style error with a code (what a failing disk throws), for the fault hook. */
export function fsError(code: string, op: string, path: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: ${op} '${path}'`) as NodeJS.ErrnoException;
  e.code = code;
  e.path = path;
  return e;
}

function fsyncDir(dir: string): void {
  // Directories cannot be opened for fsync on Windows; there rename is already durable enough.
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `data` to `path` atomically (temp file + fsync + rename + fsync of the folder). */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  writeFaultHook?.('write', path);
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.${counter++}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDir(dir);
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/**
 * Creates `path` with `data` only if it does not exist yet (O_CREAT | O_EXCL): of several
 * processes racing to create it, exactly one wins. Returns false when the file already exists.
 */
export function createFileExclusive(path: string, data: string): boolean {
  writeFaultHook?.('create', path);
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw e;
  }
  closeSync(fd);
  return true;
}

export function readJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function readJsonIfExists<T = unknown>(path: string): T | undefined {
  return existsSync(path) ? readJson<T>(path) : undefined;
}

/** Appends one JSON object as one line with a single write (O_APPEND). */
export class JsonlAppender {
  private fd: number;
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    repairJsonl(path);
    this.fd = openSync(path, 'a');
  }
  append(value: unknown): void {
    writeFaultHook?.('append', this.path);
    writeSync(this.fd, JSON.stringify(value) + '\n');
  }
  /** Flushes to disk (call at checkpoints, not per line). */
  sync(): void {
    fsyncSync(this.fd);
  }
  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** Cuts a torn last line (no trailing newline) left by a killed writer, so appends stay parseable. */
export function repairJsonl(path: string): void {
  if (!existsSync(path)) return;
  const buf = readFileSync(path);
  if (buf.length === 0 || buf[buf.length - 1] === 0x0a) return;
  const cut = buf.lastIndexOf(0x0a) + 1;
  truncateSync(path, cut);
}

/**
 * Where the complete lines of an append-only JSONL file start, so that paging through a long
 * metrics file reads only the new bytes and the requested lines, not the whole file per page.
 * `indexed` is the byte offset just past the last complete line ('\n'-terminated) seen so far.
 */
interface LineIndex {
  ino: number;
  indexed: number;
  starts: number[];
}
const lineIndexes = new Map<string, LineIndex>();
const MAX_LINE_INDEXES = 64;
const SCAN_CHUNK = 1 << 20;
const scanBuf = Buffer.allocUnsafe(SCAN_CHUNK);

function readRange(fd: number, start: number, end: number): Buffer {
  const buf = Buffer.allocUnsafe(end - start);
  let off = 0;
  while (off < buf.length) {
    const got = readSync(fd, buf, off, buf.length - off, start + off);
    if (got <= 0) return buf.subarray(0, off);
    off += got;
  }
  return buf;
}

/** The file's line index, brought up to date with what was appended since the last call. */
function lineIndex(path: string, fd: number): { idx: LineIndex; size: number } {
  const st = fstatSync(fd);
  let idx = lineIndexes.get(path);
  // A replaced or shortened file (beyond a torn tail) starts a fresh index.
  if (!idx || idx.ino !== st.ino || st.size < idx.indexed) idx = { ino: st.ino, indexed: 0, starts: [] };
  lineIndexes.delete(path);
  lineIndexes.set(path, idx); // most recently used last
  if (lineIndexes.size > MAX_LINE_INDEXES) lineIndexes.delete(lineIndexes.keys().next().value!);
  let lineStart = idx.indexed;
  for (let pos = idx.indexed; pos < st.size; ) {
    const got = readSync(fd, scanBuf, 0, Math.min(SCAN_CHUNK, st.size - pos), pos);
    if (got <= 0) break;
    for (let j = scanBuf.indexOf(0x0a, 0); j !== -1 && j < got; j = scanBuf.indexOf(0x0a, j + 1)) {
      idx.starts.push(lineStart);
      lineStart = pos + j + 1;
    }
    pos += got;
  }
  idx.indexed = lineStart;
  return { idx, size: st.size };
}

/**
 * Reads lines [from, from + limit) of a JSONL file. A torn (unparsable) last line, left by a
 * process killed mid-write, is skipped (and read again on a later call, once complete); a torn
 * line elsewhere comes back as {kind: "corrupt-line", step: -1, line}. Reading the next page
 * costs the new bytes and the page's bytes only (a per-file index of line starts is kept).
 */
export function readJsonlLines(path: string, from = 0, limit = Infinity): { lines: unknown[]; next: number } {
  if (!existsSync(path)) return { lines: [], next: from };
  const fd = openSync(path, 'r');
  try {
    const { idx, size } = lineIndex(path, fd);
    const complete = idx.starts.length;
    const hasTail = size > idx.indexed;
    const total = complete + (hasTail ? 1 : 0);
    const lines: unknown[] = [];
    let i = from;
    const pageEnd = Math.min(complete, from + limit);
    let raw: string[] = [];
    if (from < pageEnd) {
      raw = readRange(fd, idx.starts[from]!, pageEnd < complete ? idx.starts[pageEnd]! : idx.indexed).toString('utf8').split('\n');
      raw.pop(); // the empty string after the page's last newline
    }
    if (hasTail && from <= complete && pageEnd === complete && raw.length < limit) raw.push(readRange(fd, idx.indexed, size).toString('utf8'));
    for (let k = 0; k < raw.length && lines.length < limit; k++, i++) {
      try {
        lines.push(JSON.parse(raw[k]!));
      } catch {
        if (i === total - 1) break; // torn last line: leave it for later
        lines.push({ kind: 'corrupt-line', step: -1, line: i });
      }
    }
    return { lines, next: i };
  } finally {
    closeSync(fd);
  }
}

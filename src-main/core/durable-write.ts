/**
 * Crash-safe writes, the one place the app makes them:
 * - whole files: written to a temp file in the same folder, fsynced, then renamed over the target
 *   (rename is atomic on POSIX and NTFS), and the folder is fsynced (`writeFileAtomic`);
 * - whole folders (checkpoints, VAE models, exports): filled in a hidden temp folder beside the
 *   target, whose files are fsynced as written (`writeFileSynced`), then the temp folder is fsynced,
 *   renamed into place (an existing target is first moved aside, and removed after) and the parent
 *   fsynced (`writeDirAtomic`, `publishDir`);
 * - append-only JSONL files: one write() per line; a reader skips a torn last line.
 * A process killed at any moment leaves either the old file or folder or the new one, never half
 * of one (at worst a hidden temp file or folder, which the owners of those folders clean up).
 *
 * Every file-system call here goes through `durableFs`, so a test can make the disk full or
 * read-only (`setDurableFs`) and see how each writer fails.
 */
import * as fs from 'node:fs';
import { closeSync, fstatSync, openSync, readSync, existsSync, readFileSync, truncateSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The file-system calls the durable writes make. */
export interface DurableFs {
  openSync(path: string, flags: string): number;
  writeSync(fd: number, buf: Uint8Array, offset?: number, length?: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  mkdirSync(path: string, options?: { recursive?: boolean }): unknown;
  rmSync(path: string, options?: { recursive?: boolean; force?: boolean }): void;
  existsSync(path: string): boolean;
}

const nodeFs: DurableFs = {
  openSync: (path, flags) => fs.openSync(path, flags),
  writeSync: (fd, buf, offset, length) => fs.writeSync(fd, buf, offset, length),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
  renameSync: (from, to) => fs.renameSync(from, to),
  mkdirSync: (path, options) => fs.mkdirSync(path, options),
  rmSync: (path, options) => fs.rmSync(path, options),
  existsSync: (path) => fs.existsSync(path),
};

let durableFs: DurableFs = nodeFs;

/**
 * Replaces some of the file-system calls the durable writes make (fault injection in tests);
 * returns a function that puts the previous ones back.
 */
export function setDurableFs(overrides: Partial<DurableFs>): () => void {
  const previous = durableFs;
  durableFs = { ...previous, ...overrides };
  return () => {
    durableFs = previous;
  };
}

let counter = 0;

/** A name no other writer in this or another process uses at the same time. */
function uniqueSuffix(): string {
  return `${process.pid}.${Date.now()}.${counter++}`;
}

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

/** Makes a folder's entries (created, renamed files) durable. */
export function fsyncDir(dir: string): void {
  // Directories cannot be opened for fsync on Windows; there rename is already durable enough.
  if (process.platform === 'win32') return;
  const fd = durableFs.openSync(dir, 'r');
  try {
    durableFs.fsyncSync(fd);
  } finally {
    durableFs.closeSync(fd);
  }
}

/**
 * Writes `data` to a file and fsyncs it; not atomic by itself: for files inside a temp folder
 * that is published whole, or a temp file that is renamed afterwards. `exclusive` refuses a file
 * that exists already.
 */
export function writeFileSynced(path: string, data: string | Uint8Array, options: { exclusive?: boolean } = {}): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const fd = durableFs.openSync(path, options.exclusive ? 'wx' : 'w');
  try {
    let off = 0;
    while (off < buf.length) off += durableFs.writeSync(fd, buf, off, buf.length - off);
    durableFs.fsyncSync(fd);
  } finally {
    durableFs.closeSync(fd);
  }
}

/** Renames a file or folder and fsyncs the folder it lands in, so the rename survives a crash. */
export function renameDurable(from: string, to: string): void {
  durableFs.renameSync(from, to);
  fsyncDir(dirname(to));
}

/** Writes `data` to `path` atomically (temp file + fsync + rename + fsync of the folder). */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  writeFaultHook?.('write', path);
  const dir = dirname(path);
  durableFs.mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${uniqueSuffix()}.tmp`);
  try {
    writeFileSynced(tmp, data);
  } catch (e) {
    durableFs.rmSync(tmp, { force: true });
    throw e;
  }
  renameDurable(tmp, path);
}

/** A fresh hidden temp folder beside `target` (`.<name>.<tag>-<unique>`), for `publishDir`. */
export function tempDirBeside(target: string, tag = 'tmp'): string {
  const parent = dirname(target);
  durableFs.mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(target)}.${tag}-${uniqueSuffix()}`);
  durableFs.mkdirSync(tmp);
  return tmp;
}

/**
 * Publishes a filled temp folder (its files already fsynced) as `target`: fsyncs the temp
 * folder, moves an existing target aside, renames the temp folder into place, fsyncs the parent,
 * then removes the old one. `tmp` must be in the same folder as `target`.
 */
export function publishDir(tmp: string, target: string): void {
  fsyncDir(tmp);
  if (durableFs.existsSync(target)) {
    const old = `${tmp}.old`;
    durableFs.renameSync(target, old);
    try {
      durableFs.renameSync(tmp, target);
    } catch (e) {
      durableFs.renameSync(old, target); // keep the old folder where it was
      throw e;
    }
    fsyncDir(dirname(target));
    durableFs.rmSync(old, { recursive: true, force: true });
  } else {
    renameDurable(tmp, target);
  }
}

export interface DirWriteOptions {
  /** The temp folder to fill (default: `tempDirBeside(target)`); created here, in target's folder. */
  tmp?: string;
}

function openTemp(target: string, options: DirWriteOptions): string {
  if (options.tmp === undefined) return tempDirBeside(target);
  durableFs.mkdirSync(options.tmp);
  return options.tmp;
}

/**
 * Writes a folder atomically: `fill` writes its files (with `writeFileSynced`) into a temp
 * folder, which then replaces `target` (see `publishDir`). If `fill` throws, the temp folder is
 * removed and `target` is left as it was.
 */
export function writeDirAtomic<T>(target: string, fill: (tmp: string) => T, options: DirWriteOptions = {}): T {
  const tmp = openTemp(target, options);
  try {
    const result = fill(tmp);
    publishDir(tmp, target);
    return result;
  } catch (e) {
    durableFs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
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
  try {
    writeFileSynced(path, data, { exclusive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    // A half-written claim is no claim: remove it (it was ours, exclusive create succeeded).
    if (durableFs.existsSync(path)) durableFs.rmSync(path, { force: true });
    throw e;
  }
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
    durableFs.mkdirSync(dirname(path), { recursive: true });
    repairJsonl(path);
    this.fd = durableFs.openSync(path, 'a');
  }
  append(value: unknown): void {
    writeFaultHook?.('append', this.path);
    durableFs.writeSync(this.fd, Buffer.from(JSON.stringify(value) + '\n', 'utf8'));
  }
  /** Flushes to disk (call at checkpoints, not per line). */
  sync(): void {
    durableFs.fsyncSync(this.fd);
  }
  close(): void {
    if (this.fd >= 0) durableFs.closeSync(this.fd);
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
  for (let pos = idx.indexed; pos < st.size;) {
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
      raw = readRange(fd, idx.starts[from]!, pageEnd < complete ? idx.starts[pageEnd]! : idx.indexed)
        .toString('utf8')
        .split('\n');
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

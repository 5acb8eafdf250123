/**
 * Crash-safe file writes. Whole files are written to a temp file in the same folder, fsynced,
 * then renamed over the target (rename is atomic on POSIX and NTFS), and the folder is fsynced.
 * A process killed at any moment leaves either the old file or the new one, never half of one.
 * Append-only JSONL files get one write() per line; a reader skips a torn last line.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync, existsSync, readFileSync, mkdirSync, truncateSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

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
 * Reads lines [from, from + limit) of a JSONL file. A torn (unparsable) last line, left by a
 * process killed mid-write, is skipped; a torn line elsewhere is reported by `onBadLine`.
 */
export function readJsonlLines(path: string, from = 0, limit = Infinity): { lines: unknown[]; next: number } {
  if (!existsSync(path)) return { lines: [], next: from };
  const text = readFileSync(path, 'utf8');
  const raw = text.split('\n');
  if (raw.length && raw[raw.length - 1] === '') raw.pop();
  const lines: unknown[] = [];
  let i = from;
  for (; i < raw.length && lines.length < limit; i++) {
    try {
      lines.push(JSON.parse(raw[i]!));
    } catch {
      if (i === raw.length - 1) break; // torn last line: leave it for later
      lines.push({ kind: 'corrupt-line', step: -1, line: i });
    }
  }
  return { lines, next: i };
}

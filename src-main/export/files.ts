/** File helpers of the export folder: sha256, durable writes, bounded reads. */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { ExportError } from './errors.js';

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Writes a new file and fsyncs it (the folder is renamed into place afterwards). */
export function writeDurable(path: string, data: string | Uint8Array): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const fd = openSync(path, 'wx');
  try {
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The largest file a loader reads (2 GiB: far above any policy this app trains). */
const MAX_FILE_BYTES = 2 ** 31;

/** Reads a regular file of the export, or throws ExportError('missing'). */
export function readExportFile(path: string, label: string): Uint8Array {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new ExportError('missing', `${label}: file not found (${path})`);
  }
  if (!st.isFile()) throw new ExportError('missing', `${label}: not a regular file (${path})`);
  if (st.size > MAX_FILE_BYTES) throw new ExportError('corrupt', `${label}: ${st.size} bytes, larger than any policy export`);
  return new Uint8Array(readFileSync(path));
}

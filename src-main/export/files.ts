/** File helpers of the export folder: sha256, bounded reads (durable writes: core/durable-write.ts). */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { ExportError } from './errors.js';

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
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

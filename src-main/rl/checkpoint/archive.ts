/**
 * One checkpoint folder on disk:
 *   state.json     JSON state + the index of the arrays in arrays.bin
 *   arrays.bin     named typed arrays, bit-exact, 8-byte aligned
 *   manifest.json  written last: byte size and SHA-256 of the two files above
 * A folder without a manifest, or whose files do not match it, is not a checkpoint.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSynced } from '../../core/durable-write.js';
import type { Snapshot, SnapshotArray } from '../../core/snapshot.js';

export const ARCHIVE_FORMAT = 1;
export const ARCHIVE_FILES = { state: 'state.json', arrays: 'arrays.bin', manifest: 'manifest.json' } as const;

type DType = 'f32' | 'f64' | 'i32' | 'u32' | 'u8';
const CTORS = {
  f32: Float32Array,
  f64: Float64Array,
  i32: Int32Array,
  u32: Uint32Array,
  u8: Uint8Array,
} as const;

function dtypeOf(a: SnapshotArray): DType {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint32Array) return 'u32';
  return 'u8';
}

interface ArrayIndexEntry {
  name: string;
  dtype: DType;
  offset: number;
  length: number;
}

export interface ArchiveState<M = Record<string, unknown>> {
  format: number;
  /** 'full' (everything to resume training) or 'policy' (the actor only). */
  kind: 'full' | 'policy';
  step: number;
  createdAt: string;
  /** Free-form metadata (e.g. evaluation result, actor spec). */
  meta: M;
  json: unknown;
  arrays: ArrayIndexEntry[];
}

export interface Manifest {
  format: number;
  kind: 'full' | 'policy';
  step: number;
  files: Record<string, { bytes: number; sha256: string }>;
}

function sha256(buf: Uint8Array): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** Encodes named arrays into one buffer and its index. */
export function packArrays(arrays: Record<string, SnapshotArray>): { data: Uint8Array; index: ArrayIndexEntry[] } {
  const index: ArrayIndexEntry[] = [];
  let size = 0;
  for (const [name, a] of Object.entries(arrays)) {
    size = Math.ceil(size / 8) * 8;
    index.push({ name, dtype: dtypeOf(a), offset: size, length: a.length });
    size += a.byteLength;
  }
  const data = new Uint8Array(size);
  const entries = Object.values(arrays);
  index.forEach((e, i) => {
    const a = entries[i]!;
    data.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), e.offset);
  });
  return { data, index };
}

export function unpackArrays(data: Uint8Array, index: readonly ArrayIndexEntry[]): Record<string, SnapshotArray> {
  const out: Record<string, SnapshotArray> = {};
  for (const e of index) {
    const Ctor = CTORS[e.dtype];
    if (!Ctor) throw new Error(`unknown array type "${e.dtype}"`);
    const bytes = e.length * Ctor.BYTES_PER_ELEMENT;
    if (e.offset + bytes > data.length) throw new Error(`array "${e.name}" runs past the end of arrays.bin`);
    const copy = data.slice(e.offset, e.offset + bytes);
    out[e.name] = new Ctor(copy.buffer, copy.byteOffset, e.length);
  }
  return out;
}

/** Writes a checkpoint's files into `dir` (which must exist and be empty), manifest last. */
export function writeArchive(dir: string, kind: 'full' | 'policy', step: number, snap: Snapshot, meta: Record<string, unknown> = {}): void {
  const { data, index } = packArrays(snap.arrays);
  const state: ArchiveState = { format: ARCHIVE_FORMAT, kind, step, createdAt: new Date().toISOString(), meta, json: snap.json, arrays: index };
  const stateBuf = Buffer.from(JSON.stringify(state), 'utf8');
  writeFileSynced(join(dir, ARCHIVE_FILES.arrays), data);
  writeFileSynced(join(dir, ARCHIVE_FILES.state), stateBuf);
  const manifest: Manifest = {
    format: ARCHIVE_FORMAT,
    kind,
    step,
    files: {
      [ARCHIVE_FILES.arrays]: { bytes: data.length, sha256: sha256(data) },
      [ARCHIVE_FILES.state]: { bytes: stateBuf.length, sha256: sha256(stateBuf) },
    },
  };
  writeFileSynced(join(dir, ARCHIVE_FILES.manifest), JSON.stringify(manifest, null, 2) + '\n');
}

/** Cheap check (manifest present, sizes match); `readArchive` also checks the hashes. */
export function looksComplete(dir: string): Manifest | undefined {
  try {
    const mpath = join(dir, ARCHIVE_FILES.manifest);
    if (!existsSync(mpath)) return undefined;
    const m = JSON.parse(readFileSync(mpath, 'utf8')) as Manifest;
    if (m.format !== ARCHIVE_FORMAT || typeof m.step !== 'number') return undefined;
    for (const [name, f] of Object.entries(m.files)) {
      if (statSync(join(dir, name)).size !== f.bytes) return undefined;
    }
    return m;
  } catch {
    return undefined;
  }
}

export interface LoadedArchive<M = Record<string, unknown>> {
  kind: 'full' | 'policy';
  step: number;
  createdAt: string;
  meta: M;
  snapshot: Snapshot;
}

/** Reads and verifies a checkpoint folder; throws a one-line reason if it is damaged. */
export function readArchive<M = Record<string, unknown>>(dir: string): LoadedArchive<M> {
  const m = looksComplete(dir);
  if (!m) throw new Error(`${dir} is not a complete checkpoint`);
  const bufs: Record<string, Buffer> = {};
  for (const [name, f] of Object.entries(m.files)) {
    const buf = readFileSync(join(dir, name));
    if (buf.length !== f.bytes || sha256(buf) !== f.sha256) throw new Error(`${join(dir, name)} does not match its manifest (damaged checkpoint)`);
    bufs[name] = buf;
  }
  const state = JSON.parse(bufs[ARCHIVE_FILES.state]!.toString('utf8')) as ArchiveState<M>;
  const data = bufs[ARCHIVE_FILES.arrays]!;
  const arrays = unpackArrays(new Uint8Array(data.buffer, data.byteOffset, data.length), state.arrays);
  return { kind: state.kind, step: state.step, createdAt: state.createdAt, meta: state.meta, snapshot: { json: state.json, arrays } };
}

/**
 * What every checkpointable part of a run hands to the checkpoint writer: JSON-safe values plus
 * named binary arrays. Parts nest snapshots by prefixing array names ("learner.actor.0").
 */
import { Rng } from './rng.js';

export type SnapshotArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;

export interface Snapshot<J = unknown> {
  /**
   * JSON-safe state. Numbers must be finite, and JSON drops the sign of zero: keep floats whose
   * every bit matters in `arrays` (use the helpers below for RNG state).
   */
  json: J;
  /** Named binary arrays, stored bit-exactly. */
  arrays: Record<string, SnapshotArray>;
}

/** Rng state in a JSON-safe form (the cached Gaussian is NaN when empty, which JSON cannot hold). */
export interface RngJson {
  s: [number, number, number, number];
  spare: number | null;
}

export function rngToJson(rng: Rng): RngJson {
  const st = rng.getState();
  const spare = st[4]!;
  return { s: [st[0]!, st[1]!, st[2]!, st[3]!], spare: Number.isNaN(spare) ? null : spare };
}

export function rngFromJson(rng: Rng, j: RngJson): void {
  rng.setState([...j.s, j.spare === null ? Number.NaN : j.spare]);
}

/** Prefixes every array name of a snapshot (for nesting). */
export function prefixArrays(prefix: string, arrays: Record<string, SnapshotArray>): Record<string, SnapshotArray> {
  const out: Record<string, SnapshotArray> = {};
  for (const [k, v] of Object.entries(arrays)) out[`${prefix}.${k}`] = v;
  return out;
}

/** The arrays under `prefix.` with the prefix removed. */
export function unprefixArrays(prefix: string, arrays: Record<string, SnapshotArray>): Record<string, SnapshotArray> {
  const out: Record<string, SnapshotArray> = {};
  const p = `${prefix}.`;
  for (const [k, v] of Object.entries(arrays)) if (k.startsWith(p)) out[k.slice(p.length)] = v;
  return out;
}

/** Fetches a named array of the expected type, with a clear error for damaged checkpoints. */
export function requireArray<T extends SnapshotArray>(
  arrays: Record<string, SnapshotArray>,
  name: string,
  type: { new (n: number): T; name: string },
  length?: number,
): T {
  const a = arrays[name];
  if (!a) throw new Error(`checkpoint is missing array "${name}"`);
  if (!(a instanceof type)) throw new Error(`checkpoint array "${name}" is ${a.constructor.name}, expected ${type.name}`);
  if (length !== undefined && a.length !== length) throw new Error(`checkpoint array "${name}" has ${a.length} values, expected ${length}`);
  return a;
}

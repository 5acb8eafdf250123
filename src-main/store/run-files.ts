/**
 * Reading a run folder's small files so that a damaged one is named, not hidden: a missing,
 * truncated or malformed run.json or config.json becomes a DamagedRunFile with the file and the
 * reason in words, which the store shows as a `damaged` run instead of a stack or `internal`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { isPlainObject } from '../../src-shared/util/objects.js';

export class DamagedRunFile extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'DamagedRunFile';
  }
}

/** Reads and validates one JSON file of a run folder; throws DamagedRunFile naming what is wrong. */
export function readRunFile<S extends z.ZodType>(dir: string, file: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(join(dir, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DamagedRunFile(file, code === 'ENOENT' ? 'missing' : `cannot be read (${code ?? (e as Error).message})`);
  }
  if (text.trim() === '') throw new DamagedRunFile(file, 'empty (0 bytes of JSON)');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new DamagedRunFile(file, `not valid JSON, probably truncated (${text.length} bytes; ${(e as Error).message})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new DamagedRunFile(file, `does not hold what it should (${issues.join('; ')})`);
  }
  return parsed.data;
}

const FULL_CHECKPOINT = /^ckpt-(\d{12})$/;

/**
 * The step of the newest checkpoint of a run (from checkpoints/latest.json, else the newest
 * ckpt-* folder name), without loading it; undefined when there is none.
 */
export function checkpointStep(checkpointsDir: string): number | undefined {
  try {
    const pointer = JSON.parse(readFileSync(join(checkpointsDir, 'latest.json'), 'utf8')) as { dir?: unknown; step?: unknown };
    if (typeof pointer.step === 'number' && typeof pointer.dir === 'string' && existsSync(join(checkpointsDir, pointer.dir))) return pointer.step;
  } catch {
    // No or damaged pointer: fall back to the folder names.
  }
  let best: number | undefined;
  try {
    for (const name of readdirSync(checkpointsDir)) {
      const m = FULL_CHECKPOINT.exec(name);
      if (m) best = Math.max(best ?? 0, Number(m[1]));
    }
  } catch {
    return undefined;
  }
  return best;
}

/** Every leaf path of a plain object (arrays and empty objects are leaves). */
function leafPaths(obj: Record<string, unknown>, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (isPlainObject(v) && Object.keys(v).length) out.push(...leafPaths(v, [...prefix, k]));
    else out.push([...prefix, k]);
  }
  return out;
}

function hasOwnPath(obj: unknown, path: readonly string[]): boolean {
  let cur: unknown = obj;
  for (const p of path) {
    if (!isPlainObject(cur) || !Object.prototype.hasOwnProperty.call(cur, p)) return false;
    cur = cur[p];
  }
  return true;
}

/**
 * The keys of `input` (dotted) that the built config does not have: the schema strips unknown
 * keys silently, so every front door checks this and refuses a typo instead of ignoring it.
 */
export function unknownKeys(input: Record<string, unknown>, built: unknown): string[] {
  return leafPaths(input)
    .filter((p) => !hasOwnPath(built, p))
    .map((p) => p.join('.'));
}

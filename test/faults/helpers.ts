/** Shared by the fault-injection suite: waiting on engine events and snapshots of run folders. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import type { EventOf } from '../../src-shared/contract.js';
import type { Engine } from '../../src-main/services/engine.js';

/** Resolves with the first run.status event of run `id` that `match` accepts. */
export function nextStatus(engine: Engine, id: string, match: (s: EventOf<'run.status'>) => boolean, timeoutMs = 45_000): Promise<EventOf<'run.status'>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching run.status for ${id} in ${timeoutMs} ms`));
    }, timeoutMs);
    const off = engine.bus.on('run.status', (s) => {
      if (s.id !== id || !match(s)) return;
      clearTimeout(timer);
      off();
      resolve(s);
    });
  });
}

/** Resolves once run `id` has reported progress at or beyond `step`. */
export function progressPast(engine: Engine, id: string, step: number, timeoutMs = 45_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`run ${id} did not reach step ${step} in ${timeoutMs} ms`));
    }, timeoutMs);
    const off = engine.bus.on('run.progress', (p) => {
      if (p.id !== id || p.step < step) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** sha256 of every file under `dir` (relative paths). */
export function snapshotFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

/**
 * "No file that was complete before the fault changed": every file of `before` that still
 * exists has the same bytes, except the append-only logs, whose old bytes must be a prefix.
 */
/** `mayChange`: files (or folders, ending in "/") that the fault leaves legitimately in motion. */
export function expectCompleteFilesUnchanged(
  dir: string,
  before: Map<string, string>,
  beforeLogs: Record<string, Buffer>,
  mayChange: readonly string[] = [],
): void {
  for (const [rel, hash] of before) {
    const p = join(dir, rel);
    if (!existsSync(p) || rel in beforeLogs || mayChange.some((m) => rel === m || (m.endsWith('/') && rel.startsWith(m))) || rel.startsWith('.')) continue;
    expect(createHash('sha256').update(readFileSync(p)).digest('hex'), `${rel} changed`).toBe(hash);
  }
  for (const [rel, bytes] of Object.entries(beforeLogs)) {
    const now = readFileSync(join(dir, rel));
    expect(now.subarray(0, bytes.length).equals(bytes), `${rel} lost lines`).toBe(true);
  }
}

export function logs(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const f of ['metrics.jsonl', 'events.jsonl']) if (existsSync(join(dir, f))) out[f] = readFileSync(join(dir, f));
  return out;
}

/**
 * Which process trains a run: owner.json in the run folder, created with O_EXCL so that of two
 * processes (or two engines in one process) starting the same run at once exactly one wins.
 *
 * A PID alone does not identify a process: after a crash the PID can be reused by an unrelated
 * process, which would leave the run "being trained by another process" forever. So the owner
 * records the process's start time (from /proc/<pid>/stat on Linux) and the machine's boot
 * (the kernel's boot id on Linux, else the boot time); a live PID with another start time, or
 * an owner from an earlier boot, is stale.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { hostname, uptime } from 'node:os';
import { z } from 'zod';
import { createFileExclusive } from '../core/durable-write.js';

export const RunOwner = z.object({
  pid: z.number().int(),
  hostname: z.string(),
  startedAt: z.string(),
  /** The owner process's start time as the OS reports it (absent where unknown, and in old files). */
  procStart: z.string().optional(),
  /** The boot the owner ran in: the kernel's boot id, or the boot time in seconds elsewhere. */
  boot: z.string().optional(),
  /** Random per claim: tells two engines of one process apart. */
  token: z.string().optional(),
});
export type RunOwner = z.infer<typeof RunOwner>;

/** Tokens of the claims live in this process (any engine). */
const liveTokens = new Set<string>();

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The start time of process `pid` (clock ticks since boot, field 22 of /proc/<pid>/stat), Linux only. */
export function processStartTime(pid: number): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return rest[19];
}

/** This boot of the machine: the kernel's boot id on Linux, else the boot time (rounded to 10 s). */
export function bootMark(): string {
  const id = process.platform === 'linux' ? readText('/proc/sys/kernel/random/boot_id')?.trim() : undefined;
  if (id) return id;
  return `t${Math.round((Date.now() / 1000 - uptime()) / 10) * 10}`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process an owner record names still runs (and is the same process, not a reused PID). */
export function ownerAlive(owner: RunOwner): boolean {
  // Another machine (a shared folder): nothing can be checked, so it counts as alive.
  if (owner.hostname !== hostname()) return true;
  if (owner.pid === process.pid) return owner.token !== undefined && liveTokens.has(owner.token);
  if (owner.boot !== undefined && owner.boot !== bootMark()) return false;
  if (!pidAlive(owner.pid)) return false;
  if (owner.procStart !== undefined) {
    const now = processStartTime(owner.pid);
    if (now !== undefined && now !== owner.procStart) return false;
  }
  return true;
}

/** The owner record in `path`, or undefined (none, or unreadable: a torn file counts as none). */
export function readOwner(path: string): RunOwner | undefined {
  const text = readText(path);
  if (text === undefined) return undefined;
  try {
    const parsed = RunOwner.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export class OwnerConflict extends Error {}

/** Age after which an unreadable takeover lock counts as left by a claimant that died writing it. */
const TORN_LOCK_MS = 10_000;

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Infinity; // gone: nothing to wait for
  }
}

/**
 * Claims `path` for this process. Throws OwnerConflict when a live process holds it. A stale
 * record (dead or reused PID, earlier boot, torn file) is replaced only by the claimant that
 * holds the takeover lock (`<path>.takeover`, created exclusively), and only while the record is
 * still the one it judged stale; every other claimant of that moment gets a conflict. (Moving the
 * record aside without a lock let two claimants win: one could move a fresh claim aside and put
 * it back over a third claimant's.) A lock left by a process that died holding it is removed.
 * Known limit: when a claimant dies holding the lock and two others claim in the same instant,
 * both may remove that dead lock in turn and both win; it takes two faults at once.
 */
export function claimOwnerFile(path: string): string {
  const token = randomBytes(9).toString('base64url');
  const record: RunOwner = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    ...(processStartTime(process.pid) !== undefined ? { procStart: processStartTime(process.pid) } : {}),
    boot: bootMark(),
    token,
  };
  const text = JSON.stringify(record, null, 2) + '\n';
  const lock = `${path}.takeover`;
  const sameMoment = 'another process claimed the run at the same moment';
  for (let attempt = 0; attempt < 3; attempt++) {
    liveTokens.add(token);
    if (createFileExclusive(path, text)) return token;
    const seen = readText(path);
    if (seen === undefined) {
      liveTokens.delete(token);
      continue; // released in between: try again
    }
    const owner = readOwner(path);
    if (owner && ownerAlive(owner)) {
      liveTokens.delete(token);
      throw new OwnerConflict(`pid ${owner.pid} on ${owner.hostname} since ${owner.startedAt}`);
    }
    // Stale: take it over under the lock (the token stays live: the lock names this claim).
    if (!createFileExclusive(lock, text)) {
      liveTokens.delete(token);
      const holder = readOwner(lock);
      // An unreadable lock is being written right now, unless it is old (a claimant died writing it).
      if (holder ? ownerAlive(holder) : ageMs(lock) < TORN_LOCK_MS) throw new OwnerConflict(sameMoment);
      rmSync(lock, { force: true }); // left by a claimant that died holding it
      continue;
    }
    try {
      if (readText(path) !== seen) throw new OwnerConflict(sameMoment);
      rmSync(path, { force: true });
      if (createFileExclusive(path, text)) return token;
      throw new OwnerConflict(sameMoment); // a claimant without a stale record to replace got there first
    } catch (e) {
      liveTokens.delete(token);
      throw e;
    } finally {
      rmSync(lock, { force: true });
    }
  }
  liveTokens.delete(token);
  throw new OwnerConflict('the owner file keeps changing');
}

/** Removes `path` if it still holds this claim's token (best-effort: the folder may be gone). */
export function releaseOwnerFile(path: string, token: string | undefined): void {
  if (token !== undefined) liveTokens.delete(token);
  try {
    const owner = readOwner(path);
    if (owner === undefined || token === undefined || owner.token === token) rmSync(path, { force: true });
  } catch {
    // A deleted or read-only folder: nothing to release.
  }
}

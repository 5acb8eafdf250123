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
import { readFileSync, renameSync, rmSync } from 'node:fs';
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

/**
 * Claims `path` for this process. Throws OwnerConflict when a live process holds it. A stale
 * record (dead or reused PID, earlier boot, torn file) is moved aside atomically and the claim
 * retried; if another claimant replaced it in between, that claimant wins.
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
  for (let attempt = 0; attempt < 3; attempt++) {
    liveTokens.add(token);
    if (createFileExclusive(path, JSON.stringify(record, null, 2) + '\n')) return token;
    liveTokens.delete(token);
    const seen = readText(path);
    if (seen === undefined) continue; // released in between: try again
    const owner = readOwner(path);
    if (owner && ownerAlive(owner)) throw new OwnerConflict(`pid ${owner.pid} on ${owner.hostname} since ${owner.startedAt}`);
    const aside = `${path}.stale-${process.pid}-${token}`;
    try {
      renameSync(path, aside);
    } catch {
      continue; // someone else moved it first
    }
    if (readText(aside) !== seen) {
      // Not the stale record we judged: a claimant replaced it in between. Put it back.
      try {
        renameSync(aside, path);
      } catch {
        // It stays aside; that claimant's release removes nothing, and the next start re-checks.
      }
      throw new OwnerConflict('another process claimed the run at the same moment');
    }
    rmSync(aside, { force: true });
  }
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

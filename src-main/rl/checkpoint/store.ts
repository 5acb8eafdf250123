/**
 * A run's checkpoints folder:
 *   ckpt-000000005000/   full checkpoints (everything needed to resume exactly)
 *   best-000000004000/   the actor at the best evaluation so far (for export and `eval`)
 *   latest.json          {"dir", "step"}: the newest complete full checkpoint
 *   best.json            {"dir", "step", "meanReturn"}: the best policy snapshot
 *   .tmp-*              a checkpoint being written (or torn by a crash; removed at start)
 *
 * Writing is crash-safe: files go into a temp folder and are fsynced, the folder is renamed into
 * place and its parent fsynced, and only then is the pointer replaced atomically. A process killed
 * at any moment leaves the previous checkpoint and pointer intact. Reading falls back to the
 * newest complete checkpoint if the pointer's target is missing or damaged.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeDirAtomic, writeJsonAtomic } from '../../core/durable-write.js';
import { looksComplete, readArchive, writeArchive, type LoadedArchive } from './archive.js';
import type { Snapshot } from '../../core/snapshot.js';

export interface CheckpointRef {
  /** Folder name inside the checkpoints folder. */
  dir: string;
  step: number;
  kind: 'full' | 'policy';
}

export interface BestRef extends CheckpointRef {
  meanReturn: number;
}

export type CheckpointChoice = 'best' | 'last' | number;

const FULL_PREFIX = 'ckpt-';
const BEST_PREFIX = 'best-';
const TMP_PREFIX = '.tmp-';
let tmpCounter = 0;

function stepName(prefix: string, step: number): string {
  return `${prefix}${String(step).padStart(12, '0')}`;
}

export class CheckpointStore {
  constructor(
    readonly root: string,
    /** Full checkpoints to keep (the newest ones). */
    readonly keep = 3,
  ) {
    mkdirSync(root, { recursive: true });
  }

  /** Removes temp folders left by a writer that was killed; returns their names. */
  cleanTemp(): string[] {
    const torn = readdirSync(this.root).filter((n) => n.startsWith(TMP_PREFIX));
    for (const n of torn) rmSync(join(this.root, n), { recursive: true, force: true });
    return torn;
  }

  /** Writes a full checkpoint and moves `latest` to it. */
  writeFull(step: number, snap: Snapshot, meta: Record<string, unknown> = {}): CheckpointRef {
    const dir = this.writeFolder(stepName(FULL_PREFIX, step), 'full', step, snap, meta);
    writeJsonAtomic(join(this.root, 'latest.json'), { dir, step });
    this.prune();
    return { dir, step, kind: 'full' };
  }

  /** Writes a policy snapshot (the actor) as the new best and moves `best` to it. */
  writeBest(step: number, meanReturn: number, snap: Snapshot, meta: Record<string, unknown> = {}): BestRef {
    const previous = this.bestRef();
    const dir = this.writeFolder(stepName(BEST_PREFIX, step), 'policy', step, snap, { ...meta, meanReturn });
    writeJsonAtomic(join(this.root, 'best.json'), { dir, step, meanReturn });
    if (previous && previous.dir !== dir) rmSync(join(this.root, previous.dir), { recursive: true, force: true });
    return { dir, step, kind: 'policy', meanReturn };
  }

  private writeFolder(name: string, kind: 'full' | 'policy', step: number, snap: Snapshot, meta: Record<string, unknown>): string {
    // The temp folder's name starts with TMP_PREFIX, so cleanTemp finds it (and the replaced
    // folder parked beside it) after a crash. The same step may be written again (a stop right on
    // a periodic checkpoint, or after a roll-back): the new folder replaces the old one.
    const tmp = join(this.root, `${TMP_PREFIX}${name}-${process.pid}-${tmpCounter++}`);
    writeDirAtomic(join(this.root, name), (dir) => writeArchive(dir, kind, step, snap, meta), { tmp });
    return name;
  }

  /** Complete full checkpoints, oldest first. */
  listFull(): CheckpointRef[] {
    return readdirSync(this.root)
      .filter((n) => n.startsWith(FULL_PREFIX))
      .map((n) => ({ n, m: looksComplete(join(this.root, n)) }))
      .filter((x) => x.m !== undefined && x.m.kind === 'full')
      .map((x) => ({ dir: x.n, step: x.m!.step, kind: 'full' as const }))
      .sort((a, b) => a.step - b.step);
  }

  private prune(): void {
    const all = this.listFull();
    for (const c of all.slice(0, Math.max(0, all.length - this.keep))) rmSync(join(this.root, c.dir), { recursive: true, force: true });
  }

  private readPointer<T>(file: string): T | undefined {
    try {
      return JSON.parse(readFileSync(join(this.root, file), 'utf8')) as T;
    } catch {
      return undefined;
    }
  }

  /** The best policy snapshot, if one exists and is complete. */
  bestRef(): BestRef | undefined {
    const p = this.readPointer<{ dir: string; step: number; meanReturn: number }>('best.json');
    if (!p || typeof p.dir !== 'string' || p.dir.includes('/') || p.dir.includes('\\')) return undefined;
    return looksComplete(join(this.root, p.dir)) ? { dir: p.dir, step: p.step, kind: 'policy', meanReturn: p.meanReturn } : undefined;
  }

  /**
   * Loads the newest complete full checkpoint: the `latest` pointer's target if it verifies,
   * else the newest other one that does. `skipped` lists what was passed over and why.
   */
  loadLatest(): { ref: CheckpointRef; archive: LoadedArchive; skipped: string[] } | undefined {
    const skipped: string[] = [];
    const pointer = this.readPointer<{ dir: string }>('latest.json');
    const candidates = this.listFull().reverse();
    if (pointer && typeof pointer.dir === 'string') {
      const i = candidates.findIndex((c) => c.dir === pointer.dir);
      if (i > 0) candidates.unshift(...candidates.splice(i, 1));
      else if (i < 0) skipped.push(`${pointer.dir}: latest.json points at a missing or incomplete checkpoint`);
    }
    for (const ref of candidates) {
      try {
        return { ref, archive: readArchive(join(this.root, ref.dir)), skipped };
      } catch (e) {
        skipped.push(`${ref.dir}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return undefined;
  }

  /** Each full checkpoint folder (and a dangling latest.json) with why it does not load (for a refused resume). */
  unloadable(): string[] {
    const reasons: string[] = [];
    let names: string[] = [];
    try {
      names = readdirSync(this.root)
        .filter((n) => n.startsWith('ckpt-'))
        .sort();
    } catch {
      return reasons;
    }
    for (const n of names) {
      try {
        readArchive(join(this.root, n));
        reasons.push(`${n}: passed over (not a full checkpoint of this run)`);
      } catch (e) {
        reasons.push(`${n}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (!names.length && existsSync(join(this.root, 'latest.json')) && statSync(join(this.root, 'latest.json')).size > 0)
      reasons.push('latest.json points at a checkpoint that is gone');
    return reasons;
  }

  /** Resolves "best", "last" or a step number to a checkpoint, or throws with the choices. */
  resolve(choice: CheckpointChoice): CheckpointRef {
    if (choice === 'best') {
      const b = this.bestRef();
      if (!b) throw new Error('this run has no best-evaluation checkpoint yet');
      return b;
    }
    const full = this.listFull();
    if (choice === 'last') {
      const p = this.readPointer<{ dir: string }>('latest.json');
      const hit = full.find((c) => c.dir === p?.dir) ?? full[full.length - 1];
      if (!hit) throw new Error('this run has no checkpoint yet');
      return hit;
    }
    const hit = full.find((c) => c.step === choice);
    if (!hit) throw new Error(`no checkpoint at step ${choice} (have: ${full.map((c) => c.step).join(', ') || 'none'})`);
    return hit;
  }

  read(ref: CheckpointRef): LoadedArchive {
    return readArchive(join(this.root, ref.dir));
  }
}

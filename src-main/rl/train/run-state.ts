/**
 * Small helpers of the training loop's bookkeeping: the config digest a checkpoint must match,
 * log sizes, weight checks, and its wall clock (yields to the event loop, real-time pacing).
 */
import { statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { RunConfig } from '../../../src-shared/config/run-config.js';
import type { SnapshotArray } from '../../core/snapshot.js';
import type { RngJson } from '../../core/snapshot.js';

export function configDigest(config: RunConfig): string {
  // The name is cosmetic (runs can be renamed); everything else shapes the numbers.
  const { name: _name, ...rest } = config;
  // Fields added after runs existed are left out at their default, so those runs still resume.
  const { replay, ...td3 } = rest.td3;
  const digested = replay.type === 'uniform' ? { ...rest, td3 } : rest;
  return createHash('sha256').update(JSON.stringify(digested)).digest('hex').slice(0, 16);
}

export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function firstNonFinite(arrays: Record<string, SnapshotArray>): string | undefined {
  for (const [name, a] of Object.entries(arrays)) {
    if (!(a instanceof Float32Array)) continue;
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return name;
  }
  return undefined;
}

/** Longest stretch of work between yields to the event loop (control messages arrive there). */
const YIELD_INTERVAL_MS = 25;

/** The loop's wall clock; never part of the numbers. */
export class LoopClock {
  private lastYield = performance.now();
  /** Real-time pacing: wall-clock start and simulated seconds since then (undefined = not pacing). */
  private paceStart: number | undefined;
  private paceSimS = 0;

  /** After an interlude: pacing starts over. */
  restart(): void {
    this.paceStart = undefined;
    this.lastYield = performance.now();
  }

  /** Yields to the event loop when the loop has worked long enough without. */
  async yieldNow(): Promise<void> {
    if (performance.now() - this.lastYield < YIELD_INTERVAL_MS) return;
    await new Promise<void>((r) => setImmediate(r));
    this.lastYield = performance.now();
  }

  /**
   * In `realtime` speed, sleeps so that simulated time (`controlDtS` per vector step) keeps pace
   * with the wall clock, for watching; in `fast` speed, does nothing.
   */
  async pace(controls: { readonly speed: string; readonly paused: boolean }, controlDtS: number): Promise<void> {
    if (controls.speed !== 'realtime' || controls.paused) {
      this.paceStart = undefined;
      return;
    }
    const now = performance.now();
    if (this.paceStart === undefined) {
      this.paceStart = now;
      this.paceSimS = 0;
    }
    this.paceSimS += controlDtS;
    const aheadMs = this.paceSimS * 1000 - (now - this.paceStart);
    if (aheadMs > 1) {
      await new Promise<void>((r) => setTimeout(r, aheadMs));
      this.lastYield = performance.now();
    } else if (aheadMs < -1000) {
      // Fell more than a second behind (slow updates): do not try to catch up in a burst.
      this.paceStart = now;
      this.paceSimS = 0;
    }
  }
}

/** The trainer's own counters in a checkpoint (beside the learner's, the replay's, the noise's and the envs'). */
export interface TrainerJson {
  step: number;
  vecSteps: number;
  episodes: number;
  rollbacks: number;
  bestEval: number | null;
  updatesSinceHealthCheck: number;
  actionRng: RngJson;
  metricsBytes: number;
  eventsBytes: number;
  configDigest: string;
  /** Set when the afterEpisode hook ended training (absent in older checkpoints). */
  finishRequested?: boolean;
  /** Set in the final checkpoint: the final evaluation is written (a resume only marks the run finished). */
  finalEvalDone?: boolean;
}

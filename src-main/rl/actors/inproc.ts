/**
 * The in-process transport: `count` actor worker threads (./actor-worker.ts). An actor thread
 * that dies (a crash, or killed) is logged and replaced at once by a new incarnation in the same
 * slot, with fresh seeds; the learner goes on with the others meanwhile.
 */
import type { Worker } from 'node:worker_threads';
import type { ActorWeights, TransitionBatch } from '../../../src-shared/actors.js';
import { spawnWorker, workerEntry } from '../../core/spawn.js';
import type { ActorInitOf, ActorTransport, TransportLog } from './transport.js';
import type { ToActor } from './protocol.js';

const ACTOR_WORKER = workerEntry('actor-worker', import.meta.url, './actor-worker.ts');

interface Slot {
  worker: Worker;
  actor: string;
  generation: number;
  /** Resolves at this incarnation's first message. */
  joined: Promise<void>;
}

export class InprocActors implements ActorTransport {
  readonly kind = 'inproc';
  private readonly slots: Slot[] = [];
  private readonly queue: unknown[] = [];
  private wake: (() => void) | undefined;
  private latest: ActorWeights | undefined;
  private closing = false;
  /** Actor threads replaced after they died. */
  respawns = 0;

  constructor(
    readonly count: number,
    private readonly initOf: ActorInitOf,
    private readonly log: TransportLog,
  ) {}

  async start(): Promise<void> {
    for (let s = 0; s < this.count; s++) this.spawn(s, 0);
  }

  private spawn(slot: number, generation: number): void {
    const init = this.initOf(slot, generation);
    const worker = spawnWorker(ACTOR_WORKER, { workerData: { init }, name: `actor-${slot}` });
    let first!: () => void;
    const entry: Slot = { worker, actor: init.actor, generation, joined: new Promise((r) => (first = r)) };
    this.slots[slot] = entry;
    worker.on('message', (m: unknown) => {
      first();
      this.push(m);
    });
    worker.on('error', (e) => this.log('warn', `actor ${init.actor} failed: ${e.message}`));
    worker.on('exit', (code) => {
      if (this.closing || this.slots[slot] !== entry) return;
      this.log('warn', `actor ${init.actor} ended (exit code ${code}); a new actor takes slot ${slot}`);
      this.respawns++;
      this.spawn(slot, generation + 1);
    });
    if (this.latest) worker.postMessage(this.latest satisfies ToActor);
  }

  private push(m: unknown): void {
    this.queue.push(m);
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async broadcast(weights: ActorWeights): Promise<void> {
    this.latest = weights;
    for (const s of this.slots) s.worker.postMessage(weights satisfies ToActor);
  }

  drain(): unknown[] {
    return this.queue.splice(0);
  }

  ack(batch: TransitionBatch): void {
    const s = this.slots[batch.slot];
    if (s && s.actor === batch.actor) s.worker.postMessage({ type: 'ack', batches: 1 } satisfies ToActor);
  }

  wait(ms: number): Promise<void> {
    if (this.queue.length) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  alive(actor: string): boolean {
    return this.slots.some((s) => s.actor === actor);
  }

  /** Ends the actor thread in `slot` as a crash would (fault tests); it is replaced. */
  kill(slot: number): Promise<number> {
    const s = this.slots[slot];
    if (!s) throw new Error(`no actor in slot ${slot}`);
    return s.worker.terminate();
  }

  /** Resolves when the actor in `slot` has sent its first message (after a kill: its replacement's). */
  async joined(slot: number): Promise<void> {
    for (;;) {
      const s = this.slots[slot];
      if (!s) throw new Error(`no actor in slot ${slot}`);
      await s.joined;
      if (this.slots[slot] === s && s.worker.threadId >= 0) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The actor ids in their slots now. */
  actorIds(): string[] {
    return this.slots.map((s) => s.actor);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await Promise.all(
      this.slots.map(
        (s) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => void s.worker.terminate().then(() => resolve()), 2000);
            s.worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            s.worker.postMessage({ type: 'stop' } satisfies ToActor);
          }),
      ),
    );
  }
}

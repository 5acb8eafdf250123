/**
 * A queue for heavy synchronous requests (scene generation) on the engine's main thread: one
 * runs at a time, each after a turn of the event loop so that light requests (runs.list, live
 * frames) are answered between them, and at most `maxWaiting` wait; beyond that the request is
 * refused as busy instead of piling up unbounded work.
 */
import { ContractError } from '../../src-shared/protocol.js';

export class HeavyQueue {
  private running = false;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly what: string,
    readonly maxWaiting = 8,
  ) {}

  /** Pending plus running jobs. */
  get size(): number {
    return this.waiting.length + (this.running ? 1 : 0);
  }

  async run<T>(job: () => T): Promise<T> {
    if (this.running) {
      if (this.waiting.length >= this.maxWaiting)
        throw new ContractError('unavailable', `${this.what} is busy (${this.maxWaiting} requests waiting); try again shortly`);
      // Woken with the turn handed over (running stays true).
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.running = true;
    try {
      // Let replies that are ready, and requests that arrived, go first.
      await new Promise<void>((r) => setImmediate(r));
      return job();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running = false;
    }
  }
}

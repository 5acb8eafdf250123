/**
 * The learner's side of the Redis transport. Actors on any machine XADD binary frames of
 * transition batches and heartbeats to the run's stream; the learner reads them through the
 * consumer group "learner" (a blocking reader on its own connection), and once it has stored a
 * batch (and the update rate allows) acknowledges it: XACK and XDEL of the entry, and one more
 * credit for its actor. Weights go to a key (one binary frame) with a pub/sub notice per
 * version. The run's info key tells joining actors what to build and whether the run goes on.
 */
import type { Redis } from 'ioredis';
import type { ActorWeights, TransitionBatch } from '../../../../src-shared/actors.js';
import type { ActorTransport, TransportLog } from '../transport.js';
import { decodeFrame, encodeWeights } from './codec.js';
import { connected, redactUrl, runKeys, type RedisRunInfo } from './keys.js';

/** An actor unheard of for this long is shown as gone. */
export const ACTOR_TIMEOUT_MS = 5_000;
/** Entries per blocking read. */
const READ_COUNT = 64;

export class RedisLearnerTransport implements ActorTransport {
  readonly kind = 'redis';
  failure: Error | undefined;
  private main: Redis | undefined;
  private reader: Redis | undefined;
  private readonly keys;
  private readonly queue: unknown[] = [];
  /** Stream entry ids of stored batches, by actor and sequence number. */
  private readonly entries = new Map<string, string>();
  private wake: (() => void) | undefined;
  private closed = false;
  private reading: Promise<void> | undefined;
  /** Acknowledgements on their way (close waits for them). */
  private readonly acking = new Set<Promise<void>>();

  constructor(
    private readonly url: string,
    private readonly runId: string,
    private readonly info: () => RedisRunInfo,
    private readonly log: TransportLog,
  ) {
    this.keys = runKeys(runId);
  }

  async start(): Promise<void> {
    this.main = await connected(this.url);
    this.reader = await connected(this.url);
    try {
      await this.main.xgroup('CREATE', this.keys.stream, this.keys.group, '$', 'MKSTREAM');
    } catch (e) {
      if (!String(e).includes('BUSYGROUP')) throw e;
    }
    await this.publishInfo('running');
    this.log(
      'info',
      `learner of run ${this.runId} on Redis at ${redactUrl(this.url)}: actors join with \`npm run cli -- actor --redis <url> --run ${this.runId}\``,
    );
    this.reading = this.readLoop();
  }

  private async publishInfo(status: RedisRunInfo['status']): Promise<void> {
    await this.main!.set(this.keys.info, JSON.stringify({ ...this.info(), status, t: Date.now() }));
  }

  private async readLoop(): Promise<void> {
    // Entries delivered to a learner before this one and never acknowledged come first.
    let from = '0';
    while (!this.closed) {
      let res: unknown;
      try {
        res = await this.reader!.xreadgroupBuffer('GROUP', this.keys.group, 'learner', 'COUNT', READ_COUNT, 'BLOCK', 200, 'STREAMS', this.keys.stream, from);
      } catch (e) {
        if (this.closed) return;
        this.failure = new Error(`Redis at ${redactUrl(this.url)} is unreachable: ${e instanceof Error ? e.message : String(e)}`);
        this.notify();
        return;
      }
      const streams = res as Array<[Buffer, Array<[Buffer, Buffer[] | null]>]> | null;
      const list = streams?.[0]?.[1] ?? [];
      // History read to its end: from now on, new entries.
      if (from !== '>' && list.length === 0) from = '>';
      const done: string[] = [];
      for (const [idBuf, fields] of list) {
        const id = idBuf.toString();
        if (from !== '>') from = id;
        const frame = fields && fields.length >= 2 && fields[0]!.toString() === 'm' ? decodeFrame(fields[1]!) : undefined;
        const type = frame?.type;
        if (type === 'transitions' && typeof frame!.actor === 'string' && typeof frame!.seq === 'number') this.entries.set(`${frame!.actor}:${frame!.seq}`, id);
        else done.push(id);
        this.queue.push(frame ?? { type: '(unreadable frame)' });
      }
      if (done.length) await this.settle(done).catch(() => {});
      if (list.length) this.notify();
    }
  }

  /** Acknowledges and deletes stream entries. */
  private async settle(ids: string[], actor?: string): Promise<void> {
    const p = this.main!.pipeline()
      .xack(this.keys.stream, this.keys.group, ...ids)
      .xdel(this.keys.stream, ...ids);
    if (actor) p.incr(this.keys.acked(actor)).expire(this.keys.acked(actor), 86_400).publish(this.keys.ackChannel(actor), '1');
    await p.exec();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async broadcast(weights: ActorWeights): Promise<void> {
    await this.main!.pipeline().set(this.keys.weights, encodeWeights(weights)).publish(this.keys.weightsChannel, String(weights.version)).exec();
  }

  drain(): unknown[] {
    return this.queue.splice(0);
  }

  ack(batch: TransitionBatch): void {
    const key = `${batch.actor}:${batch.seq}`;
    const id = this.entries.get(key);
    if (!id) return;
    this.entries.delete(key);
    const p = this.settle([id], batch.actor).catch((e: unknown) => {
      this.failure ??= new Error(`Redis at ${redactUrl(this.url)} is unreachable: ${e instanceof Error ? e.message : String(e)}`);
    });
    this.acking.add(p);
    void p.finally(() => this.acking.delete(p));
  }

  wait(ms: number): Promise<void> {
    if (this.queue.length || this.failure) return Promise.resolve();
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

  alive(_actor: string, lastSeen: number): boolean {
    return Date.now() - lastSeen < ACTOR_TIMEOUT_MS;
  }

  async close(finished: boolean): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.acking]);
    try {
      if (this.main && !this.failure) {
        await this.publishInfo(finished ? 'finished' : 'stopped');
        if (finished) await this.main.del(this.keys.stream, this.keys.weights);
        await this.main.publish(this.keys.weightsChannel, finished ? 'finished' : 'stopped');
      }
    } catch {
      // Redis gone: actors notice through their own connection.
    }
    await this.reading?.catch(() => {});
    this.reader?.disconnect();
    this.main?.disconnect();
  }
}

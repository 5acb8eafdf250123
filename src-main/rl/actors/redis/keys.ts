/**
 * Where a run lives on Redis, and how its clients connect. Everything of run ID is under
 * `drivelab:run:ID:`; the run's info (config, digest, actor spec, status) tells joining actors
 * what to build.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import { RunConfig } from '../../../../src-shared/config/run-config.js';
import { ActorInit } from '../protocol.js';

export function runKeys(runId: string) {
  const p = `drivelab:run:${runId}:`;
  return {
    info: `${p}info`,
    /** Stream of transition batches and heartbeats (consumer group "learner"). */
    stream: `${p}transitions`,
    group: 'learner',
    /** The newest weights (one binary frame) and the channel that announces each version. */
    weights: `${p}weights`,
    weightsChannel: `${p}weights:notice`,
    /** Slots handed to joining actors, and batches acknowledged per actor id. */
    slotSeq: `${p}slot-seq`,
    acked: (actor: string) => `${p}acked:${actor}`,
    /** A notice per acknowledged batch of an actor (the counter above stays the truth; a lost notice costs a poll). */
    ackChannel: (actor: string) => `${p}acked:${actor}:notice`,
  };
}

/** What the learner publishes about its run for actors to join. */
export const RedisRunInfo = z.object({
  runId: z.string().min(1),
  digest: z.string().regex(/^[0-9a-f]{16}$/),
  config: RunConfig,
  status: z.enum(['running', 'paused', 'finished', 'stopped']),
  /** Everything of an ActorInit but the actor's own id, slot and seeds. */
  actor: ActorInit.omit({ actor: true, slot: true, seeds: true, runId: true, digest: true }),
  /** Seed base of actors' seeds (mixed with their slot and join time). */
  seedBase: z.number().int().min(0),
  t: z.number(),
});
export type RedisRunInfo = z.infer<typeof RedisRunInfo>;

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unparsable Redis URL)';
  }
}

/**
 * A client for `url` (redis://[user:password@]host:port[/db]; users and passwords as Redis ACLs
 * have them). It gives up reconnecting after `retries` tries, so a Redis that is gone becomes
 * an error the caller reports, not a hang.
 */
export function connect(url: string, retries = 20): Redis {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`not a Redis URL: ${redactUrl(url)} (expected redis://[user:password@]host:port)`);
  const options: RedisOptions = {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (times) => (times > retries ? null : Math.min(50 * times, 500)),
  };
  return new Redis(url, options);
}

/** Connects, or throws one line naming the server (never the password). */
export async function connected(url: string, retries?: number): Promise<Redis> {
  const r = connect(url, retries);
  // Reported through the failing command instead, with the socket's own reason (ECONNREFUSED, WRONGPASS, ...).
  let last: string | undefined;
  r.on('error', (e: Error) => (last = e.message));
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    r.disconnect();
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`Redis at ${redactUrl(url)} is unreachable: ${last && !why.includes(last) ? `${last} (${why})` : why}`);
  }
  return r;
}

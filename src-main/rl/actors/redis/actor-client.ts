/**
 * An actor process of a run whose learner is on Redis (`npm run cli -- actor --redis URL --run
 * ID`): joins at any moment, any number of times. It waits for the run's info, checks that its
 * config digest is what the config says, takes a slot, then steps its envs with the newest
 * weights (fetched when the learner announces a version), XADDs binary batches to the run's
 * stream with at most `maxInFlight` unacknowledged, and a heartbeat every second. It waits
 * while the run is paused or stopped (a restarted learner finds it there) and ends when the run
 * has finished. Lost connections are retried by the client; weights and frames are validated.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { ActorWeights, type ActorHeartbeat } from '../../../../src-shared/actors.js';
import { formatIssues } from '../../../../src-shared/protocol.js';
import { configDigest } from '../../train/run-state.js';
import { ActorLoop, actorSeeds } from '../actor-loop.js';
import { decodeFrame, encodeBatch, encodeFrame } from './codec.js';
import { connected, RedisRunInfo, runKeys } from './keys.js';

export interface RedisActorOptions {
  url: string;
  runId: string;
  log: (line: string) => void;
  /** Resolves to true when the process should leave (Ctrl-C). */
  shouldStop?: () => boolean;
  /** Stream entries kept at most (older ones trimmed), a bound on Redis memory when no learner reads. */
  maxStreamLength?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HEARTBEAT_MS = 1000;
/** How long a waiting actor trusts the notices before it reads the acknowledgement counter itself. */
const NOTICE_WAIT_MS = 100;

async function readInfo(r: Redis, key: string): Promise<RedisRunInfo | undefined | Error> {
  const raw = await r.get(key);
  if (raw === null) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return new Error('the run info on Redis is not JSON');
  }
  const p = RedisRunInfo.safeParse(json);
  if (!p.success) return new Error(`the run info on Redis is malformed: ${formatIssues(p.error).slice(0, 3).join('; ')}`);
  if (configDigest(p.data.config) !== p.data.digest) return new Error("the run info's digest does not match its config");
  return p.data;
}

/** Runs one actor until the run finishes or `shouldStop`; returns the transitions it sent. */
export async function runRedisActor(o: RedisActorOptions): Promise<{ steps: number; slot: number }> {
  const keys = runKeys(o.runId);
  const r = await connected(o.url, 1_000_000);
  const sub = await connected(o.url, 1_000_000);
  const stop = () => o.shouldStop?.() === true;
  let notice = true;
  let ended = false;
  /** Acknowledgement notices received for this actor's batches (at most the server's counter). */
  let ackNotices = 0;
  let ackChannel: string | undefined;
  let poke: (() => void) | undefined;
  const wakeUp = () => {
    const p = poke;
    poke = undefined;
    p?.();
  };
  sub.on('message', (ch: string, m: string) => {
    if (ch === ackChannel) ackNotices++;
    else {
      notice = true;
      if (m === 'finished') ended = true;
    }
    wakeUp();
  });
  /** Resolves true when a notice arrives, false after `ms`. */
  const noticeWithin = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        poke = undefined;
        resolve(false);
      }, ms);
      poke = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  await sub.subscribe(keys.weightsChannel);
  let info: RedisRunInfo | undefined;
  try {
    for (let waited = 0; !info && !stop(); waited++) {
      const got = await readInfo(r, keys.info);
      if (got instanceof Error) throw got;
      if (got?.status === 'finished') {
        o.log(`run ${o.runId} has finished; nothing to do`);
        return { steps: 0, slot: -1 };
      }
      if (got) info = got;
      else {
        if (waited % 10 === 0) o.log(`waiting for the learner of run ${o.runId}...`);
        await sleep(500);
      }
    }
    if (!info) return { steps: 0, slot: -1 };
    const slot = (await r.incr(keys.slotSeq)) - 1;
    const id = `${hostname()}-${process.pid}-s${slot}`;
    const loop = new ActorLoop({
      ...info.actor,
      runId: info.runId,
      digest: info.digest,
      actor: id,
      slot,
      seeds: actorSeeds(info.seedBase, slot, 0, Date.now() % 0x7fffffff),
    });
    o.log(`actor ${id} joined run ${o.runId} (slot ${slot}, ${info.actor.numEnvs} env(s) of ${info.config.env.id})`);
    ackChannel = keys.ackChannel(id);
    await sub.subscribe(ackChannel);
    let sent = 0;
    let acked = 0;
    let lastBeat = 0;
    let lastStatus = Date.now();
    // The previous batch's XADD travels while the next batch is collected; its failure surfaces here.
    let adding: Promise<void> | undefined;
    let addFailure: unknown;
    try {
      while (!stop() && !ended) {
        if (notice) {
          notice = false;
          const buf = await r.getBuffer(keys.weights);
          const w = buf ? ActorWeights.safeParse(decodeFrame(buf)) : undefined;
          if (w?.success && w.data.runId === info.runId && w.data.digest === info.digest) loop.setWeights(w.data);
          else if (w && !w.success) o.log(`ignored malformed weights: ${formatIssues(w.error).slice(0, 2).join('; ')}`);
        }
        if (Date.now() - lastStatus > HEARTBEAT_MS) {
          lastStatus = Date.now();
          const now = await readInfo(r, keys.info);
          if (now && !(now instanceof Error)) {
            if (now.status === 'finished') break;
            if (now.status !== 'running') {
              await sleep(500);
              continue;
            }
          }
        }
        acked = Math.max(acked, ackNotices);
        if (!loop.hasWeights || sent - acked >= info.actor.maxInFlight) {
          // Woken by an acknowledgement or weights notice; without one (a notice lost to a
          // reconnect), the counter and the weights are read again.
          if (!(await noticeWithin(NOTICE_WAIT_MS))) {
            acked = Math.max(acked, Number((await r.get(keys.acked(id))) ?? 0));
            if (!loop.hasWeights) notice = true;
          }
          continue;
        }
        const b = loop.collect();
        await adding;
        if (addFailure !== undefined) throw addFailure;
        adding = r.xaddBuffer(keys.stream, 'MAXLEN', '~', String(o.maxStreamLength ?? 10_000), '*', 'm', encodeBatch(b, loop.imageDim)).then(
          () => undefined,
          (e: unknown) => {
            addFailure = e;
          },
        );
        sent++;
        // Let notices (acknowledgements, weights) in while this batch travels.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (Date.now() - lastBeat > HEARTBEAT_MS) {
          lastBeat = Date.now();
          const beat: ActorHeartbeat = {
            type: 'heartbeat',
            runId: info.runId,
            digest: info.digest,
            actor: id,
            slot,
            version: loop.version,
            steps: loop.steps,
            stepsPerS: loop.stepsPerS,
            t: Date.now(),
          };
          await r.xadd(keys.stream, 'MAXLEN', '~', String(o.maxStreamLength ?? 10_000), '*', 'm', encodeFrame(beat, []));
        }
      }
      await adding;
      if (addFailure !== undefined) throw addFailure;
      return { steps: loop.steps, slot };
    } finally {
      loop.dispose();
    }
  } finally {
    sub.disconnect();
    r.disconnect();
  }
}

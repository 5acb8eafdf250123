/**
 * The learner and its actors across processes on Redis (a redis-server the test starts on a
 * free loopback port, persistence off): a learner process and two actor processes train a short
 * pendulum run; one actor is SIGKILLed mid-run and restarted; a malformed message, one of
 * another run and one of another config digest are injected into the stream; the run finishes
 * and its metrics show every actor's transitions and the refusals. Also: passwords in the URL,
 * and an unreachable Redis pausing a run with one line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActorsLine } from '../../../../src-shared/actors.js';
import { AsyncTrainer } from '../../../../src-main/rl/actors/async-trainer.js';
import { encodeBatch } from '../../../../src-main/rl/actors/redis/codec.js';
import { connected, runKeys } from '../../../../src-main/rl/actors/redis/keys.js';
import { redisTransport, runRedisActor } from '../../../../src-main/rl/actors/redis/index.js';
import { selectBackend } from '../../../../src-main/ml/backend.js';
import { ended, REPO_ROOT, redisServerBinary, spawnActor, startRedisServer, type RedisServer } from '../../../../bench/actors/redis.js';
import { tempDir } from '../../../helpers/tmp.js';
import { fakeJob, tinyConfig } from '../fake-job.js';

const haveRedis = redisServerBinary() !== undefined;
if (!haveRedis) console.warn('skipping the Redis actor tests: no redis-server binary (apt-get install redis-server; .ci/run installs it)');

const tmp = tempDir();
const kids: ChildProcess[] = [];
let server: RedisServer | undefined;
afterAll(async () => {
  for (const k of kids) if (k.exitCode === null && k.signalCode === null) k.kill('SIGKILL');
  await server?.stop();
  tmp.cleanup();
});
beforeAll(async () => {
  await selectBackend('wasm');
  if (haveRedis) server = await startRedisServer();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ms: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Batches the learner acknowledged to the actor process `pid`. */
async function ackedOf(r: Redis, runId: string, pid: number): Promise<number> {
  const keys = await r.keys(`drivelab:run:${runId}:acked:*-${pid}-s*`);
  return keys.length ? Number((await r.get(keys[0]!)) ?? 0) : 0;
}

describe.skipIf(!haveRedis)('actors on Redis', () => {
  it('a learner and two actor processes finish a run through a SIGKILLed actor and injected bad messages', async () => {
    const runsDir = join(tmp.dir, 'runs');
    mkdirSync(runsDir);
    const runId = 'redis-run';
    const url = server!.url;
    const learnerOut: string[] = [];
    // The actors first (they wait for the learner), so both join at once.
    const said: string[] = [];
    const a = spawnActor(url, runId, 'wasm', (l) => said.push(`a: ${l}`));
    const b = spawnActor(url, runId, 'wasm', (l) => said.push(`b: ${l}`));
    kids.push(a, b);
    await until('the actors to wait for the learner', 60_000, () => said.filter((l) => l.includes('waiting for the learner')).length >= 2);
    // prettier-ignore
    const learner = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/bin.ts', '--runs-dir', runsDir, '--backend', 'wasm', '--json', 'learner', '--redis', url, '--env', 'pendulum', '--actors', '2', '--out', join(runsDir, runId), '--steps', '1500', '--set', 'td3.actorHidden=[16]', '--set', 'td3.criticHidden=[64,64]', '--set', 'td3.batchSize=32', '--set', 'td3.learningStarts=100', '--set', 'evalEpisodes=2', '--set', 'logEvery=250', '--set', 'evalEvery=0', '--set', 'env.maxEpisodeSteps=100'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    kids.push(learner);
    learner.stdout!.on('data', (d: Buffer) => learnerOut.push(d.toString()));
    learner.stderr!.on('data', (d: Buffer) => learnerOut.push(d.toString()));
    const r = await connected(url);
    try {
      await until(
        `both actors to deliver (${said.join(' | ')} / ${learnerOut.join('')})`,
        60_000,
        async () => (await ackedOf(r, runId, a.pid!)) >= 1 && (await ackedOf(r, runId, b.pid!)) >= 1,
      );
      // Hold actor b (a test instrument), so the run cannot end before the restarted actor joins.
      b.kill('SIGSTOP');
      a.kill('SIGKILL');
      const keys = runKeys(runId);
      const info = JSON.parse((await r.get(keys.info))!) as { digest: string };
      const batch = {
        type: 'transitions' as const,
        runId,
        digest: info.digest,
        actor: 'intruder',
        slot: 0,
        version: 0,
        seq: 0,
        count: 1,
        obsDim: 3,
        actDim: 1,
        env: new Uint8Array(1),
        obs: new Float32Array(3),
        actions: new Float32Array(1),
        rewards: new Float64Array(1),
        next: new Float32Array(3),
        flags: new Uint8Array(1),
        episodes: [],
        stepsPerS: 0,
      };
      await r.xadd(keys.stream, '*', 'm', Buffer.from('not a frame'));
      await r.xadd(keys.stream, '*', 'm', encodeBatch({ ...batch, runId: 'another-run' }));
      await r.xadd(keys.stream, '*', 'm', encodeBatch({ ...batch, digest: '0123456789abcdef' }));
      const a2 = spawnActor(url, runId, 'wasm');
      kids.push(a2);
      await until('the restarted actor to deliver', 60_000, async () => (await ackedOf(r, runId, a2.pid!)) >= 1);
      b.kill('SIGCONT');
      expect(await ended(learner, 60_000)).toBe(0);
      expect(await ended(a2)).toBe(0);
      expect(await ended(b)).toBe(0);
    } finally {
      r.disconnect();
    }
    const summary = JSON.parse(learnerOut.join('').slice(learnerOut.join('').indexOf('{'))) as { status: string; step: number };
    expect(summary).toMatchObject({ status: 'finished', step: 1500 });
    const dir = join(runsDir, runId);
    expect(existsSync(join(dir, 'eval.json'))).toBe(true);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).not.toContain('redis://');
    const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string });
    const last = ActorsLine.parse(lines.filter((l) => l.kind === 'actors').at(-1));
    expect(last.transport).toBe('redis');
    const contributed = last.actors.filter((x) => x.steps > 0);
    // a (killed), b and the restarted a all delivered; the intruder's batches never counted.
    expect(contributed.length).toBe(3);
    // (Whether the killed one is already marked dead depends on when its heartbeat timed out.)
    expect(contributed.some((x) => x.actor.includes(`-${a.pid}-`))).toBe(true);
    expect(contributed.reduce((s, x) => s + x.steps, 0)).toBe(1500);
    expect(last.rejected).toEqual({ malformed: 1, foreignRun: 1, foreignDigest: 1 });
  }, 120_000);

  it('an actor waits while its learner is stopped, and goes on with the resumed learner to the end', async () => {
    const dir = join(tmp.dir, 'restart');
    mkdirSync(dir);
    const runId = 'restart-run';
    const input = tinyConfig({ totalSteps: 1200, evalEvery: 0, checkpointEvery: 0, actors: { mode: 'async', count: 1 } });
    // The actor in this process (the CLI's actor command runs the same function).
    const actor = runRedisActor({ url: server!.url, runId, log: () => {} });
    const f = fakeJob(dir, input);
    f.job.runId = runId;
    const first = new AsyncTrainer(f.job, { afterUpdate: (_l, n) => n === 200 && f.stop() }, redisTransport(server!.url, runId));
    try {
      await first.run();
    } finally {
      first.dispose();
      f.close();
    }
    expect(f.statuses.at(-1)?.status).toBe('stopped');
    const stoppedAt = first.step;
    await sleep(300);
    const g = fakeJob(dir, input, true);
    g.job.runId = runId;
    const second = new AsyncTrainer(g.job, {}, redisTransport(server!.url, runId));
    try {
      await second.run();
    } finally {
      second.dispose();
      g.close();
    }
    expect(g.statuses.at(-1)?.status).toBe('finished');
    expect(second.step).toBe(1200);
    expect(second.step).toBeGreaterThan(stoppedAt);
    // The same actor (one slot) delivered before and after the restart, and left when the run finished.
    const done = await actor;
    expect(done.slot).toBe(0);
    expect(done.steps).toBeGreaterThanOrEqual(1200);
  }, 60_000);

  it('an actor goes on when the notices of its acknowledgements are lost (it reads the counter)', async () => {
    const dir = join(tmp.dir, 'lost-notices');
    mkdirSync(dir);
    const runId = 'lost-notices-run';
    const r = await connected(server!.url);
    const watch = await connected(server!.url);
    try {
      // A learner user that may announce weights but not acknowledgements: every ack notice fails.
      await r.call('ACL', 'SETUSER', 'no-ack-notices', 'on', '>pw', '~*', 'resetchannels', '&drivelab:run:*:weights:notice', '+@all');
      const learnerUrl = new URL(server!.url);
      learnerUrl.username = 'no-ack-notices';
      learnerUrl.password = 'pw';
      let notices = 0;
      watch.on('pmessage', () => notices++);
      await watch.psubscribe(`drivelab:run:${runId}:acked:*`);
      const input = tinyConfig({ totalSteps: 600, evalEvery: 0, checkpointEvery: 0, actors: { mode: 'async', count: 1 } });
      const actor = runRedisActor({ url: server!.url, runId, log: () => {} });
      const f = fakeJob(dir, input);
      f.job.runId = runId;
      const t = new AsyncTrainer(f.job, {}, redisTransport(learnerUrl.toString(), runId));
      try {
        await t.run();
      } finally {
        t.dispose();
        f.close();
      }
      expect(f.statuses.at(-1)?.status).toBe('finished');
      expect(t.step).toBe(600);
      const done = await actor;
      expect(done.steps).toBeGreaterThanOrEqual(600);
      expect(notices).toBe(0);
    } finally {
      watch.disconnect();
      r.disconnect();
    }
  }, 60_000);

  it('takes a password in the URL, and says in one line (without it) when Redis refuses or is unreachable', async () => {
    const locked = (await startRedisServer(['--requirepass', 'sekret-pw']))!;
    try {
      const ok = await connected(`redis://:sekret-pw@127.0.0.1:${locked.port}`);
      expect(await ok.ping()).toBe('PONG');
      ok.disconnect();
      const wrong = await connected(`redis://:wrong-pw@127.0.0.1:${locked.port}`).catch((e: Error) => e);
      expect(wrong).toBeInstanceOf(Error);
      expect((wrong as Error).message).toMatch(/^Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/? is unreachable: /);
      expect((wrong as Error).message).not.toContain('wrong-pw');
    } finally {
      await locked.stop();
    }
  }, 30_000);

  it('a learner whose Redis is unreachable pauses its run with one line and keeps its checkpoint', async () => {
    const dir = join(tmp.dir, 'unreachable');
    mkdirSync(dir);
    const f = fakeJob(dir, tinyConfig({ actors: { mode: 'async', count: 1 } }));
    const t = new AsyncTrainer(f.job, {}, redisTransport(`redis://127.0.0.1:${server!.port + 1}`, 'test'));
    try {
      await t.run();
    } finally {
      t.dispose();
      f.close();
    }
    const last = f.statuses.at(-1)!;
    expect(last.status).toBe('paused');
    expect(last.message).toMatch(/^paused: Redis at redis:\/\/127\.0\.0\.1:\d+\/? is unreachable: .*; nothing was lost/);
    expect(last.message!.split('\n').length).toBe(1);
    expect(existsSync(join(dir, 'checkpoints'))).toBe(true);
  }, 60_000);
});

// The Redis transport's cost per camera transition, float32 frames vs pixels as bytes, on one
// redis-server on loopback: batches of real 64x64 lane transitions go encode -> XADD -> XREADGROUP
// -> decode + validate -> XACK/XDEL, one at a time (the path an actor's batch takes to the
// learner, without the env, the networks or the actors' waiting). The two modes alternate in
// 1-second rounds so that both see the same machine load. Prints one JSON line.
// Usage: tsx bench/actors/pixel-frames.ts [rounds per mode (default 5)] [transitions per batch (default 16)]
import { loadavg } from 'node:os';
import { TransitionBatch, type FloatTransitionBatch } from '../../src-shared/actors.js';
import { EnvConfig } from '../../src-shared/config/envs/index.js';
import { makeEnv } from '../../src-main/sim/registry.js';
import { decodeFrame, encodeBatch } from '../../src-main/rl/actors/redis/codec.js';
import { connected } from '../../src-main/rl/actors/redis/keys.js';
import { startRedisServer } from './redis.js';

const rounds = Number(process.argv[2] ?? 5);
const count = Number(process.argv[3] ?? 16);
const env = makeEnv(EnvConfig.parse({ id: 'lane', obs: 'pixels', camera: { width: 64, height: 64 } }));
const layout = env.imageLayout!;
const imageDim = layout.height * layout.width * layout.channels;
const obsDim = env.observationSpace.shape[0]!;
const obs = new Float32Array(count * obsDim);
const next = new Float32Array(count * obsDim);
let o = env.reset(1).obs;
for (let i = 0; i < count; i++) {
  obs.set(o, i * obsDim);
  const step = env.step(Float32Array.from([Math.sin(i / 3) * 0.3]));
  o = step.terminated || step.truncated ? env.reset(i).obs : step.obs;
  next.set(step.obs, i * obsDim);
}
const batch: FloatTransitionBatch = {
  type: 'transitions',
  runId: 'bench',
  digest: '0123456789abcdef',
  actor: 'a',
  slot: 0,
  version: 1,
  seq: 0,
  count,
  obsDim,
  actDim: 1,
  env: new Uint8Array(count),
  obs,
  actions: new Float32Array(count),
  rewards: new Float64Array(count),
  next,
  flags: new Uint8Array(count),
  episodes: [],
  stepsPerS: 0,
};

const server = await startRedisServer();
if (!server) throw new Error('no redis-server installed');
const r = await connected(server.url);
const stream = 'bench:frames';
await r.xgroup('CREATE', stream, 'learner', '$', 'MKSTREAM');
const modes = { float32: 0, bytes: imageDim } as const;
const totals = { float32: { transitions: 0, ms: 0, bytes: 0 }, bytes: { transitions: 0, ms: 0, bytes: 0 } };
const load = [loadavg()[0]!];
for (let round = 0; round < rounds; round++) {
  for (const [mode, dim] of Object.entries(modes) as Array<[keyof typeof modes, number]>) {
    const t0 = performance.now();
    while (performance.now() - t0 < 1000) {
      const frame = encodeBatch(batch, dim);
      await r.xaddBuffer(stream, '*', 'm', frame);
      const res = (await r.xreadgroupBuffer('GROUP', 'learner', 'l', 'COUNT', 1, 'STREAMS', stream, '>')) as Array<[Buffer, Array<[Buffer, Buffer[]]>]>;
      const [id, fields] = res[0]![1][0]!;
      const back = TransitionBatch.parse(decodeFrame(fields[1]!));
      if (back.count !== count) throw new Error('lost transitions');
      await r.pipeline().xack(stream, 'learner', id.toString()).xdel(stream, id.toString()).exec();
      totals[mode].transitions += count;
      totals[mode].bytes = frame.length;
    }
    totals[mode].ms += performance.now() - t0;
  }
}
load.push(loadavg()[0]!);
r.disconnect();
await server.stop();
const per = (m: keyof typeof modes) => ({
  transitions_per_s: Math.round((totals[m].transitions / totals[m].ms) * 1000),
  frame_bytes_per_transition: Math.round(totals[m].bytes / count),
});
console.log(JSON.stringify({ date: new Date().toISOString(), load1: load, rounds, count, float32: per('float32'), bytes: per('bytes') }));

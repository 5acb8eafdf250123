/**
 * An actor worker thread of an async run (in-process transport): builds its ActorLoop from
 * workerData, waits for the first weights, then collects batches of transitions and posts them
 * to the learner's thread, at most `maxInFlight` without an acknowledgement (so a busy learner
 * slows its actors instead of queueing without bound). New weights replace the old between
 * batches. Every message is validated on arrival.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { formatIssues } from '../../../src-shared/protocol.js';
import { selectBackend } from '../../ml/backend.js';
import { ActorLoop } from './actor-loop.js';
import { ActorInit, ToActor, type FromActor } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('actor-worker must run in a worker thread');

function send(msg: FromActor, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

const parsed = ActorInit.safeParse((workerData as { init?: unknown } | undefined)?.init);
if (!parsed.success) {
  send({ type: 'error', actor: '?', message: `actor-worker: bad init: ${formatIssues(parsed.error).join('; ')}` });
  process.exit(1);
}
const init = parsed.data;

let inFlight = 0;
let stopped = false;
let wake: (() => void) | undefined;
const loop = { current: undefined as ActorLoop | undefined, pending: undefined as Extract<ToActor, { type: 'weights' }> | undefined };

port.on('message', (raw: unknown) => {
  const m = ToActor.safeParse(raw);
  if (!m.success) {
    send({ type: 'error', actor: init.actor, message: `actor ignored a malformed message: ${formatIssues(m.error).join('; ')}` });
    return;
  }
  const msg = m.data;
  if (msg.type === 'weights') {
    if (msg.runId === init.runId && msg.digest === init.digest) loop.pending = msg;
  } else if (msg.type === 'ack') inFlight = Math.max(0, inFlight - msg.batches);
  else stopped = true;
  wake?.();
});

async function main(): Promise<void> {
  await selectBackend(init.backend);
  const actor = (loop.current = new ActorLoop(init));
  const idle = () => new Promise<void>((r) => (wake = r));
  while (!stopped) {
    if (loop.pending) {
      actor.setWeights(loop.pending);
      loop.pending = undefined;
    }
    if (!actor.hasWeights || inFlight >= init.maxInFlight) {
      await idle();
      continue;
    }
    const b = actor.collect();
    inFlight++;
    send(b, [b.env.buffer, b.obs.buffer, b.actions.buffer, b.rewards.buffer, b.next.buffer, b.flags.buffer] as ArrayBuffer[]);
    // Let acknowledgements and new weights in.
    await new Promise<void>((r) => setImmediate(r));
  }
  actor.dispose();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    send({ type: 'error', actor: init.actor, message: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  },
);

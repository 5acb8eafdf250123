/**
 * The engine's worker thread: runs one job (a backend probe, or training one run) so the
 * thread that answers the UI never blocks on learning. Every incoming message is validated.
 */
import { parentPort } from 'node:worker_threads';
import { join } from 'node:path';
import { formatIssues } from '../../src-shared/protocol.js';
import type { MetricLine, RunEvent } from '../../src-shared/types.js';
import { selectBackend } from '../ml/backend.js';
import { JsonlAppender } from '../store/atomic.js';
import { RUN_FILES } from '../store/run-store.js';
import type { TrainOutputs } from '../engine/train/types.js';
import { FromWorker, ToWorker } from './protocol.js';
import { isControlMessage, WorkerTrainControls } from './train-controls.js';

const port = parentPort;
if (!port) throw new Error('engine-worker must run in a worker thread');

function send(msg: FromWorker): void {
  port!.postMessage(msg);
}

const controls = new WorkerTrainControls();

let busy = false;

async function runJob(msg: ToWorker): Promise<void> {
  if (msg.type === 'probe-backend') {
    const backend = await selectBackend(msg.backend);
    send({ type: 'backend', backend });
    return;
  }
  if (msg.type !== 'train') return;
  const backend = await selectBackend(msg.config.backend);
  send({ type: 'backend', backend });
  const metrics = new JsonlAppender(join(msg.runDir, RUN_FILES.metrics));
  const events = new JsonlAppender(join(msg.runDir, RUN_FILES.events));
  const out: TrainOutputs = {
    metric(line: MetricLine) {
      metrics.append(line);
      send({ type: 'metric', line });
    },
    event(event: RunEvent) {
      events.append(event);
      send({ type: 'event', event });
    },
    progress(p) {
      send({ type: 'progress', ...p });
    },
    status(status, step, message) {
      metrics.sync();
      events.sync();
      send(message === undefined ? { type: 'status', status, step } : { type: 'status', status, step, message });
    },
    log(level, message) {
      send({ type: 'log', level, message });
    },
    // A pipeline run's live stage progress (drive): an event for the UI and CLI, not kept in
    // events.jsonl (stage changes are kept there as "stage" events by the pipeline itself).
    stage(update) {
      send({ type: 'event', event: { kind: 'stage_progress', step: 0, t: Date.now(), ...update } });
    },
  };
  try {
    const { runTraining } = await import('../engine/train/run-training.js');
    await runTraining({ runId: msg.runId, runDir: msg.runDir, config: msg.config, resume: msg.resume, backend, controls, out });
  } finally {
    metrics.close();
    events.close();
  }
}

port.on('message', (raw: unknown) => {
  const parsed = ToWorker.safeParse(raw);
  if (!parsed.success) {
    send({ type: 'log', level: 'warn', message: `worker ignored a malformed message: ${formatIssues(parsed.error).join('; ')}` });
    return;
  }
  const msg = parsed.data;
  if (isControlMessage(msg)) {
    controls.apply(msg);
    return;
  }
  if (busy) {
    send({ type: 'log', level: 'warn', message: `worker is busy; ignored a ${msg.type} job` });
    return;
  }
  busy = true;
  runJob(msg).then(
    () => {
      busy = false;
      // Let queued messages flush before the main side sees the thread end.
      setImmediate(() => process.exit(0));
    },
    (e: unknown) => {
      send({ type: 'error', message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined });
      setImmediate(() => process.exit(1));
    },
  );
});

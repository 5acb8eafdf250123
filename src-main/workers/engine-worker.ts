/**
 * The engine's worker thread: runs one job (a backend probe, or training one run) so the
 * thread that answers the UI never blocks on learning. Every incoming message is validated.
 */
import { parentPort } from 'node:worker_threads';
import { join } from 'node:path';
import { formatIssues } from '../../src-shared/protocol.js';
import type { MetricLine, RunEvent } from '../../src-shared/types.js';
import { selectBackend } from '../ml/backend.js';
import { JsonlAppender } from '../core/durable-write.js';
import { RUN_FILES } from '../store/run-store.js';
import type { TrainOutputs } from '../rl/train/types.js';
import { FromWorker, ToWorker } from './protocol.js';
import { isControlMessage, WorkerTrainControls } from './train-controls.js';
import type { LiveTap } from './live/live-tap.js';

const port = parentPort;
if (!port) throw new Error('engine-worker must run in a worker thread');

function send(msg: FromWorker): void {
  port!.postMessage(msg);
}

const controls = new WorkerTrainControls();

/** The live view of the training job (set while one runs) and what the app asked of it before. */
let tap: LiveTap | undefined;
const live = { watching: false };

let busy = false;

function onLiveMessage(msg: Extract<ToWorker, { type: 'watch' | 'takeover' | 'drive' }>): void {
  if (msg.type === 'watch') {
    live.watching = msg.on;
    tap?.setWatching(msg.on);
  } else if (msg.type === 'takeover') {
    if (!tap) {
      send({ type: 'manual', state: { on: false, reason: 'not training yet', frames: 0, demonstrations: 0, distance: 0 } });
      return;
    }
    tap.requestTakeover(msg.on, msg.options);
  } else {
    tap?.setInput(msg.steer, msg.throttle);
  }
}

async function runExport(msg: Extract<ToWorker, { type: 'export' }>): Promise<void> {
  await selectBackend(msg.backend);
  const { exportRun } = await import('../export/run-source.js');
  const { ExportError } = await import('../export/errors.js');
  try {
    const r = await exportRun({
      runDir: msg.runDir,
      checkpoint: msg.checkpoint,
      options: { formats: msg.formats, onProgress: (stage) => send({ type: 'export-progress', stage }) },
    });
    const v = r.metadata.verification;
    send({ type: 'export-done', result: { dir: r.dir, files: r.files, samples: v.samples, tolerance: v.tolerance, maxAbsDiff: v.maxAbsDiff } });
  } catch (e) {
    send({ type: 'export-failed', code: e instanceof ExportError ? e.code : 'internal', message: e instanceof Error ? e.message : String(e) });
  }
}

async function runJob(msg: ToWorker): Promise<void> {
  if (msg.type === 'probe-backend') {
    const backend = await selectBackend(msg.backend);
    send({ type: 'backend', backend });
    return;
  }
  if (msg.type === 'export') return runExport(msg);
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
      tap?.sync();
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
    // An async run's actors, about once a second: an event for the app's actors panel, not kept
    // in events.jsonl (metrics.jsonl keeps an "actors" line per log line).
    actors(line) {
      send({ type: 'event', event: { ...line, t: Date.now() } });
    },
  };
  try {
    const { runTraining } = await import('./run-training.js');
    const { LiveTap } = await import('./live/live-tap.js');
    tap = new LiveTap(msg.runDir, controls, out, {
      frame: (frame) => send({ type: 'frame', frame }),
      manual: (state) => send({ type: 'manual', state }),
    });
    tap.setWatching(live.watching);
    const t = tap;
    await runTraining(
      { runId: msg.runId, runDir: msg.runDir, config: msg.config, resume: msg.resume, restart: msg.restart === true, backend, controls, out },
      t.hooks(),
      (trainer) => t.attach(trainer),
    );
  } finally {
    metrics.close();
    events.close();
    tap?.close();
    tap = undefined;
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
  if (msg.type === 'watch' || msg.type === 'takeover' || msg.type === 'drive') {
    onLiveMessage(msg);
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

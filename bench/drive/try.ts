// Scratch: runs the drive pipeline in-process with a config patch from argv[2] (JSON) into argv[3] (run dir).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildRunConfig } from '../../src-shared/config/run-config.js';
import { DRIVE_TD3 } from '../../src-shared/config/drive.js';
import { runDrive } from '../../src-main/drive/pipeline.js';
import { selectBackend } from '../../src-main/ml/backend.js';
import { JsonlAppender } from '../../src-main/store/atomic.js';
import { deepMerge } from '../../src-main/store/run-store.js';

const patch = JSON.parse(process.argv[2] ?? '{}');
const runDir = process.argv[3] ?? '/tmp/drive-try';
mkdirSync(join(runDir, 'checkpoints'), { recursive: true });
const backend = await selectBackend('wasm');
const base = {
  name: 'try',
  seed: 0,
  totalSteps: 10_000_000,
  env: { id: 'lane', obs: 'vae', maxDistanceM: 250 },
  td3: DRIVE_TD3,
  drive: { pixels: { enabled: false } },
  backend: 'wasm',
};
const config = buildRunConfig(deepMerge(base as Record<string, unknown>, patch) as never);
const metrics = new JsonlAppender(join(runDir, 'metrics.jsonl'));
const events = new JsonlAppender(join(runDir, 'events.jsonl'));
const t0 = performance.now();
const el = () => ((performance.now() - t0) / 1000).toFixed(1);
await runDrive({
  runId: 'try', runDir, config, resume: true, backend,
  controls: { stopRequested: false, paused: false, speed: 'fast', waitWhilePaused: async () => {}, takeEvaluateRequest: () => false },
  out: {
    metric: (l) => { metrics.append(l); if (l.kind === 'drive_eval' || (l.kind === 'vae' && l.val_loss !== undefined)) console.error(el(), JSON.stringify(l)); if (l.kind === 'episode') console.error(el(), 'episode', JSON.stringify(l)); },
    event: (e) => events.append(e),
    progress: () => {},
    status: (s, st, m) => console.error(el(), 'status', s, m ?? ''),
    log: (lv, m) => console.error(el(), lv, m),
    stage: (u) => { if (u.status !== 'running') console.error(el(), 'stage', JSON.stringify(u)); },
  },
});
metrics.close(); events.close();
console.error('total', el(), 's');

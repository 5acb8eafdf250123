/**
 * The app's Export button: runs exportRun (src-main/export) in a worker thread, so verifying a
 * policy (onnxruntime and TF.js on 1,000 inputs) never blocks the thread that answers the UI.
 * Progress lines go out as `export.progress` events; errors come back as ContractErrors with
 * the export's own one-line message.
 */
import { ContractError, type ErrorCode } from '../../src-shared/protocol.js';
import type { ResponseOf } from '../../src-shared/contract.js';
import type { BackendChoice } from '../../src-shared/config/run-config.js';
import { FromWorker, type ToWorker } from '../workers/protocol.js';
import { spawnWorker } from '../core/spawn.js';
import { ENGINE_WORKER } from '../workers/entries.js';
import type { EventBus } from './event-bus.js';

/** Longest an export may take (ms). */
const EXPORT_TIMEOUT_MS = 10 * 60_000;

const CODES: Record<string, ErrorCode> = {
  missing: 'not-found',
  'no-checkpoint': 'not-found',
  corrupt: 'conflict',
  mismatch: 'conflict',
  verification: 'conflict',
  'bad-input': 'bad-request',
};

/** A full or read-only disk is the machine's state, not a bug. */
function diskCode(message: string): ErrorCode {
  return /\b(ENOSPC|EDQUOT|EROFS|EACCES|EPERM)\b/.test(message) ? 'unavailable' : 'internal';
}

export interface ExportJob {
  id: string;
  runDir: string;
  checkpoint: 'best' | 'last' | number;
  formats: Array<'tfjs' | 'onnx'>;
  backend: BackendChoice;
}

export function runExportJob(job: ExportJob, bus: EventBus): Promise<ResponseOf<'runs.export'>> {
  return new Promise((resolve, reject) => {
    const worker = spawnWorker(ENGINE_WORKER, { name: `export-${job.id}` });
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const timer = setTimeout(() => {
      void worker.terminate();
      finish(() => reject(new ContractError('internal', `the export did not finish within ${EXPORT_TIMEOUT_MS / 60_000} minutes`)));
    }, EXPORT_TIMEOUT_MS);
    bus.emit('export.progress', { id: job.id, stage: 'starting', t: Date.now() });
    worker.on('message', (raw: unknown) => {
      const parsed = FromWorker.safeParse(raw);
      if (!parsed.success) return;
      const msg = parsed.data;
      if (msg.type === 'export-progress') bus.emit('export.progress', { id: job.id, stage: msg.stage, t: Date.now() });
      else if (msg.type === 'export-done') finish(() => resolve(msg.result));
      else if (msg.type === 'export-failed') finish(() => reject(new ContractError(CODES[msg.code] ?? diskCode(msg.message), msg.message)));
      else if (msg.type === 'error') finish(() => reject(new ContractError('internal', `export failed: ${msg.message}`)));
    });
    worker.on('error', (e) => finish(() => reject(new ContractError('internal', `export worker crashed: ${e.message}`))));
    worker.on('exit', (code) => finish(() => reject(new ContractError('internal', `export worker exited (code ${code}) without a result`))));
    worker.postMessage({ type: 'export', runDir: job.runDir, checkpoint: job.checkpoint, formats: job.formats, backend: job.backend } satisfies ToWorker);
  });
}

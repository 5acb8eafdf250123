/**
 * The app's view of a drive pipeline run (the `runs.drive` request), read from the run folder:
 * drive.json (stage states), vae/reconstructions.png (the latest grid; its epoch from the newest
 * recon-epoch-NN.png beside it), the drive_eval lines of metrics.jsonl (and of the pixels
 * baseline's pixels/metrics.jsonl) and report.json.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DRIVE_STAGES } from '../../../src-shared/config/drive.js';
import type { DriveEvalPoint, DriveRunView, DriveTableRow } from '../../../src-shared/drive-view.js';
import type { MetricLine } from '../../../src-shared/types.js';
import { readJsonIfExists, readJsonlLines } from '../../core/durable-write.js';
import { RUN_FILES } from '../../store/run-store.js';
import { DRIVE_FILES, readDriveState, VAE_FILES } from './drive-files.js';
import type { DriveEvalLine } from './drive-files.js';
import type { DriveReport } from './report.js';

/** Largest reconstruction grid sent to the app (bytes); a bigger one is left out. */
const MAX_PNG_BYTES = 4 * 1024 * 1024;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** The PNG signature at the start and the IEND chunk at the end (a file cut short, e.g. by an older writer, is left out). */
export function isCompletePng(b: Uint8Array): boolean {
  if (b.length < 20 || PNG_SIGNATURE.some((v, i) => b[i] !== v)) return false;
  const t = b.length - 8; // IEND: length 0, type "IEND", then a 4-byte CRC
  return b[t - 4] === 0 && b[t - 3] === 0 && b[t - 2] === 0 && b[t - 1] === 0 && b[t] === 0x49 && b[t + 1] === 0x45 && b[t + 2] === 0x4e && b[t + 3] === 0x44;
}

function latestReconstruction(runDir: string): DriveRunView['reconstruction'] {
  const dir = join(runDir, DRIVE_FILES.vae);
  const path = join(dir, VAE_FILES.reconstructions);
  if (!existsSync(path)) return null;
  const png = readFileSync(path);
  if (png.length > MAX_PNG_BYTES || !isCompletePng(png)) return null;
  let epoch: number | null = null;
  for (const name of readdirSync(dir)) {
    const m = /^recon-epoch-(\d+)\.png$/.exec(name);
    if (m) epoch = Math.max(epoch ?? 0, Number(m[1]));
  }
  return { epoch, pngBase64: png.toString('base64'), bytes: png.length };
}

/** The test-route evaluations of both agents: the VAE agent's in the run's metrics, the pixels baseline's in its own folder. */
function evaluations(runDir: string): DriveEvalPoint[] {
  const own = join(runDir, RUN_FILES.metrics);
  const pixels = join(runDir, DRIVE_FILES.pixels, RUN_FILES.metrics);
  return [...evaluationsIn(own), ...evaluationsIn(pixels)];
}

function evaluationsIn(metricsPath: string): DriveEvalPoint[] {
  if (!existsSync(metricsPath)) return [];
  const lines = readJsonlLines(metricsPath).lines as MetricLine[];
  const out: DriveEvalPoint[] = [];
  for (const l of lines) {
    if (l.kind !== 'drive_eval') continue;
    const e = l as DriveEvalLine;
    const agent = e.agent === 'pixels' ? 'pixels' : 'vae';
    out.push({
      agent,
      episode: e.episode,
      disengagements: e.disengagements,
      mpd: e.mpd,
      cleanRoutes: e.clean_routes,
      routes: e.routes,
      seconds: agent === 'vae' ? e.pipeline_s : e.rl_s,
    });
  }
  return out;
}

function report(runDir: string): DriveRunView['report'] {
  const r = readJsonIfExists<DriveReport>(join(runDir, DRIVE_FILES.report));
  if (!r) return null;
  const row = (t: Partial<DriveTableRow>): DriveTableRow => ({
    method: String(t.method ?? ''),
    episodes: t.episodes ?? null,
    distanceM: t.distanceM ?? null,
    minutes: t.minutes ?? null,
    mpd: t.mpd ?? null,
    disengagements: t.disengagements ?? null,
    ...(t.routes !== undefined ? { routes: t.routes } : {}),
    ...(t.cleanRoutes !== undefined ? { cleanRoutes: t.cleanRoutes } : {}),
    ...(t.note ? { note: t.note } : {}),
  });
  return {
    createdAt: r.createdAt,
    table: r.table.map(row),
    kendall: r.kendall.map((k) => row(k)),
    goals: { ...r.goals },
    routes: r.protocol.routes,
    routeLengthM: r.protocol.routeLengthM,
    fresh: [r.vae, r.pixels].flatMap((a) =>
      a?.fresh ? [{ agent: a.agent, routes: a.fresh.routes, cleanRoutes: a.fresh.clean_routes, disengagements: a.fresh.disengagements, mpd: a.fresh.mpd }] : [],
    ),
  };
}

/** The view of the drive run in `runDir` (every stage pending before the pipeline starts). */
export function driveRunView(runDir: string): DriveRunView {
  const state = readDriveState(runDir);
  const stages = DRIVE_STAGES.map((id) => {
    const s = state?.stages[id];
    return {
      id,
      status: s?.status ?? 'pending',
      seconds: s?.seconds ?? 0,
      ...(s?.startedAt ? { startedAt: s.startedAt } : {}),
      ...(s?.finishedAt ? { finishedAt: s.finishedAt } : {}),
      ...(s?.detail ? { detail: s.detail } : {}),
      ...(s?.stopReason ? { stopReason: s.stopReason } : {}),
      ...(s?.status === 'running' && typeof s.etaS === 'number' && Number.isFinite(s.etaS) ? { etaS: Math.max(0, s.etaS) } : {}),
    };
  });
  return { stages, reconstruction: latestReconstruction(runDir), evaluations: evaluations(runDir), report: report(runDir) };
}

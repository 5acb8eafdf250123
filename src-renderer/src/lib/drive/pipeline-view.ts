/**
 * Pure helpers of the Pipeline tab of a drive run: stage titles, what each finished stage
 * produced in one line, and the evaluation plot's geometry (disengagements per training episode).
 */
import type { DriveStageId } from '../../../../src-shared/config/drive';
import type { DriveEvalPoint, DriveStageView } from '../../../../src-shared/drive-view';

export const STAGE_TITLES: Record<DriveStageId, { title: string; help: string }> = {
  collect: {
    title: 'Collect camera frames',
    help: 'Driver-view images from a random, a zero and a noisy lane-keeping policy (and your manual drives), for the VAE.',
  },
  vae: { title: 'Train the VAE', help: 'A convolutional VAE learns to compress each 64x64 image into a small latent code.' },
  rl: {
    title: 'Train the agent on the latent',
    help: 'TD3/DDPG on the VAE latent; an episode ends at a disengagement; after every episode the held-out test routes are driven without noise.',
  },
  pixels: { title: 'Pixels baseline', help: 'The same learner with the conv encoder trained from scratch by the critic (Table I "Deep RL from pixels").' },
  report: { title: 'Report', help: 'Random and zero policy baselines on the test routes and a table in the shape of Kendall et al. 2018, Table I.' },
};

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** One line on what a stage produced, from its saved detail ('' when there is nothing to say). */
export function stageSummary(s: DriveStageView): string {
  const d = s.detail ?? {};
  if (s.status === 'skipped') return 'skipped';
  switch (s.id) {
    case 'collect': {
      const frames = num(d.frames) ?? num(d.count);
      const mb = num(d.bytes);
      return frames === null ? '' : `${frames.toLocaleString('en-US')} frames${mb !== null ? ` (${(mb / 1e6).toFixed(1)} MB)` : ''}`;
    }
    case 'vae': {
      const val = d.valLoss as Record<string, unknown> | undefined;
      const loss = num(val?.loss);
      const epochs = num(d.epochs);
      return [epochs !== null ? `${epochs} epochs` : '', loss !== null ? `held-out loss ${loss.toFixed(1)}` : ''].filter(Boolean).join(', ');
    }
    case 'rl':
    case 'pixels': {
      const eps = num(d.episodes);
      const clean = num(d.firstClean);
      if (eps === null) return '';
      return `${eps} episodes; ${clean !== null ? `all test routes clean after episode ${clean}` : `not clean yet (final ${num(d.finalDisengagements) ?? '?'} disengagements)`}`;
    }
    default:
      return '';
  }
}

/** Seconds as "1 min 05 s" / "42 s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

export interface EvalPlot {
  width: number;
  height: number;
  /** Polyline points per agent ("x,y x,y ..."), and the dots. */
  lines: Array<{ agent: 'vae' | 'pixels'; points: string; dots: Array<{ x: number; y: number; p: DriveEvalPoint }> }>;
  xTicks: Array<{ x: number; label: string }>;
  yTicks: Array<{ y: number; label: string }>;
}

/**
 * Geometry of the evaluation plot: x = training episode, y = disengagements on the test routes
 * (sqrt scale, so the last few before 0 stay readable next to hundreds at the start).
 */
export function evalPlot(points: readonly DriveEvalPoint[], width = 520, height = 200, pad = { l: 40, r: 10, t: 10, b: 24 }): EvalPlot {
  const maxEp = Math.max(1, ...points.map((p) => p.episode));
  const maxDis = Math.max(1, ...points.map((p) => p.disengagements));
  const sx = (ep: number) => pad.l + ((width - pad.l - pad.r) * ep) / maxEp;
  const sy = (d: number) => pad.t + (height - pad.t - pad.b) * (1 - Math.sqrt(d) / Math.sqrt(maxDis));
  const lines = (['vae', 'pixels'] as const)
    .map((agent) => {
      const ps = points.filter((p) => p.agent === agent);
      const dots = ps.map((p) => ({ x: sx(p.episode), y: sy(p.disengagements), p }));
      return { agent, points: dots.map((d) => `${d.x.toFixed(1)},${d.y.toFixed(1)}`).join(' '), dots };
    })
    .filter((l) => l.dots.length > 0);
  const stepX = Math.max(1, Math.ceil(maxEp / 10));
  const xTicks = [];
  for (let e = 0; e <= maxEp; e += stepX) xTicks.push({ x: sx(e), label: String(e) });
  const yVals = [0, ...[1, 10, 100, 1000, 10000].filter((v) => v <= maxDis), maxDis].filter((v, i, a) => a.indexOf(v) === i);
  const yTicks = yVals.map((v) => ({ y: sy(v), label: String(v) }));
  return { width, height, lines, xTicks, yTicks };
}

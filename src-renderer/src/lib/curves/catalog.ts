/**
 * Which charts to draw, decided by the data: a few well-known charts with good titles
 * (episode return, evaluation return with its std band, losses, Q-values, throughput), then
 * one chart for every other numeric field of every metric kind, so fields an env adds to
 * its episode lines (distance, mpd, …) show up without UI changes.
 */
import type { RunMetrics } from '../metrics/run-metrics';

export interface SeriesSpec {
  kind: string;
  field: string;
  /** Legend label of this series. */
  label: string;
  /** A field holding the std of this one: drawn as a mean ± std band. */
  bandField?: string;
  /**
   * Draw the running ratio sum(field) / sum(per) over the lines so far instead of each line's
   * value (metres per disengagement over all of training, as Kendall et al. count it).
   */
  per?: string;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** What the chart shows, for the tooltip and screen readers. */
  help: string;
  unit?: string;
  series: SeriesSpec[];
  /** Whether the EMA smoothing slider applies (noisy per-episode or per-log-line data). */
  smooth: boolean;
}

const KNOWN: ChartSpec[] = [
  {
    id: 'episode-return',
    title: 'Episode return',
    help: 'Sum of rewards of each training episode (with exploration noise).',
    series: [{ kind: 'episode', field: 'return', label: 'return' }],
    smooth: true,
  },
  {
    id: 'eval-return',
    title: 'Evaluation return',
    help: 'Deterministic policy without noise: mean return over the evaluation episodes, band = ± one std.',
    series: [{ kind: 'eval', field: 'mean_return', label: 'mean return', bandField: 'std_return' }],
    smooth: false,
  },
  {
    id: 'episode-distance',
    title: 'Distance per episode',
    help: 'Metres driven along the road in each training episode.',
    unit: 'm',
    series: [{ kind: 'episode', field: 'distance', label: 'distance' }],
    smooth: true,
  },
  {
    id: 'episode-mpd',
    title: 'Metres per disengagement',
    help: 'Metres driven in training so far per disengagement so far (higher is better; Kendall et al. 2018); one episode alone would just repeat its distance.',
    unit: 'm',
    series: [{ kind: 'episode', field: 'distance', label: 'MPD', per: 'disengagements' }],
    smooth: false,
  },
  {
    id: 'vae-loss',
    title: 'VAE loss',
    help: "Drive pipeline: the VAE's loss per frame (reconstruction + beta x KL) on training batches, and on the held-out frames after each epoch. x = VAE step.",
    series: [
      { kind: 'vae', field: 'loss', label: 'train (batches)' },
      { kind: 'vae', field: 'val_loss', label: 'held-out' },
    ],
    smooth: true,
  },
  {
    id: 'drive-eval',
    title: 'Disengagements on the test routes',
    help: 'Drive pipeline: disengagements on the held-out test routes (no exploration noise) after each training episode; 0 = every route driven clean.',
    series: [{ kind: 'drive_eval', field: 'disengagements', label: 'disengagements' }],
    smooth: false,
  },
  {
    id: 'critic-loss',
    title: 'Critic loss',
    help: 'Mean squared TD error of the critics (mean over the critics).',
    series: [{ kind: 'train', field: 'critic_loss', label: 'critic loss' }],
    smooth: true,
  },
  {
    id: 'actor-loss',
    title: 'Actor loss',
    help: 'Actor loss = −Q(s, π(s)) on the sampled batch.',
    series: [{ kind: 'train', field: 'actor_loss', label: 'actor loss' }],
    smooth: true,
  },
  {
    id: 'q-values',
    title: 'Q-values',
    help: 'Mean critic estimate Q(s, a) on the sampled batch.',
    series: [{ kind: 'train', field: 'q_mean', label: 'Q mean' }],
    smooth: true,
  },
  {
    id: 'throughput',
    title: 'Steps/s and updates/s',
    help: 'Env steps per second and gradient updates per second.',
    unit: '/s',
    series: [
      { kind: 'train', field: 'env_steps_per_s', label: 'env steps/s' },
      { kind: 'train', field: 'updates_per_s', label: 'updates/s' },
    ],
    smooth: false,
  },
  {
    id: 'episode-length',
    title: 'Episode length',
    help: 'Env steps in each training episode.',
    unit: 'steps',
    series: [{ kind: 'episode', field: 'length', label: 'length' }],
    smooth: true,
  },
];

/** Fields never charted on their own: counts that are not curves. */
/** Fields never charted alone: eval episode counts; a lane episode's own MPD (it only repeats its distance; the MPD chart counts over training). */
/** An async run's episodes name their actor slot and weight version; its "actors" lines are for the actors panel. */
const IGNORED: ReadonlySet<string> = new Set(['eval.episodes', 'episode.mpd', 'episode.actor', 'episode.version', 'actors.version']);

const KIND_LABELS: Record<string, string> = { episode: 'Episode', eval: 'Evaluation', train: 'Training' };
const KIND_ORDER = ['episode', 'eval', 'train'];

const ACRONYMS: Record<string, string> = { mpd: 'MPD', q: 'Q', lr: 'LR', fps: 'FPS', vae: 'VAE', kl: 'KL', std: 'std', s: 's' };

/** "mean_abs_offset" / "meanAbsOffset" -> "mean abs offset". */
export function humanizeField(field: string): string {
  const words = field
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[_\s-]+/)
    .filter(Boolean)
    .map((w) => ACRONYMS[w.toLowerCase()] ?? w.toLowerCase());
  if (words.length >= 3 && words[words.length - 2] === 'per' && words[words.length - 1] === 's') {
    words.splice(words.length - 2, 2, '/s');
    return words.join(' ').replace(' /s', '/s');
  }
  return words.join(' ');
}

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind.charAt(0).toUpperCase() + kind.slice(1);
}

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

function hasColumn(runs: readonly RunMetrics[], kind: string, field: string): boolean {
  return runs.some((m) => m.table(kind)?.columns.has(field));
}

/** The charts worth drawing for these runs' metrics, known ones first. */
export function chartsFor(runs: readonly RunMetrics[]): ChartSpec[] {
  const out: ChartSpec[] = [];
  const used = new Set<string>(IGNORED);
  for (const spec of KNOWN) {
    for (const s of spec.series) {
      used.add(`${s.kind}.${s.field}`);
      if (s.bandField) used.add(`${s.kind}.${s.bandField}`);
      if (s.per) used.add(`${s.kind}.${s.per}`);
    }
    const present = spec.series.filter((s) => hasColumn(runs, s.kind, s.field) && (!s.per || hasColumn(runs, s.kind, s.per)));
    if (present.length) out.push({ ...spec, series: present });
  }
  const extra: Array<{ kind: string; field: string }> = [];
  for (const m of runs) {
    for (const [kind, table] of m.kinds) {
      for (const field of table.columns.keys()) {
        const key = `${kind}.${field}`;
        if (used.has(key)) continue;
        used.add(key);
        extra.push({ kind, field });
      }
    }
  }
  extra.sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || a.kind.localeCompare(b.kind) || a.field.localeCompare(b.field));
  for (const { kind, field } of extra) {
    const label = humanizeField(field);
    out.push({
      id: `${kind}-${field}`.replace(/[^A-Za-z0-9_-]/g, '_'),
      title: `${kindLabel(kind)}: ${label}`,
      help: `"${field}" of the "${kind}" lines in metrics.jsonl.`,
      series: [{ kind, field, label }],
      smooth: kind !== 'eval',
    });
  }
  return out;
}

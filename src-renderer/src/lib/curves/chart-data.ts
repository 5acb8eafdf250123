/**
 * Turns a chart spec and the metrics of one or more runs into uPlot's aligned columns:
 * one shared x (env steps) and one y column per drawn series, with nulls where a series
 * has no point at that step. With one run, smoothed charts also draw the raw data faintly.
 */
import type { KindTable, RunMetrics } from '../metrics/run-metrics';
import type { ChartSpec } from './catalog';
import { ema } from './smoothing';

export interface ChartRun {
  id: string;
  name: string;
  /** CSS colour of this run's lines. */
  color: string;
  metrics: RunMetrics;
}

export type SeriesRole = 'raw' | 'main' | 'band-upper' | 'band-lower';

export interface DrawnSeries {
  label: string;
  runId: string;
  color: string;
  role: SeriesRole;
  /** Dash pattern for the second, third… series of a chart that has several per run. */
  dash?: number[];
}

export interface ChartData {
  /** [x, y1, y2, …] as uPlot wants them. */
  columns: Array<Array<number | null>>;
  series: DrawnSeries[];
  /** Pairs of 1-based column indices (upper, lower) to fill between. */
  bands: Array<[number, number]>;
  /** Data points drawn (main series only). */
  points: number;
  /** True when every y value is > 0 (a plain log axis works; otherwise symlog). */
  positive: boolean;
  /** Last value of each main series, for the accessible summary. */
  lastValues: Array<{ label: string; value: number | null }>;
}

const DASHES = [undefined, [6, 4], [2, 3], [10, 3, 2, 3]];

/** Steps ascending with equal steps merged (mean), so several envs ending together plot as one point. */
function sortedColumn(table: KindTable, field: string): { x: number[]; y: Array<number | null> } {
  const col = table.columns.get(field)!;
  const n = table.steps.length;
  let ascending = true;
  for (let i = 1; i < n; i++) {
    if (table.steps[i]! <= table.steps[i - 1]!) {
      ascending = false;
      break;
    }
  }
  if (ascending) return { x: table.steps, y: col };
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => table.steps[a]! - table.steps[b]! || a - b);
  const x: number[] = [];
  const y: Array<number | null> = [];
  let sum = 0;
  let count = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const step = table.steps[i]!;
    if (x.length === 0 || x[x.length - 1] !== step) {
      if (x.length) y.push(count ? sum / count : null);
      x.push(step);
      sum = 0;
      count = 0;
    }
    const v = col[i];
    if (v !== null && v !== undefined) {
      sum += v;
      count++;
    }
  }
  if (x.length) y.push(count ? sum / count : null);
  return { x, y };
}

/** sum(field) / max(1, sum(per)) over the lines up to each step (steps ascending). */
function runningRatio(table: KindTable, field: string, per: string): { x: number[]; y: Array<number | null> } {
  const num = sortedColumn(table, field);
  const den = sortedColumn(table, per);
  // sortedColumn merges lines of one step by their mean: weight back by the lines of that step.
  const lines = new Map<number, number>();
  for (const s of table.steps) lines.set(s, (lines.get(s) ?? 0) + 1);
  let a = 0;
  let b = 0;
  const y = num.x.map((step, i) => {
    const k = lines.get(step) ?? 1;
    a += (num.y[i] ?? 0) * k;
    b += (den.y[i] ?? 0) * k;
    return a / Math.max(1, b);
  });
  return { x: num.x, y };
}

/** Aligns several (x, y) series on the union of their x values. */
export function alignSeries(parts: Array<{ x: readonly number[]; y: ReadonlyArray<number | null> }>): Array<Array<number | null>> {
  // Common case (one run): every series shares the same steps; nothing to align.
  if (parts.length > 0 && parts.every((p) => p.x === parts[0]!.x)) return [parts[0]!.x.slice(), ...parts.map((p) => p.y.slice())];
  const xs = new Set<number>();
  for (const p of parts) for (const v of p.x) xs.add(v);
  const x = [...xs].sort((a, b) => a - b);
  const index = new Map<number, number>();
  x.forEach((v, i) => index.set(v, i));
  const columns: Array<Array<number | null>> = [x];
  for (const p of parts) {
    const col = new Array<number | null>(x.length).fill(null);
    for (let i = 0; i < p.x.length; i++) col[index.get(p.x[i]!)!] = p.y[i] ?? null;
    columns.push(col);
  }
  return columns;
}

export function buildChartData(spec: ChartSpec, runs: readonly ChartRun[], smoothing: number): ChartData {
  const parts: Array<{ x: readonly number[]; y: ReadonlyArray<number | null> }> = [];
  const series: DrawnSeries[] = [];
  const bands: Array<[number, number]> = [];
  const lastValues: ChartData['lastValues'] = [];
  let points = 0;
  const single = runs.length === 1;
  for (const run of runs) {
    spec.series.forEach((s, si) => {
      const table = run.metrics.table(s.kind);
      if (!table?.columns.has(s.field) || (s.per && !table.columns.has(s.per))) return;
      const { x, y } = s.per ? runningRatio(table, s.field, s.per) : sortedColumn(table, s.field);
      const dash = DASHES[si % DASHES.length];
      const label = single ? s.label : spec.series.length > 1 ? `${run.name} · ${s.label}` : run.name;
      const smooth = spec.smooth && smoothing > 0;
      if (smooth && single) {
        parts.push({ x, y });
        series.push({ label: `${label} (raw)`, runId: run.id, color: run.color, role: 'raw', dash });
      }
      const main = smooth ? ema(y, smoothing) : y;
      parts.push({ x, y: main });
      series.push({ label, runId: run.id, color: run.color, role: 'main', dash });
      points += x.length;
      let last: number | null = null;
      for (let i = main.length - 1; i >= 0 && last === null; i--) last = main[i] ?? null;
      lastValues.push({ label, value: last });
      if (s.bandField && table.columns.has(s.bandField)) {
        const std = sortedColumn(table, s.bandField).y;
        const upper = y.map((v, i) => (v === null || std[i] === null ? null : v + std[i]!));
        const lower = y.map((v, i) => (v === null || std[i] === null ? null : v - std[i]!));
        parts.push({ x, y: upper }, { x, y: lower });
        series.push({ label: `${label} + std`, runId: run.id, color: run.color, role: 'band-upper' });
        series.push({ label: `${label} − std`, runId: run.id, color: run.color, role: 'band-lower' });
        bands.push([parts.length - 1, parts.length]);
      }
    });
  }
  const columns = alignSeries(parts);
  let positive = true;
  for (let c = 1; c < columns.length && positive; c++) {
    for (const v of columns[c]!) {
      if (v !== null && v <= 0) {
        positive = false;
        break;
      }
    }
  }
  return { columns, series, bands, points, positive, lastValues };
}

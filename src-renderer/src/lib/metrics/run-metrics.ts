/**
 * One run's metrics.jsonl in memory, as columns per metric kind: for each kind ("episode",
 * "train", "eval", or anything an env adds) the steps and one column per numeric field.
 * Columns are plain arrays (not reactive); `version` counts appends so views can redraw.
 * Fields that appear later are back-filled with nulls, so every column of a kind has the
 * same length as its steps.
 */
import type { MetricLine } from '../../../../src-shared/types';

/** Fields that are not plotted as values: bookkeeping, or used as a band by another field. */
const NOT_VALUES = new Set(['kind', 'step', 't']);

export class KindTable {
  readonly steps: number[] = [];
  readonly columns = new Map<string, Array<number | null>>();

  push(line: MetricLine): void {
    const n = this.steps.length;
    this.steps.push(line.step);
    for (const [field, value] of Object.entries(line)) {
      if (NOT_VALUES.has(field)) continue;
      // null in JSON is how a non-finite number (NaN, Infinity) was written.
      if (typeof value !== 'number' && value !== null) continue;
      let col = this.columns.get(field);
      if (!col) {
        if (value === null) continue;
        col = new Array<number | null>(n).fill(null);
        this.columns.set(field, col);
      }
      col.push(typeof value === 'number' && Number.isFinite(value) ? value : null);
    }
    for (const col of this.columns.values()) if (col.length === n) col.push(null);
  }

  get length(): number {
    return this.steps.length;
  }

  /** The last finite value of a field, or null. */
  last(field: string): number | null {
    const col = this.columns.get(field);
    if (!col) return null;
    for (let i = col.length - 1; i >= 0; i--) if (col[i] !== null) return col[i]!;
    return null;
  }
}

export class RunMetrics {
  readonly kinds = new Map<string, KindTable>();
  /** Lines of metrics.jsonl consumed so far (the `from` of the next history page). */
  lineCount = 0;
  /** Bumped on every change. */
  version = 0;

  /** Adds lines read from the file (history) or streamed live; `countsAsLines` advances lineCount. */
  push(lines: readonly MetricLine[], countsAsLines = true): void {
    for (const line of lines) {
      if (countsAsLines) this.lineCount++;
      if (line.kind === 'corrupt-line' || !Number.isFinite(line.step)) continue;
      let table = this.kinds.get(line.kind);
      if (!table) this.kinds.set(line.kind, (table = new KindTable()));
      table.push(line);
    }
    if (lines.length) this.version++;
  }

  table(kind: string): KindTable | undefined {
    return this.kinds.get(kind);
  }

  clear(): void {
    this.kinds.clear();
    this.lineCount = 0;
    this.version++;
  }
}

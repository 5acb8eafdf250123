/** Number, size and time formatting for the UI (one place, so every view reads the same). */

/** 12345 -> "12.3k", 2500000 -> "2.5M". */
export function compact(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${trim(n / 1e9)}G`;
  if (a >= 1e6) return `${trim(n / 1e6)}M`;
  if (a >= 1e4) return `${trim(n / 1e3)}k`;
  return Math.round(n).toLocaleString('en-US');
}

function trim(v: number): string {
  return v.toFixed(Math.abs(v) >= 100 ? 0 : 1).replace(/\.0$/, '');
}

/** A metric value with about 4 significant digits ("−152.3", "0.0123", "1.2e-5"). */
export function metric(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2).replace('-', '−');
  const digits = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 1 ? 2 : 4;
  return v.toFixed(digits).replace('-', '−');
}

export function bytes(b: number): string {
  if (b >= 2 ** 30) return `${(b / 2 ** 30).toFixed(1)} GiB`;
  return `${Math.round(b / 2 ** 20)} MiB`;
}

export function rate(perS: number): string {
  return perS >= 100 ? compact(perS) : perS.toFixed(1);
}

/** "Nov 22, 06:10" (local time), with the full timestamp for a title attribute. */
export function dateTime(iso: string): { short: string; full: string } {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return { short: iso, full: iso };
  const short = d.toLocaleString('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
  return { short, full: d.toLocaleString() };
}

export function percent(step: number, total: number): number {
  return total > 0 ? Math.min(100, Math.max(0, (100 * step) / total)) : 0;
}

/** An axis tick: whole numbers with separators, others with up to 4 significant digits. */
export function tick(v: number): string {
  if (!Number.isFinite(v)) return '';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e7)) return v.toExponential(1).replace('-', '−');
  if (Number.isInteger(v)) return (a >= 1e4 ? compact(v) : v.toLocaleString('en-US')).replace('-', '−');
  return String(Number(v.toPrecision(4))).replace('-', '−');
}

/** A duration for humans: "45 s", "8 min", "2 h 05 min". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const min = Math.round(seconds / 60);
  if (min < 120) return `${min} min`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

/** Number formatting shared by the CLI, reports and the app. */

/** `x` with `digits` decimals, or "-" when it is not a finite number (absent, null, NaN). */
export function fixedOrDash(x: unknown, digits = 1): string {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '-';
}

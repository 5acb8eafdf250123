/**
 * The New-run form's values: reading and writing by path, parsing what the user typed,
 * validating the whole config with the same zod schema the engine uses, and the changes
 * between two configs (for runs.duplicate).
 */
import type { z } from 'zod';
import { algoEnvMisfit } from '../../../../src-shared/config/action-fit';
import { backendMisfit, withBackendLayout } from '../../../../src-shared/config/backend-fit';
import type { AlgoId } from '../../../../src-shared/config/algo';
import { buildRunConfig, RunConfig, type RunConfigInput } from '../../../../src-shared/config/run-config';
import { isPlainObject } from '../../../../src-shared/util/objects';
import type { NumberRange } from './schema';

export type Path = readonly string[];
export const pathKey = (path: Path): string => path.join('.');

export function getAt(root: unknown, path: Path): unknown {
  let cur = root;
  for (const k of path) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** Sets (or with `undefined`, removes) the value at `path`, creating objects on the way. */
export function setAt(root: Record<string, unknown>, path: Path, value: unknown): void {
  let cur = root;
  for (const k of path.slice(0, -1)) {
    if (!isPlainObject(cur[k])) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

/** Parses a typed number ("1e-3", "0.99", " 256 "); an error message when it is not one. */
export function parseNumber(text: string, integer: boolean): { value: number } | { error: string } | { empty: true } {
  const t = text.trim().replace(/_/g, '');
  if (t === '') return { empty: true };
  const v = Number(t);
  if (!Number.isFinite(v)) return { error: `"${text.trim()}" is not a number` };
  if (integer && !Number.isInteger(v)) return { error: 'must be a whole number' };
  return { value: v };
}

/** Parses "256, 256" into [256, 256]. */
export function parseNumberList(text: string, integer: boolean): { value: number[] } | { error: string } {
  const parts = text
    .split(/[,\s]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const out: number[] = [];
  for (const p of parts) {
    const r = parseNumber(p, integer);
    if ('error' in r) return { error: `${r.error} (list item "${p}")` };
    if ('value' in r) out.push(r.value);
  }
  return { value: out };
}

export function formatNumber(v: unknown): string {
  if (typeof v !== 'number') return '';
  // Whole numbers as typed (10000000, not 1e7): step counts and budgets read as counts.
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e7)) return v.toExponential().replace('e+', 'e');
  return String(v);
}

/** A number for reading (not for an input): whole numbers with thousands separators. */
export function displayNumber(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return v.toLocaleString('en-US');
  return formatNumber(v);
}

/** "0 ≤ x ≤ 1", "0 < x", "1 ≤ n" for a range. */
export function describeRange(r: NumberRange, integer: boolean): string {
  const lo = r.min === undefined ? '' : `${displayNumber(r.min)} ${r.minExclusive ? '<' : '≤'} `;
  const hi = r.max === undefined ? '' : ` ${r.maxExclusive ? '<' : '≤'} ${displayNumber(r.max)}`;
  if (!lo && !hi) return integer ? 'whole number' : 'any number';
  return `${lo}${integer ? 'n' : 'x'}${hi}`;
}

/** One human sentence per zod issue ("must be ≤ 1", "must be a whole number"). */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const i = issue as z.core.$ZodIssue & {
    maximum?: number | bigint;
    minimum?: number | bigint;
    inclusive?: boolean;
    origin?: string;
    expected?: string;
    values?: unknown[];
  };
  switch (i.code) {
    case 'too_big':
      if (i.origin === 'array') return `at most ${String(i.maximum)} items`;
      if (i.origin === 'string') return `at most ${String(i.maximum)} characters`;
      return `must be ${i.inclusive ? '≤' : '<'} ${formatNumber(Number(i.maximum))}`;
    case 'too_small':
      if (i.origin === 'array') return Number(i.minimum) === 1 ? 'needs at least one item' : `needs at least ${String(i.minimum)} items`;
      if (i.origin === 'string') return Number(i.minimum) === 1 ? 'must not be empty' : `at least ${String(i.minimum)} characters`;
      return `must be ${i.inclusive ? '≥' : '>'} ${formatNumber(Number(i.minimum))}`;
    case 'invalid_type':
      if (i.expected === 'int') return 'must be a whole number';
      if (i.expected === 'number') return 'must be a number';
      return i.message;
    case 'invalid_value':
      return i.values?.length ? `must be one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}` : i.message;
    default:
      return i.message;
  }
}

export interface Validation {
  /** Field path ("td3.gamma") -> why its value is refused. */
  fields: Record<string, string>;
  /** Problems that belong to no single field. */
  general: string[];
  /** The parsed config when valid. */
  config?: RunConfig;
}

/** Validates the form's config with the engine's schema (RunConfig). */
export function validateConfig(values: Record<string, unknown>): Validation {
  const parsed = RunConfig.safeParse(values);
  if (parsed.success) {
    // The engine refuses an algorithm that cannot act in the env: so does the form, under the algorithm.
    const misfit = algoEnvMisfit(parsed.data.algo, parsed.data.env);
    if (misfit) return { fields: { algo: misfit }, general: [] };
    // So does a run its backend cannot train (webgpu: only behind actor threads), under the backend.
    const config = withBackendLayout(parsed.data);
    const backend = backendMisfit(config);
    return backend ? { fields: { backend }, general: [] } : { fields: {}, general: [], config: parsed.data };
  }
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const issue of parsed.error.issues) {
    const key = issue.path.map(String).join('.');
    if (!key) general.push(describeIssue(issue));
    else fields[key] ??= describeIssue(issue);
  }
  return { fields, general };
}

/** Maps the engine's "config.td3.gamma: message" issue lines back to field paths. */
export function engineIssuesToFields(issues: readonly string[]): Validation {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const line of issues) {
    const m = /^config\.([^:]+):\s*(.*)$/.exec(line);
    if (m) fields[m[1]!] ??= m[2]!;
    else general.push(line);
  }
  return { fields, general };
}

/** The parts of the run config that the engine fills from presets: each algorithm's block, and the step budget. */
export const PRESET_BLOCKS = ['td3', 'sac', 'd4pg', 'dqn', 'ppo', 'a2c', 'reinforce'] as const;

/** Whether a preset can set this field: a field of an algorithm's block, or totalSteps. */
export function presetPath(path: Path): boolean {
  return (path.length === 2 && (PRESET_BLOCKS as readonly string[]).includes(path[0]!)) || (path.length === 1 && path[0] === 'totalSteps');
}

/**
 * What the engine makes of a new run of `algo` on `env` given nothing else (buildRunConfig: DDPG's
 * preset, the env's presets per algorithm, its step budget, over the schema defaults), so the
 * form starts from exactly what the CLI would run; undefined while `env` is not valid.
 */
export function presetConfig(algo: AlgoId, env: unknown): Record<string, unknown> | undefined {
  try {
    return JSON.parse(JSON.stringify(buildRunConfig({ algo, env } as RunConfigInput))) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * What changed from `base` to `next`, as a patch for runs.duplicate (deep-merged by the
 * engine). `removes` is true when a field present in `base` is gone in `next`, which a merge
 * patch cannot express (then create the run from the full config instead).
 */
export function configChanges(base: Record<string, unknown>, next: Record<string, unknown>): { changes: Record<string, unknown>; removes: boolean } {
  const changes: Record<string, unknown> = {};
  let removes = false;
  for (const k of Object.keys(base)) if (!(k in next) || next[k] === undefined) removes = removes || base[k] !== undefined;
  for (const [k, v] of Object.entries(next)) {
    if (v === undefined) continue;
    const b = base[k];
    if (isPlainObject(v) && isPlainObject(b)) {
      const sub = configChanges(b, v);
      removes = removes || sub.removes;
      if (Object.keys(sub.changes).length) changes[k] = sub.changes;
    } else if (JSON.stringify(v) !== JSON.stringify(b)) {
      changes[k] = structuredClone(v);
    }
  }
  return { changes, removes };
}

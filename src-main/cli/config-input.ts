/**
 * Building a RunConfig input from the command line: a JSON file (--config), `--set key=value`
 * overrides (dotted keys, values parsed as JSON when they parse) and named flags, in the order
 * run-command.ts documents. Every key the user names must exist in the resulting config, so a
 * typo is an error instead of being ignored; keys that reach Object.prototype (`__proto__`,
 * `constructor`, `prototype`) and inherited names (`toString`) are never config keys.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { buildRunConfig, type RunConfig, type RunConfigInput } from '../../src-shared/config/run-config.js';
import { deepMerge, isPlainObject, PROTOTYPE_KEYS } from '../../src-shared/util/objects.js';
import { CliError } from './context.js';

/** Commander collector for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Largest JSON file a command reads (a config or an action list), so none is unbounded. */
export const JSON_FILE_MAX_BYTES = 64 * 1024 * 1024;

export function readJsonFile(path: string, what: string): unknown {
  if (!existsSync(path)) throw new CliError(`${what} ${path} does not exist`);
  const st = statSync(path);
  if (!st.isFile()) throw new CliError(`${what} ${path} is not a file`);
  if (st.size > JSON_FILE_MAX_BYTES) throw new CliError(`${what} ${path} is larger than ${JSON_FILE_MAX_BYTES / 1024 / 1024} MiB`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError(`${what} ${path} is not valid JSON (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
}

/** Parses `a.b.c=value` into a nested object {a: {b: {c: value}}}. */
export function parseSet(assignment: string): { path: string[]; patch: Record<string, unknown> } {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new CliError(`--set expects key=value (got "${assignment}")`);
  const key = assignment.slice(0, eq).trim();
  const raw = assignment.slice(eq + 1);
  const path = key.split('.');
  if (path.some((p) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p) || PROTOTYPE_KEYS.has(p))) throw new CliError(`--set: "${key}" is not a config key`);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // A bare string (e.g. --set name=my-run).
  }
  let patch: Record<string, unknown> = { [path[path.length - 1]!]: value };
  for (let i = path.length - 2; i >= 0; i--) patch = { [path[i]!]: patch };
  return { path, patch };
}

/** Every leaf path of a plain object (arrays are leaves); a prototype key is refused, naming `what`. */
export function leafPaths(obj: Record<string, unknown>, prefix: string[] = [], what = '--config file'): string[][] {
  const out: string[][] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (PROTOTYPE_KEYS.has(k)) throw new CliError(`${what}: "${[...prefix, k].join('.')}" is not a config key`);
    if (isPlainObject(v) && Object.keys(v).length) out.push(...leafPaths(v, [...prefix, k], what));
    else out.push([...prefix, k]);
  }
  return out;
}

function hasPath(obj: unknown, path: readonly string[]): boolean {
  let cur: unknown = obj;
  for (const p of path) {
    // Own keys only: `in` would find constructor, toString and the rest of Object.prototype.
    if (!isPlainObject(cur) || !Object.hasOwn(cur, p)) return false;
    cur = cur[p];
  }
  return true;
}

export function mergeInput(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  return deepMerge(base, patch);
}

/**
 * Validates `input` with buildRunConfig and checks that every user-named key survived
 * (the schema strips unknown keys silently).
 */
export function buildCheckedConfig(input: Record<string, unknown>, userPaths: readonly string[][]): RunConfig {
  const config = buildRunConfig(input as RunConfigInput);
  for (const p of userPaths) {
    if (!hasPath(config, p)) throw new CliError(`unknown config key "${p.join('.')}"`);
  }
  return config;
}

/**
 * State of the New-run (and Duplicate) form: the config being edited, the text of fields
 * being typed, and every reason a value is refused. Validation runs on each change with the
 * engine's own schema, so the form refuses exactly what the engine would.
 *
 * A new form starts from what the engine gives the chosen algorithm on the chosen env with no
 * other input (its presets: DDPG's, RL Zoo's per env, ...). Switching algorithm or env moves the
 * fields the user has not touched to the new preset; what they set stays.
 */
import { AlgoId } from '../../../../src-shared/config/algo';
import { RunConfig } from '../../../../src-shared/config/run-config';
import { CONDITIONAL_GROUPS, conditionalGroup } from './applies';
import { defaultValue, formTree, type FormNode } from './schema';
import { isPlainObject } from '../../../../src-shared/util/objects';
import {
  formatNumber,
  getAt,
  parseNumber,
  parseNumberList,
  pathKey,
  presetConfig,
  presetPath,
  PRESET_BLOCKS,
  setAt,
  validateConfig,
  type Path,
  type Validation,
} from './values';

export type LeafNode = Exclude<FormNode, { kind: 'object' } | { kind: 'union' }>;
export type UnionNode = Extract<FormNode, { kind: 'union' }>;

function plain(v: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(v ?? {})) as Record<string, unknown>;
}

export class FormController {
  readonly tree: FormNode[] = formTree(RunConfig);
  values = $state<Record<string, unknown>>({});
  /** What the user typed in text fields, by path, while it differs from the parsed value. */
  raw = $state<Record<string, string>>({});
  /** Text that does not parse (not a number, …), by path. */
  local = $state<Record<string, string>>({});
  /** What the engine refused on the last submit, by path. */
  server = $state<Validation>({ fields: {}, general: [] });
  readonly validation: Validation = $derived(validateConfig($state.snapshot(this.values)));
  readonly errors: Record<string, string> = $derived({ ...this.validation.fields, ...this.server.fields, ...this.local });
  readonly valid: boolean = $derived(Object.keys(this.errors).length === 0 && this.validation.general.length === 0);
  /** The engine's config for the chosen algorithm and env with no user input (their presets). */
  preset = $state.raw<Record<string, unknown> | undefined>(undefined);
  /** Fields the user set (typed, picked, switched), by path: a change of preset leaves them alone. */
  private readonly touched = new Set<string>();

  constructor(initial?: Record<string, unknown>) {
    this.values = initial ? plain(initial) : this.defaults();
    this.preset = presetConfig(this.algo, this.values.env);
    this.reconcile();
    // A blank form takes the presets; a duplicate or a template keeps its values, and those that
    // differ from the preset count as the user's (a later switch of env leaves them alone).
    if (!initial) this.follow(undefined);
    else
      for (const path of this.presetPaths())
        if (JSON.stringify(getAt(this.values, path)) !== JSON.stringify(getAt(this.preset, path))) this.touched.add(pathKey(path));
  }

  /** The node at `path` (inside groups and every union variant). */
  find(path: readonly string[]): FormNode | undefined {
    const key = pathKey(path);
    const walk = (nodes: FormNode[]): FormNode | undefined => {
      for (const n of nodes) {
        if (pathKey(n.path) === key) return n;
        const kids = n.kind === 'object' ? n.children : n.kind === 'union' ? n.variants.flatMap((v) => v.children) : [];
        if (key.startsWith(pathKey(n.path) + '.')) {
          const hit = walk(kids);
          if (hit) return hit;
        }
      }
      return undefined;
    };
    return walk(this.tree);
  }

  /** Whether a field means anything with the other values (the drive block is for lane runs only, …). */
  applies(node: FormNode): boolean {
    return conditionalGroup(node.path)?.applies(this.values) ?? true;
  }

  /** A group the form writes out itself whenever it applies (no switch to add or remove it). */
  autoFilled(node: FormNode): boolean {
    return conditionalGroup(node.path)?.fills === true;
  }

  /** An optional group (no default: absent unless set) is in the config. */
  included(node: FormNode): boolean {
    return this.get(node.path) !== undefined;
  }

  /** Adds an optional group with its fields' defaults, or removes it. */
  include(node: FormNode, on: boolean): void {
    setAt(this.values, node.path, on ? this.filled(node) : undefined);
    this.clearText(pathKey(node.path));
    this.clearServer(pathKey(node.path));
  }

  /** Drops groups that no longer apply and writes out those that now do and fill themselves. */
  private reconcile(): void {
    for (const g of CONDITIONAL_GROUPS) {
      const present = getAt(this.values, g.path) !== undefined;
      const applies = g.applies(this.values);
      if (!applies && present) {
        setAt(this.values, g.path, undefined);
        this.clearText(pathKey(g.path));
        // What the user set there went with the group: written out again, it starts from the preset.
        for (const t of [...this.touched]) if (t.startsWith(pathKey(g.path) + '.')) this.touched.delete(t);
      } else if (applies && !present && g.fills) {
        const node = this.find(g.path);
        if (node) setAt(this.values, g.path, this.filled(node));
      }
    }
  }

  /** A group's value when it is written out: the preset's block (an algorithm's), else its fields' defaults. */
  private filled(node: FormNode): unknown {
    const fromPreset = node.path.length === 1 ? getAt(this.preset, node.path) : undefined;
    return isPlainObject(fromPreset) ? structuredClone(fromPreset) : groupDefaults(node);
  }

  /** The config every field at its default (what RunConfig.parse({}) gives). */
  defaults(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const n of this.tree) {
      const d = defaultValue(n);
      if (d !== undefined) out[n.key] = d;
    }
    return out;
  }

  get algo(): AlgoId {
    const a = AlgoId.safeParse(this.values.algo);
    return a.success ? a.data : 'td3';
  }

  get(path: readonly string[]): unknown {
    return getAt(this.values, path);
  }

  private clearServer(key: string): void {
    if (key in this.server.fields) {
      const { [key]: _gone, ...rest } = this.server.fields;
      this.server = { fields: rest, general: this.server.general };
    }
  }

  private clearText(prefix: string): void {
    for (const k of Object.keys(this.raw)) if (k === prefix || k.startsWith(prefix + '.')) delete this.raw[k];
    for (const k of Object.keys(this.local)) if (k === prefix || k.startsWith(prefix + '.')) delete this.local[k];
  }

  set(path: readonly string[], value: unknown): void {
    const key = pathKey(path);
    setAt(this.values, path, value);
    this.touched.add(key);
    this.clearServer(key);
    this.changedChoice();
  }

  /**
   * After any change: when the algorithm or the env changed, the new preset; groups that no
   * longer apply go and new ones are written out from it (reconcile), then untouched fields follow it.
   */
  private changedChoice(): void {
    const prev = this.preset;
    const next = presetConfig(this.algo, this.values.env);
    const moved = next !== undefined && JSON.stringify(next) !== JSON.stringify(prev);
    if (moved) this.preset = next;
    this.reconcile();
    if (moved) this.follow(prev);
  }

  /** The fields a preset may set that the form has now: totalSteps and the fields of the algorithm blocks present. */
  private presetPaths(): Path[] {
    const out: Path[] = [['totalSteps']];
    for (const block of PRESET_BLOCKS) {
      const cur = this.values[block];
      const fromPreset = this.preset?.[block];
      if (!isPlainObject(cur)) continue;
      for (const k of new Set([...Object.keys(cur), ...Object.keys(isPlainObject(fromPreset) ? fromPreset : {})])) out.push([block, k]);
    }
    return out;
  }

  /** Whether the user set this field or anything inside it. */
  private touchedAt(key: string): boolean {
    if (this.touched.has(key) || key in this.local) return true;
    for (const t of this.touched) if (t.startsWith(key + '.')) return true;
    return false;
  }

  /** Fields the user has not touched move from the previous preset's value (or the default) to the current preset's. */
  private follow(prev: Record<string, unknown> | undefined): void {
    const next = this.preset;
    if (!next) return;
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    const move = (path: Path) => {
      const key = pathKey(path);
      if (this.touchedAt(key)) return;
      const node = this.find(path);
      const schema = node ? defaultValue(node) : undefined;
      const target = getAt(next, path) ?? schema;
      if (same(getAt(this.values, path), target) || (prev && same(getAt(prev, path), target))) return;
      setAt(this.values, path, target === undefined ? undefined : structuredClone(target));
      this.clearText(key);
    };
    for (const path of this.presetPaths()) move(path);
  }

  /** A number / list field typed as text. */
  setText(node: LeafNode, text: string): void {
    const key = pathKey(node.path);
    this.raw[key] = text;
    this.touched.add(key);
    this.clearServer(key);
    let parsed: { value: unknown } | { error: string } | { empty: true };
    if (node.kind === 'number') parsed = parseNumber(text, node.integer);
    else if (node.kind === 'number-list') parsed = parseNumberList(text, node.integer);
    else if (node.kind === 'json') {
      try {
        parsed = text.trim() === '' ? { empty: true } : { value: JSON.parse(text) as unknown };
      } catch {
        parsed = { error: 'not valid JSON' };
      }
    } else parsed = { value: text };
    if ('error' in parsed) {
      this.local[key] = parsed.error;
      return;
    }
    delete this.local[key];
    if ('empty' in parsed) {
      if (node.optional) setAt(this.values, node.path, undefined);
      else this.local[key] = 'required';
      return;
    }
    setAt(this.values, node.path, parsed.value);
  }

  /** What a text field shows: what was typed, else the value formatted. */
  text(node: LeafNode): string {
    const key = pathKey(node.path);
    if (key in this.raw) return this.raw[key]!;
    const v = this.get(node.path);
    if (node.kind === 'number') return formatNumber(v);
    if (node.kind === 'number-list') return Array.isArray(v) ? v.map(formatNumber).join(', ') : '';
    if (node.kind === 'json') return v === undefined ? '' : JSON.stringify(v);
    return v === undefined ? '' : String(v);
  }

  switchVariant(node: UnionNode, value: string): void {
    const variant = node.variants.find((v) => v.value === value);
    if (!variant) return;
    const key = pathKey(node.path);
    // Keep what the user set in the variant they switch back to when it is the preset's.
    const preset = this.presetValue(node);
    const next = preset && typeof preset === 'object' && (preset as Record<string, unknown>)[node.discriminator] === value ? preset : variant.defaults;
    setAt(this.values, node.path, structuredClone(next));
    this.touched.add(key);
    this.clearText(key);
    this.clearServer(key);
    this.changedChoice();
  }

  /** The preset's value for a field where it differs from the schema default (undefined elsewhere). */
  presetValue(node: FormNode): unknown {
    if (!presetPath(node.path)) return undefined;
    const v = getAt(this.preset, node.path);
    return v !== undefined && JSON.stringify(v) !== JSON.stringify(defaultValue(node)) ? v : undefined;
  }

  /** What the preset sets, field by field (where it differs from the schema default), for the chosen algorithm's block and totalSteps. */
  presetFields(): Array<{ path: Path; value: unknown }> {
    const out: Array<{ path: Path; value: unknown }> = [];
    for (const path of this.presetPaths()) {
      const node = this.find(path);
      const value = node ? this.presetValue(node) : undefined;
      if (value !== undefined) out.push({ path, value });
    }
    return out;
  }

  /** "TD3 on pendulum": whose preset the form starts from. */
  get presetName(): string {
    return `${this.algo.toUpperCase()} on ${String(getAt(this.values, ['env', 'id']) ?? '')}`;
  }

  /** The value a field has with no user change: the preset's, else the schema default. */
  baseline(node: FormNode): unknown {
    const p = this.presetValue(node);
    return p !== undefined ? p : defaultValue(node);
  }

  changed(node: FormNode): boolean {
    if (pathKey(node.path) in this.local) return true;
    return JSON.stringify(this.get(node.path)) !== JSON.stringify(this.baseline(node));
  }

  reset(node: FormNode): void {
    const key = pathKey(node.path);
    const b = this.baseline(node);
    setAt(this.values, node.path, b === undefined ? undefined : structuredClone(b));
    for (const t of [...this.touched]) if (t === key || t.startsWith(key + '.')) this.touched.delete(t);
    this.clearText(key);
    this.clearServer(key);
    this.changedChoice();
  }

  resetAll(): void {
    const name = this.values.name;
    this.values = { ...this.defaults(), name };
    this.raw = {};
    this.local = {};
    this.server = { fields: {}, general: [] };
    this.touched.clear();
    this.preset = presetConfig(this.algo, this.values.env);
    this.reconcile();
    this.follow(undefined);
  }

  /** The config to send (a plain object). */
  config(): Record<string, unknown> {
    return plain($state.snapshot(this.values));
  }
}

/** An object node's value with every field at its default (also for an optional group, which has none itself). */
function groupDefaults(node: FormNode): unknown {
  if (node.kind !== 'object') return defaultValue({ ...node, optional: false });
  const out: Record<string, unknown> = {};
  for (const c of node.children) {
    const d = defaultValue(c);
    if (d !== undefined) out[c.key] = d;
  }
  return out;
}

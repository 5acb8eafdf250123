/**
 * State of the New-run (and Duplicate) form: the config being edited, the text of fields
 * being typed, and every reason a value is refused. Validation runs on each change with the
 * engine's own schema, so the form refuses exactly what the engine would.
 */
import { AlgoId } from '../../../../src-shared/config/algo';
import { RunConfig } from '../../../../src-shared/config/run-config';
import { CONDITIONAL_GROUPS, conditionalGroup } from './applies';
import { defaultValue, formTree, type FormNode } from './schema';
import { ALGO_PRESETS, applyAlgoPreset, formatNumber, getAt, parseNumber, parseNumberList, pathKey, setAt, validateConfig, type Validation } from './values';

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
  private readonly td3Node: FormNode | undefined;

  constructor(initial?: Record<string, unknown>) {
    this.td3Node = this.tree.find((n) => n.key === 'td3');
    this.values = initial ? plain(initial) : this.defaults();
    this.reconcile();
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
    setAt(this.values, node.path, on ? groupDefaults(node) : undefined);
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
      } else if (applies && !present && g.fills) {
        const node = this.find(g.path);
        if (node) setAt(this.values, g.path, groupDefaults(node));
      }
    }
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
    const before = this.algo;
    setAt(this.values, path, value);
    this.clearServer(key);
    // Groups first: switching algorithm writes out the new algorithm's block before its preset applies.
    this.reconcile();
    if (key === 'algo' && this.algo !== before) this.applyPreset(this.algo);
  }

  /** Switching algorithm: the preset's fields take the new algorithm's values. */
  private applyPreset(algo: AlgoId): void {
    if (this.values.td3 === undefined) return; // an algorithm with its own block (sac, …)
    const td3Defaults = this.td3Node ? (defaultValue(this.td3Node) as Record<string, unknown>) : {};
    // (Absent after an on-policy algorithm, whose form drops the td3 block.)
    const td3 = plain(this.values.td3 ?? td3Defaults);
    this.values.td3 = applyAlgoPreset(td3, algo, td3Defaults);
    this.clearText('td3');
  }

  /** A number / list field typed as text. */
  setText(node: LeafNode, text: string): void {
    const key = pathKey(node.path);
    this.raw[key] = text;
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
    this.clearText(key);
    this.clearServer(key);
    this.reconcile();
  }

  /** The algorithm preset's value for a field, if the current algorithm sets it. */
  presetValue(node: FormNode): unknown {
    if (node.path.length !== 2 || node.path[0] !== 'td3') return undefined;
    const preset = ALGO_PRESETS[this.algo] ?? {};
    return node.key in preset ? preset[node.key] : undefined;
  }

  /** The value a field has with no user change: the algorithm preset's, else the schema default. */
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
    this.clearText(key);
    this.clearServer(key);
    this.reconcile();
  }

  resetAll(): void {
    const name = this.values.name;
    this.values = { ...this.defaults(), name };
    this.raw = {};
    this.local = {};
    this.server = { fields: {}, general: [] };
    this.reconcile();
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

/**
 * Walks the JSON Schema that zod generates from RunConfig (z.toJSONSchema) into a tree of
 * form fields. Nothing here knows the names of config fields: objects become groups,
 * discriminated unions (env options, exploration noise) become a choice plus the chosen
 * variant's fields, and every leaf carries its default, range and .describe() text. A field
 * an env adds to its options schema therefore appears in the New-run form by itself.
 */
import { z } from 'zod';

/** The subset of JSON Schema (draft 2020-12) that zod emits and the form understands. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
}

interface NodeBase {
  key: string;
  /** Path from the config root, e.g. ["td3", "noise", "sigma"]. */
  path: string[];
  help?: string;
  default?: unknown;
  /** May be left empty (no default). */
  optional: boolean;
}

export interface NumberRange {
  min?: number;
  max?: number;
  /** True when the bound itself is not allowed (> min rather than >= min). */
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

export type FormNode =
  | (NodeBase & { kind: 'number'; integer: boolean; range: NumberRange })
  | (NodeBase & { kind: 'string'; minLength?: number; maxLength?: number })
  | (NodeBase & { kind: 'boolean' })
  | (NodeBase & { kind: 'enum'; options: Array<string | number> })
  | (NodeBase & { kind: 'number-list'; integer: boolean; range: NumberRange; minItems?: number; maxItems?: number })
  | (NodeBase & { kind: 'object'; children: FormNode[] })
  | (NodeBase & { kind: 'union'; discriminator: string; variants: UnionVariant[] })
  | (NodeBase & { kind: 'json' });

export interface UnionVariant {
  /** The discriminator's value for this variant ("pendulum", "ou", …). */
  value: string;
  children: FormNode[];
  /** The variant's value with every default filled in. */
  defaults: Record<string, unknown>;
}

/** Bounds at or beyond these are "unbounded" (zod writes ±MAX_SAFE_INTEGER for int()). */
const BIG = Number.MAX_SAFE_INTEGER / 2;

function range(s: JsonSchema): NumberRange {
  const r: NumberRange = {};
  if (s.exclusiveMinimum !== undefined && Math.abs(s.exclusiveMinimum) < BIG) {
    r.min = s.exclusiveMinimum;
    r.minExclusive = true;
  } else if (s.minimum !== undefined && Math.abs(s.minimum) < BIG) r.min = s.minimum;
  if (s.exclusiveMaximum !== undefined && Math.abs(s.exclusiveMaximum) < BIG) {
    r.max = s.exclusiveMaximum;
    r.maxExclusive = true;
  } else if (s.maximum !== undefined && Math.abs(s.maximum) < BIG) r.max = s.maximum;
  return r;
}

function typeOf(s: JsonSchema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null');
  return s.type;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class SchemaWalker {
  constructor(private readonly root: JsonSchema) {}

  private deref(s: JsonSchema): JsonSchema {
    let cur = s;
    for (let guard = 0; cur.$ref && guard < 32; guard++) {
      const name = cur.$ref.replace(/^#\/(\$defs|definitions)\//, '');
      const target = this.root.$defs?.[name];
      if (!target) break;
      // Keys beside $ref (description, default) win over the referenced schema's.
      const { $ref: _ref, ...rest } = cur;
      cur = { ...target, ...rest };
    }
    return cur;
  }

  /** The form fields of an object schema's properties. */
  objectChildren(s: JsonSchema, path: string[], skip?: string): FormNode[] {
    const obj = this.deref(s);
    const required = new Set(obj.required ?? []);
    const out: FormNode[] = [];
    for (const [key, prop] of Object.entries(obj.properties ?? {})) {
      if (key === skip) continue;
      out.push(this.node(key, prop, [...path, key], !required.has(key)));
    }
    return out;
  }

  node(key: string, raw: JsonSchema, path: string[], notRequired: boolean): FormNode {
    const s = this.deref(raw);
    const base: NodeBase = { key, path, help: s.description, default: s.default, optional: notRequired && s.default === undefined };
    const options = s.oneOf ?? s.anyOf;
    if (options) {
      const union = this.discriminatedUnion(
        options.map((o) => this.deref(o)),
        path,
      );
      if (union) return { ...base, kind: 'union', ...union };
      return { ...base, kind: 'json' };
    }
    if (s.enum && s.enum.every((v) => typeof v === 'string' || typeof v === 'number')) {
      return { ...base, kind: 'enum', options: s.enum as Array<string | number> };
    }
    switch (typeOf(s)) {
      case 'number':
        return { ...base, kind: 'number', integer: false, range: range(s) };
      case 'integer':
        return { ...base, kind: 'number', integer: true, range: range(s) };
      case 'string':
        return { ...base, kind: 'string', minLength: s.minLength, maxLength: s.maxLength };
      case 'boolean':
        return { ...base, kind: 'boolean' };
      case 'array': {
        const items = s.items ? this.deref(s.items) : undefined;
        const t = items && typeOf(items);
        if (items && (t === 'number' || t === 'integer')) {
          return { ...base, kind: 'number-list', integer: t === 'integer', range: range(items), minItems: s.minItems, maxItems: s.maxItems };
        }
        return { ...base, kind: 'json' };
      }
      case 'object':
        if (s.properties) return { ...base, kind: 'object', children: this.objectChildren(s, path) };
        return { ...base, kind: 'json' };
      default:
        return { ...base, kind: 'json' };
    }
  }

  /** Recognizes oneOf/anyOf of objects that share one property with a string const in each. */
  private discriminatedUnion(options: JsonSchema[], path: string[]): { discriminator: string; variants: UnionVariant[] } | undefined {
    if (!options.length || !options.every((o) => typeOf(o) === 'object' && o.properties)) return undefined;
    const first = options[0]!;
    const discriminator = Object.keys(first.properties!).find((k) =>
      options.every((o) => {
        const p = o.properties?.[k];
        return p !== undefined && typeof this.deref(p).const === 'string';
      }),
    );
    if (!discriminator) return undefined;
    const variants = options.map((o) => {
      const value = this.deref(o.properties![discriminator]!).const as string;
      const children = this.objectChildren(o, path, discriminator);
      const defaults: Record<string, unknown> = { [discriminator]: value };
      for (const c of children) {
        const d = defaultValue(c);
        if (d !== undefined) defaults[c.key] = d;
      }
      return { value, children, defaults };
    });
    return { discriminator, variants };
  }
}

/**
 * The default of a node: its own, else (objects) built from its children's. An optional field
 * without a default (e.g. the lane env's `vae` options, a run's `drive` block) is absent, as in
 * the schema's own defaults; its fields appear in the form and setting one creates it.
 */
export function defaultValue(node: FormNode): unknown {
  if (node.default !== undefined) return structuredClone(node.default);
  if (node.optional) return undefined;
  if (node.kind === 'object') {
    const out: Record<string, unknown> = {};
    for (const c of node.children) {
      const d = defaultValue(c);
      if (d !== undefined) out[c.key] = d;
    }
    return out;
  }
  if (node.kind === 'union') return structuredClone(node.variants[0]?.defaults);
  return undefined;
}

/** The form tree of a zod object schema (the top-level fields of the config). */
export function formTree(schema: z.ZodType): FormNode[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return new SchemaWalker(json).objectChildren(json, []);
}

/** The variant of a union node that a value selects (by its discriminator), if any. */
export function variantOf(node: Extract<FormNode, { kind: 'union' }>, value: unknown): UnionVariant | undefined {
  if (!isPlainObject(value)) return undefined;
  return node.variants.find((v) => v.value === value[node.discriminator]);
}

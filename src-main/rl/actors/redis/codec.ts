/**
 * Binary frames of the Redis transport: a 4-byte little-endian header length, the header as
 * JSON (every scalar field, and each typed array's kind and length), then the arrays' bytes in
 * order. Decoding never trusts the bytes: a frame that does not parse becomes undefined (the
 * learner counts it as malformed); what does parse is still validated with the shared schemas.
 */
import type { ActorWeights, TransitionBatch } from '../../../../src-shared/actors.js';

type Typed = Float32Array | Float64Array | Uint8Array;
const KINDS = { f32: Float32Array, f64: Float64Array, u8: Uint8Array } as const;
type Kind = keyof typeof KINDS;

function kindOf(a: Typed): Kind {
  return a instanceof Float32Array ? 'f32' : a instanceof Float64Array ? 'f64' : 'u8';
}

/** Header fields plus named arrays -> one frame. */
export function encodeFrame(header: Record<string, unknown>, arrays: Array<[string, Typed]>): Buffer {
  const layout = arrays.map(([name, a]) => [name, kindOf(a), a.length] as const);
  const json = Buffer.from(JSON.stringify({ ...header, $arrays: layout }), 'utf8');
  const parts: Buffer[] = [Buffer.alloc(4), json];
  parts[0]!.writeUInt32LE(json.length, 0);
  for (const [, a] of arrays) parts.push(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  return Buffer.concat(parts);
}

/** One frame -> header fields with the arrays under their names (copies), or undefined when it does not parse. */
export function decodeFrame(buf: Buffer): Record<string, unknown> | undefined {
  try {
    if (buf.length < 4) return undefined;
    const len = buf.readUInt32LE(0);
    if (len > buf.length - 4) return undefined;
    const header = JSON.parse(buf.subarray(4, 4 + len).toString('utf8')) as Record<string, unknown>;
    const layout = header.$arrays;
    if (!Array.isArray(layout)) return undefined;
    delete header.$arrays;
    let at = 4 + len;
    for (const entry of layout) {
      if (!Array.isArray(entry) || entry.length !== 3) return undefined;
      const [name, kind, n] = entry as [unknown, unknown, unknown];
      if (typeof name !== 'string' || typeof kind !== 'string' || !(kind in KINDS) || !Number.isInteger(n) || (n as number) < 0) return undefined;
      const Ctor = KINDS[kind as Kind];
      const bytes = (n as number) * Ctor.BYTES_PER_ELEMENT;
      if (at + bytes > buf.length) return undefined;
      const out = new Ctor(n as number);
      new Uint8Array(out.buffer).set(buf.subarray(at, at + bytes));
      at += bytes;
      setPath(header, name, out);
    }
    return at === buf.length ? header : undefined;
  } catch {
    return undefined;
  }
}

/** "actor.3" puts the array at index 3 of header.actor; plain names are fields. */
function setPath(header: Record<string, unknown>, name: string, value: Typed): void {
  const dot = name.indexOf('.');
  if (dot < 0) {
    header[name] = value;
    return;
  }
  const key = name.slice(0, dot);
  const list = (Array.isArray(header[key]) ? header[key] : (header[key] = [])) as Typed[];
  list[Number(name.slice(dot + 1))] = value;
}

export function encodeBatch(b: TransitionBatch): Buffer {
  const { env, obs, actions, rewards, next, flags, ...header } = b;
  return encodeFrame(header, [
    ['env', env],
    ['obs', obs],
    ['actions', actions],
    ['rewards', rewards],
    ['next', next],
    ['flags', flags],
  ]);
}

export function encodeWeights(w: ActorWeights): Buffer {
  const { actor, encoder, ...header } = w;
  return encodeFrame(header, [
    ...actor.map((a, i) => [`actor.${i}`, a] as [string, Typed]),
    ...(encoder ?? []).map((a, i) => [`encoder.${i}`, a] as [string, Typed]),
  ]);
}

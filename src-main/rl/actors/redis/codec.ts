/**
 * Binary frames of the Redis transport: a 4-byte little-endian header length, the header as
 * JSON (every scalar field, and each typed array's kind and length), then the arrays' bytes in
 * order. Decoding never trusts the bytes: a frame that does not parse becomes undefined (the
 * learner counts it as malformed); what does parse is still validated with the shared schemas.
 *
 * Camera observations (an env's imageLayout: pixels = byte / 255 as float32, then vector
 * features) travel as one byte per pixel ("px" arrays: each row's pixels as bytes, then all
 * rows' vector features as float32), a quarter of the float32 frames. They decode to PixelRows
 * (src-shared/actors.ts), the pixels still bytes, which the learner's replay buffer stores as
 * they are; rowsAsFloats gives bitwise the float32 values the actor had. A batch with any pixel
 * value that is not exactly byte / 255 is sent as plain float32, so the packing never changes
 * what the learner sees.
 *
 * A transition's next observation is, unless its episode ended, the observation of the same
 * env's next transition in the batch: such rows are not sent twice. `nextFrom[i]` names the obs
 * row that next row i equals bit for bit (-1: sent in `nextRest`, in order), and the decoder
 * rebuilds `next` from them, so the learner gets exactly the batch the actor made.
 */
import { rowsAsFloats, type ActorWeights, type FloatTransitionBatch, type PixelRows } from '../../../../src-shared/actors.js';
import { BYTE_TO_UNIT } from '../../../../src-shared/util/pixels.js';

type Typed = Float32Array | Float64Array | Uint8Array | Int32Array;
const KINDS = { f32: Float32Array, f64: Float64Array, u8: Uint8Array, i32: Int32Array } as const;
type Kind = keyof typeof KINDS;

function kindOf(a: Typed): Kind {
  return a instanceof Float32Array ? 'f32' : a instanceof Float64Array ? 'f64' : a instanceof Int32Array ? 'i32' : 'u8';
}

/** Float32 rows whose first `imageDim` values are pixels, sent as bytes (see the file comment). */
export interface FloatPixelRows {
  values: Float32Array;
  rowDim: number;
  imageDim: number;
}

/** A frame array: a typed array, or pixel rows. */
type FrameArray = Typed | FloatPixelRows;

/** The bytes of pixel rows (pixels as bytes, then the vector features), or undefined when a pixel is not exactly byte / 255. */
function packPixels({ values, rowDim, imageDim }: FloatPixelRows): Buffer | undefined {
  if (values.length % rowDim !== 0) return undefined;
  const rows = values.length / rowDim;
  const vecDim = rowDim - imageDim;
  // One buffer: all rows' pixels as bytes, then all rows' vector features as float32.
  const out = Buffer.allocUnsafe(rows * imageDim + rows * vecDim * 4);
  const vec = new Float32Array(rows * vecDim);
  let dst = 0;
  for (let r = 0; r < rows; r++) {
    let src = r * rowDim;
    const end = src + imageDim;
    for (; src < end; src++) {
      const v = values[src]!;
      // NaN, values outside [0, 1] and in-between values miss the table (undefined or another float).
      const b = (v * 255 + 0.5) | 0;
      if (BYTE_TO_UNIT[b] !== v || (b === 0 && Object.is(v, -0))) return undefined;
      out[dst++] = b;
    }
    vec.set(values.subarray(end, end + vecDim), r * vecDim);
  }
  out.set(new Uint8Array(vec.buffer), dst);
  return out;
}

/** Pixel-row bytes -> PixelRows (copies: the pixels' bytes, and the vector features as float32). */
function unpackPixels(bytes: Buffer, n: number, rowDim: number, imageDim: number): PixelRows {
  const rows = n / rowDim;
  const vec = new Float32Array(rows * (rowDim - imageDim));
  new Uint8Array(vec.buffer).set(bytes.subarray(rows * imageDim));
  return { rowDim, imageDim, pixels: Uint8Array.from(bytes.subarray(0, rows * imageDim)), vec };
}

/** Header fields plus named arrays -> one frame (pixel rows that are not all byte / 255 go as float32). */
export function encodeFrame(header: Record<string, unknown>, arrays: Array<[string, FrameArray]>): Buffer {
  const layout: Array<readonly [string, string, number, ...number[]]> = [];
  const data: Buffer[] = [];
  for (const [name, a] of arrays) {
    if (!ArrayBuffer.isView(a)) {
      const packed = packPixels(a);
      if (packed) {
        layout.push([name, 'px', a.values.length, a.rowDim, a.imageDim]);
        data.push(packed);
        continue;
      }
    }
    const t = ArrayBuffer.isView(a) ? a : a.values;
    layout.push([name, kindOf(t), t.length]);
    data.push(Buffer.from(t.buffer, t.byteOffset, t.byteLength));
  }
  const json = Buffer.from(JSON.stringify({ ...header, $arrays: layout }), 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32LE(json.length, 0);
  return Buffer.concat([head, json, ...data]);
}

const isCount = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0;

/** One layout entry of a frame -> its byte length and decoder, or undefined when it is not one. */
function arrayOf(entry: unknown): { name: string; bytes: number; decode: (b: Buffer) => Typed | PixelRows } | undefined {
  if (!Array.isArray(entry)) return undefined;
  const [name, kind, n, rowDim, imageDim] = entry as unknown[];
  if (typeof name !== 'string' || typeof kind !== 'string' || !isCount(n)) return undefined;
  if (kind === 'px') {
    if (entry.length !== 5 || !isCount(rowDim) || !isCount(imageDim) || imageDim < 1 || imageDim > rowDim || n % rowDim !== 0) return undefined;
    const rows = n / rowDim;
    return { name, bytes: rows * imageDim + rows * (rowDim - imageDim) * 4, decode: (b) => unpackPixels(b, n, rowDim, imageDim) };
  }
  if (entry.length !== 3 || !(kind in KINDS)) return undefined;
  const Ctor = KINDS[kind as Kind];
  return {
    name,
    bytes: n * Ctor.BYTES_PER_ELEMENT,
    decode: (b) => {
      const out = new Ctor(n);
      new Uint8Array(out.buffer).set(b);
      return out;
    },
  };
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
      const a = arrayOf(entry);
      if (!a || at + a.bytes > buf.length) return undefined;
      setPath(header, a.name, a.decode(buf.subarray(at, at + a.bytes)));
      at += a.bytes;
    }
    return at === buf.length ? joinNext(header) : undefined;
  } catch {
    return undefined;
  }
}

/** "actor.3" puts the array at index 3 of header.actor; plain names are fields. */
function setPath(header: Record<string, unknown>, name: string, value: Typed | PixelRows): void {
  const dot = name.indexOf('.');
  if (dot < 0) {
    header[name] = value;
    return;
  }
  const key = name.slice(0, dot);
  const list = (Array.isArray(header[key]) ? header[key] : (header[key] = [])) as Array<Typed | PixelRows>;
  list[Number(name.slice(dot + 1))] = value;
}

/** Rows i of `a` and j of `b` hold the same bits (so -0 differs from 0, and NaN payloads count). */
function sameRow(a: Uint32Array, i: number, b: Uint32Array, j: number, dim: number): boolean {
  const ai = i * dim;
  const bj = j * dim;
  for (let k = 0; k < dim; k++) if (a[ai + k] !== b[bj + k]) return false;
  return true;
}

/** For each next row, the later obs row of the same env it equals bit for bit, or -1; undefined when none does. */
function nextSources(b: FloatTransitionBatch): Int32Array | undefined {
  const { count: n, obsDim: d, env } = b;
  const obs = new Uint32Array(b.obs.buffer, b.obs.byteOffset, b.obs.length);
  const next = new Uint32Array(b.next.buffer, b.next.byteOffset, b.next.length);
  const from = new Int32Array(n).fill(-1);
  const later = new Map<number, number>(); // env -> its next transition's row, scanning backwards
  let found = 0;
  for (let i = n - 1; i >= 0; i--) {
    const j = later.get(env[i]!);
    if (j !== undefined && sameRow(next, i, obs, j, d)) {
      from[i] = j;
      found++;
    }
    later.set(env[i]!, i);
  }
  return found > 0 ? from : undefined;
}

/** A batch as one frame; `imageDim` > 0: its observations start with that many camera pixels (byte / 255), sent as bytes. */
export function encodeBatch(b: FloatTransitionBatch, imageDim = 0): Buffer {
  const { env, obs, actions, rewards, next, flags, ...header } = b;
  const rows = (values: Float32Array): FrameArray => (imageDim > 0 && imageDim <= b.obsDim ? { values, rowDim: b.obsDim, imageDim } : values);
  const from = b.count * b.obsDim === next.length ? nextSources(b) : undefined;
  let nextArrays: Array<[string, FrameArray]> = [['next', rows(next)]];
  if (from) {
    const d = b.obsDim;
    const rest = new Float32Array(from.reduce((k, j) => k + (j < 0 ? 1 : 0), 0) * d);
    let r = 0;
    for (let i = 0; i < from.length; i++) if (from[i]! < 0) rest.set(next.subarray(i * d, (i + 1) * d), d * r++);
    nextArrays = [
      ['nextFrom', from],
      ['nextRest', rows(rest)],
    ];
  }
  return encodeFrame(header, [['env', env], ['obs', rows(obs)], ['actions', actions], ['rewards', rewards], ...nextArrays, ['flags', flags]]);
}

const isPixelRows = (v: unknown): v is PixelRows => typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && 'pixels' in v;

/**
 * Rebuilds a batch's `next` from `nextFrom` and `nextRest` (see the file comment), as pixel
 * rows when both came as pixel rows of one shape, else as float32; undefined when they do not fit.
 */
function joinNext(header: Record<string, unknown>): Record<string, unknown> | undefined {
  const { nextFrom: from, nextRest: rest, obs, obsDim: d } = header;
  if (from === undefined && rest === undefined) return header;
  if (!(from instanceof Int32Array) || !isCount(d) || d < 1) return undefined;
  const n = from.length;
  let next: Float32Array | PixelRows;
  if (isPixelRows(obs) && isPixelRows(rest) && obs.rowDim === d && rest.rowDim === d && obs.imageDim === rest.imageDim) {
    const k = obs.imageDim;
    if (obs.pixels.length !== n * k) return undefined;
    const joined = joinRows(from, k, obs.pixels, rest.pixels, new Uint8Array(n * k));
    const vecs = joinRows(from, d - k, obs.vec, rest.vec, new Float32Array(n * (d - k)));
    if (!joined || !vecs) return undefined;
    next = { rowDim: d, imageDim: k, pixels: joined, vec: vecs };
  } else {
    const o = isPixelRows(obs) ? rowsAsFloats(obs) : obs;
    const r = isPixelRows(rest) ? rowsAsFloats(rest) : rest;
    if (!(o instanceof Float32Array) || !(r instanceof Float32Array) || o.length !== n * d) return undefined;
    const joined = joinRows(from, d, o, r, new Float32Array(n * d));
    if (!joined) return undefined;
    next = joined;
  }
  delete header.nextFrom;
  delete header.nextRest;
  header.next = next;
  return header;
}

/** out row i = row from[i] of `obs`, or (from[i] < 0) the next unused row of `rest`, rows of `dim` values; undefined when they do not fit. */
function joinRows<T extends Float32Array | Uint8Array>(from: Int32Array, dim: number, obs: T, rest: T, out: T): T | undefined {
  const n = from.length;
  let r = 0;
  for (let i = 0; i < n; i++) {
    const j = from[i]!;
    if (j >= 0) {
      if (j >= n) return undefined;
      out.set(obs.subarray(j * dim, (j + 1) * dim), i * dim);
    } else {
      if ((r + 1) * dim > rest.length) return undefined;
      out.set(rest.subarray(r * dim, (r + 1) * dim), i * dim);
      r++;
    }
  }
  return r * dim === rest.length ? out : undefined;
}

export function encodeWeights(w: ActorWeights): Buffer {
  const { actor, encoder, ...header } = w;
  return encodeFrame(header, [
    ...actor.map((a, i) => [`actor.${i}`, a] as [string, Typed]),
    ...(encoder ?? []).map((a, i) => [`encoder.${i}`, a] as [string, Typed]),
  ]);
}

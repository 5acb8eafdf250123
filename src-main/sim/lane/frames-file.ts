/**
 * The on-disk format of camera frames (VAE training data): a frame set is two files side by side,
 *
 *   NAME.frames.bin    the frames, back to back, no header: each is height * width * 3 bytes,
 *                      RGB, row-major from the top-left (HWC), exactly what LaneEnv.frame() returns;
 *                      frame i starts at byte i * frameBytes.
 *   NAME.frames.json   the manifest (FramesManifest below): format "drive-lab-frames", version 1,
 *                      width, height, channels (3), frameBytes, count, dataFile, sources (frames per
 *                      source: "random", "zero", "keeper", "manual", ...), and segments (runs of
 *                      consecutive frames from one source, with free-form info such as the road
 *                      seed and the policy), createdAt / updatedAt, and free-form meta (camera).
 *
 * Only the first `count` frames of the .bin are part of the set: the manifest is the commit
 * record. Appends are crash-safe: frames are written past the committed end and fsynced, then the
 * manifest is replaced atomically (temp file + fsync + rename). A process killed at any moment
 * leaves the previous manifest and a .bin that may be longer than it says; opening the set for
 * appending again cuts the uncommitted tail, and readers never look past `count`.
 *
 * 64x64 frames are 12,288 bytes each: 5,000 frames are 61 MB.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readdirSync, readFileSync, readSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../../core/durable-write.js';

export const FRAMES_FORMAT = 'drive-lab-frames' as const;
export const FRAMES_VERSION = 1;
/** Suffixes of the two files of a frame set. */
export const FRAMES_MANIFEST_SUFFIX = '.frames.json';
export const FRAMES_DATA_SUFFIX = '.frames.bin';

export const FrameSegment = z.object({
  /** Where the frames came from: "random", "zero", "keeper" (noisy lane keeper), "manual", ... */
  source: z.string().min(1).max(64),
  /** First frame index and number of frames of the segment. */
  start: z.number().int().min(0),
  count: z.number().int().min(1),
  /** Free-form details, e.g. {roadSeed, policySeed, every}. */
  info: z.record(z.string(), z.unknown()).optional(),
});
export type FrameSegment = z.infer<typeof FrameSegment>;

export const FramesManifest = z.object({
  format: z.literal(FRAMES_FORMAT),
  version: z.literal(FRAMES_VERSION),
  width: z.number().int().min(1).max(4096),
  height: z.number().int().min(1).max(4096),
  channels: z.literal(3),
  layout: z.literal('HWC'),
  channelOrder: z.literal('RGB'),
  frameBytes: z.number().int().min(1),
  /** Committed frames: the first count * frameBytes bytes of dataFile. */
  count: z.number().int().min(0),
  /** Data file name, in the manifest's folder. */
  dataFile: z.string().regex(/^[A-Za-z0-9._-]+$/),
  /** Frames per source (sums the segments). */
  sources: z.record(z.string(), z.number().int().min(0)),
  segments: z.array(FrameSegment),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Free-form: camera config, env options, who wrote the set. */
  meta: z.record(z.string(), z.unknown()).default({}),
});
export type FramesManifest = z.infer<typeof FramesManifest>;

/** The two paths of a frame set named by its manifest path, or by NAME (without suffix). */
export function framesPaths(path: string): { manifest: string; data: string } {
  const stem = path.endsWith(FRAMES_MANIFEST_SUFFIX)
    ? path.slice(0, -FRAMES_MANIFEST_SUFFIX.length)
    : path.endsWith(FRAMES_DATA_SUFFIX)
      ? path.slice(0, -FRAMES_DATA_SUFFIX.length)
      : path;
  return { manifest: stem + FRAMES_MANIFEST_SUFFIX, data: stem + FRAMES_DATA_SUFFIX };
}

/** Reads and checks a manifest; throws a one-line reason. */
export function readFramesManifest(path: string): FramesManifest {
  const { manifest } = framesPaths(path);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch (e) {
    throw new Error(`${manifest}: cannot read the frames manifest (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
  const parsed = FramesManifest.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `${manifest}: not a ${FRAMES_FORMAT} v${FRAMES_VERSION} manifest (${parsed.error.issues
        .slice(0, 2)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')})`,
    );
  const m = parsed.data;
  if (m.frameBytes !== m.width * m.height * 3) throw new Error(`${manifest}: frameBytes ${m.frameBytes} is not width * height * 3 = ${m.width * m.height * 3}`);
  let covered = 0;
  for (const s of m.segments) {
    if (s.start !== covered) throw new Error(`${manifest}: segments must be consecutive (segment at ${s.start}, expected ${covered})`);
    covered += s.count;
  }
  if (covered !== m.count) throw new Error(`${manifest}: segments cover ${covered} frames, count says ${m.count}`);
  return m;
}

/** Manifest paths of the frame sets in a folder (sorted by name); [] if the folder is missing. */
export function listFrameSets(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith(FRAMES_MANIFEST_SUFFIX))
    .sort()
    .map((n) => join(dir, n));
}

function sourcesOf(segments: readonly FrameSegment[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of segments) out[s.source] = (out[s.source] ?? 0) + s.count;
  return out;
}

/** Appends frames to a frame set (creating it if needed), crash-safely. One writer per set. */
export class FramesWriter {
  private manifest: FramesManifest;
  private fd: number;
  private readonly manifestPath: string;

  private constructor(manifestPath: string, manifest: FramesManifest, fd: number) {
    this.manifestPath = manifestPath;
    this.manifest = manifest;
    this.fd = fd;
  }

  /**
   * Opens the set at `path` for appending: creates it (width x height frames) when it does not
   * exist, else checks the size matches and cuts any uncommitted tail left by a crash.
   */
  static open(path: string, size: { width: number; height: number }, meta: Record<string, unknown> = {}): FramesWriter {
    const { manifest: mpath, data } = framesPaths(path);
    if (existsSync(mpath)) {
      const m = readFramesManifest(mpath);
      if (m.width !== size.width || m.height !== size.height) throw new Error(`${mpath} holds ${m.width}x${m.height} frames, not ${size.width}x${size.height}`);
      const dataPath = join(dirname(mpath), m.dataFile);
      const fd = openSync(dataPath, existsSync(dataPath) ? 'r+' : 'w+');
      const have = fstatSync(fd).size;
      const committed = m.count * m.frameBytes;
      if (have < committed) {
        closeSync(fd);
        throw new Error(`${dataPath} has ${have} bytes, fewer than the ${committed} its manifest commits (${m.count} frames): the set is damaged`);
      }
      if (have > committed) {
        ftruncateSync(fd, committed);
        fsyncSync(fd);
      }
      return new FramesWriter(mpath, m, fd);
    }
    const now = new Date().toISOString();
    const manifest: FramesManifest = {
      format: FRAMES_FORMAT,
      version: FRAMES_VERSION,
      width: size.width,
      height: size.height,
      channels: 3,
      layout: 'HWC',
      channelOrder: 'RGB',
      frameBytes: size.width * size.height * 3,
      count: 0,
      dataFile: basename(data),
      sources: {},
      segments: [],
      createdAt: now,
      updatedAt: now,
      meta,
    };
    const fd = openSync(data, 'w+');
    fsyncSync(fd);
    writeJsonAtomic(mpath, manifest);
    return new FramesWriter(mpath, manifest, fd);
  }

  get count(): number {
    return this.manifest.count;
  }

  get path(): string {
    return this.manifestPath;
  }

  /** A copy of the committed manifest. */
  current(): FramesManifest {
    return structuredClone(this.manifest);
  }

  /**
   * Appends `frames` (a whole number of frames, back to back) as one segment from `source`, and
   * commits it: data fsynced, then the manifest replaced atomically. Returns the new count.
   */
  append(frames: Uint8Array, source: string, info?: Record<string, unknown>): number {
    if (this.fd < 0) throw new Error('FramesWriter is closed');
    const fb = this.manifest.frameBytes;
    if (frames.length === 0) return this.manifest.count;
    if (frames.length % fb !== 0)
      throw new Error(`append: ${frames.length} bytes is not a whole number of ${this.manifest.width}x${this.manifest.height} RGB frames (${fb} bytes each)`);
    const n = frames.length / fb;
    let off = 0;
    const base = this.manifest.count * fb;
    while (off < frames.length) off += writeSync(this.fd, frames, off, frames.length - off, base + off);
    fsyncSync(this.fd);
    const segment: FrameSegment = { source, start: this.manifest.count, count: n, ...(info ? { info } : {}) };
    const segments = [...this.manifest.segments, segment];
    const next: FramesManifest = {
      ...this.manifest,
      count: this.manifest.count + n,
      segments,
      sources: sourcesOf(segments),
      updatedAt: new Date().toISOString(),
    };
    writeJsonAtomic(this.manifestPath, next);
    this.manifest = next;
    return next.count;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** Reads committed frames of a set. */
export class FramesReader {
  readonly manifest: FramesManifest;
  readonly dataPath: string;
  private fd: number;

  constructor(path: string) {
    this.manifest = readFramesManifest(path);
    const { manifest } = framesPaths(path);
    this.dataPath = join(dirname(manifest), this.manifest.dataFile);
    this.fd = openSync(this.dataPath, 'r');
    const have = fstatSync(this.fd).size;
    if (have < this.manifest.count * this.manifest.frameBytes) {
      closeSync(this.fd);
      throw new Error(`${this.dataPath} has ${have} bytes, fewer than the ${this.manifest.count} committed frames need: the set is damaged`);
    }
  }

  get count(): number {
    return this.manifest.count;
  }
  get width(): number {
    return this.manifest.width;
  }
  get height(): number {
    return this.manifest.height;
  }
  get frameBytes(): number {
    return this.manifest.frameBytes;
  }

  /** Frames [start, start + n) back to back, into `out` (allocated when absent). */
  read(start: number, n: number, out?: Uint8Array): Uint8Array {
    if (!Number.isInteger(start) || !Number.isInteger(n) || start < 0 || n < 0 || start + n > this.count)
      throw new Error(`frames ${start}..${start + n - 1} are outside 0..${this.count - 1}`);
    const fb = this.manifest.frameBytes;
    const buf = out ?? new Uint8Array(n * fb);
    if (buf.length < n * fb) throw new Error('read: output buffer too small');
    let off = 0;
    while (off < n * fb) {
      const got = readSync(this.fd, buf, off, n * fb - off, start * fb + off);
      if (got <= 0) throw new Error(`${this.dataPath}: unexpected end of file`);
      off += got;
    }
    return buf;
  }

  /** One frame (a view of a fresh array). */
  frame(i: number): Uint8Array {
    return this.read(i, 1);
  }

  /** Every committed frame in one array. */
  readAll(): Uint8Array {
    return this.read(0, this.count);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** Bytes on disk of a set's committed frames and its manifest. */
export function frameSetBytes(m: FramesManifest): number {
  return m.count * m.frameBytes;
}

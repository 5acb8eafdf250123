/**
 * Camera frames recorded while the user drives a lane run by hand, for pretraining a VAE on
 * driver-view images (Kendall et al. pretrain theirs on camera images). One folder per drive:
 *
 *   <run>/frames/manual-<YYYYMMDD-HHMMSS>/
 *     manifest.json  {format: "drive-lab-frames", version: 1, width, height, channels: 3,
 *                     layout: "HWC", dtype: "uint8", colorSpace: "sRGB", bytesPerFrame, count,
 *                     labelColumns, source: "manual", env (the lane env config), createdAt, updatedAt}
 *     frames.rgb     `count` frames back to back, each width * height * 3 bytes: RGB, one byte per
 *                    channel, rows from the top of the image, exactly what LaneEnv.frame() returns
 *                    (and what the pixels observation holds, times 1/255)
 *     labels.f32     `count` rows of labelColumns.length little-endian float32: what happened at
 *                    that frame (the user's steering and throttle in [-1, 1], speed m/s, lane
 *                    offset m (+ left), heading error rad, position along the road s m, road seed)
 *
 * Crash safety: each frame and its label row are appended with one write each; manifest.json is
 * replaced atomically every MANIFEST_EVERY frames and when the drive ends. A reader uses the
 * smallest of manifest.count, the whole frames in frames.rgb and the whole rows in labels.f32
 * (readFramesDataset below), so a drive cut short by a crash loses at most its torn last frame.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readJson, writeJsonAtomic } from '../../store/atomic.js';

export const FRAMES_DIR = 'frames';
export const FRAMES_FORMAT = 'drive-lab-frames';
export const FRAMES_MANIFEST = 'manifest.json';
export const FRAMES_DATA = 'frames.rgb';
export const FRAMES_LABELS = 'labels.f32';
export const FRAME_LABEL_COLUMNS = ['steer', 'throttle', 'speed', 'offset', 'headingError', 's', 'roadSeed'] as const;
/** The manifest is rewritten every this many frames (one second at 20 Hz). */
export const MANIFEST_EVERY = 20;

export const FramesManifest = z.object({
  format: z.literal(FRAMES_FORMAT),
  version: z.literal(1),
  width: z.number().int().min(1),
  height: z.number().int().min(1),
  channels: z.literal(3),
  layout: z.literal('HWC'),
  dtype: z.literal('uint8'),
  colorSpace: z.literal('sRGB'),
  bytesPerFrame: z.number().int().min(1),
  count: z.number().int().min(0),
  labelColumns: z.array(z.string()),
  source: z.string(),
  env: z.unknown(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type FramesManifest = z.infer<typeof FramesManifest>;

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

/** Appends frames of one drive; `dir` is relative to the run folder. */
export class FramesWriter {
  readonly dir: string;
  readonly relDir: string;
  private readonly manifest: FramesManifest;
  private framesFd: number;
  private labelsFd: number;
  private readonly label = Buffer.alloc(4 * FRAME_LABEL_COLUMNS.length);

  constructor(runDir: string, opts: { width: number; height: number; env: unknown; source?: string }) {
    const now = new Date();
    let rel = join(FRAMES_DIR, `manual-${stamp(now)}`);
    for (let i = 2; existsSync(join(runDir, rel)); i++) rel = join(FRAMES_DIR, `manual-${stamp(now)}-${i}`);
    this.relDir = rel;
    this.dir = join(runDir, rel);
    mkdirSync(this.dir, { recursive: true });
    this.manifest = {
      format: FRAMES_FORMAT,
      version: 1,
      width: opts.width,
      height: opts.height,
      channels: 3,
      layout: 'HWC',
      dtype: 'uint8',
      colorSpace: 'sRGB',
      bytesPerFrame: opts.width * opts.height * 3,
      count: 0,
      labelColumns: [...FRAME_LABEL_COLUMNS],
      source: opts.source ?? 'manual',
      env: opts.env,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    this.framesFd = openSync(join(this.dir, FRAMES_DATA), 'a');
    this.labelsFd = openSync(join(this.dir, FRAMES_LABELS), 'a');
    this.writeManifest();
  }

  get count(): number {
    return this.manifest.count;
  }

  /** Appends one frame (width * height * 3 bytes) and its labels (FRAME_LABEL_COLUMNS order). */
  append(rgb: Uint8Array, labels: readonly number[]): void {
    if (rgb.length !== this.manifest.bytesPerFrame) throw new Error(`frame has ${rgb.length} bytes, expected ${this.manifest.bytesPerFrame}`);
    let off = 0;
    while (off < rgb.length) off += writeSync(this.framesFd, rgb, off, rgb.length - off);
    for (let i = 0; i < FRAME_LABEL_COLUMNS.length; i++) this.label.writeFloatLE(labels[i] ?? 0, 4 * i);
    writeSync(this.labelsFd, this.label);
    this.manifest.count++;
    if (this.manifest.count % MANIFEST_EVERY === 0) this.writeManifest();
  }

  private writeManifest(): void {
    this.manifest.updatedAt = new Date().toISOString();
    writeJsonAtomic(join(this.dir, FRAMES_MANIFEST), this.manifest);
  }

  close(): void {
    if (this.framesFd < 0) return;
    closeSync(this.framesFd);
    closeSync(this.labelsFd);
    this.framesFd = this.labelsFd = -1;
    this.writeManifest();
  }
}

export interface FramesDataset {
  manifest: FramesManifest;
  /** Usable frames (see the file comment). */
  count: number;
  /** Frame i as width * height * 3 bytes. */
  frame(i: number): Uint8Array;
  /** Labels of frame i, FRAME_LABEL_COLUMNS order. */
  labels(i: number): Float32Array;
}

/** Opens a recorded drive for reading (e.g. to pretrain a VAE). */
export function readFramesDataset(dir: string): FramesDataset {
  const manifest = FramesManifest.parse(readJson(join(dir, FRAMES_MANIFEST)));
  const framesPath = join(dir, FRAMES_DATA);
  const labelsPath = join(dir, FRAMES_LABELS);
  const cols = manifest.labelColumns.length;
  const count = Math.min(manifest.count, Math.floor(statSync(framesPath).size / manifest.bytesPerFrame), Math.floor(statSync(labelsPath).size / (4 * cols)));
  const labelBytes = readFileSync(labelsPath);
  return {
    manifest,
    count,
    frame(i) {
      if (!(i >= 0 && i < count)) throw new RangeError(`frame ${i} is outside 0..${count - 1}`);
      const buf = Buffer.alloc(manifest.bytesPerFrame);
      const fd = openSync(framesPath, 'r');
      try {
        readSync(fd, buf, 0, buf.length, i * manifest.bytesPerFrame);
      } finally {
        closeSync(fd);
      }
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
    },
    labels(i) {
      if (!(i >= 0 && i < count)) throw new RangeError(`frame ${i} is outside 0..${count - 1}`);
      const out = new Float32Array(cols);
      for (let k = 0; k < cols; k++) out[k] = labelBytes.readFloatLE(4 * (i * cols + k));
      return out;
    },
  };
}

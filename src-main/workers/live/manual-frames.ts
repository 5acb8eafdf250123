/**
 * Camera frames of a drive by hand (manual takeover), recorded for VAE pretraining in the one
 * shared frame-set format (sim/lane/frames-file.ts), one set per drive:
 *
 *   <run>/frames/manual-<YYYYMMDD-HHMMSS>.frames.bin / .frames.json   the frames (source "manual";
 *                       one segment per ~MANUAL_SEGMENT_FRAMES frames, never spanning two roads,
 *                       info {roadSeed, drive})
 *   <run>/frames/manual-<YYYYMMDD-HHMMSS>.labels.f32                  a side file: one row of
 *                       MANUAL_LABEL_COLUMNS little-endian float32 per frame (what the user did and
 *                       where the car was), named in the manifest's meta {labelsFile, labelColumns}
 *
 * Crash safety: each segment's label rows are written (and fsynced) before the frames are
 * committed, so the side file always holds at least `count` rows; readers use the first `count`
 * (readManualLabels). A crash loses at most the uncommitted segment (~1 s of driving at 20 Hz).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { FramesWriter, framesPaths, readFramesManifest, type FramesManifest } from '../../sim/lane/frames-file.js';

export const MANUAL_FRAMES_DIR = 'frames';
/** Frames per committed segment (one second of driving at the lane env's 20 Hz). */
export const MANUAL_SEGMENT_FRAMES = 20;
export const MANUAL_LABELS_SUFFIX = '.labels.f32';
/** Label columns: the user's steering and throttle in [-1, 1] (NaN without a throttle action), speed m/s, lane offset m (+ left), heading error rad, position along the road m, road seed. */
export const MANUAL_LABEL_COLUMNS = ['steer', 'throttle', 'speed', 'offset', 'headingError', 's', 'roadSeed'] as const;

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

/** Records one drive's frames and labels. */
export class ManualFramesRecorder {
  /** Manifest path relative to the run folder (frames/manual-<time>.frames.json). */
  readonly relPath: string;
  private readonly writer: FramesWriter;
  private labelsFd: number;
  private readonly frameBytes: number;
  private readonly chunk: Uint8Array;
  private readonly labels: Float32Array;
  private n = 0;
  private chunkSeed = Number.NaN;
  private readonly drive: string;

  constructor(runDir: string, opts: { width: number; height: number; env: unknown }) {
    const dir = join(runDir, MANUAL_FRAMES_DIR);
    mkdirSync(dir, { recursive: true });
    const now = new Date();
    let name = `manual-${stamp(now)}`;
    for (let i = 2; existsSync(framesPaths(join(dir, name)).manifest); i++) name = `manual-${stamp(now)}-${i}`;
    this.drive = name;
    const labelsFile = name + MANUAL_LABELS_SUFFIX;
    this.labelsFd = openSync(join(dir, labelsFile), 'w');
    this.writer = FramesWriter.open(
      join(dir, name),
      { width: opts.width, height: opts.height },
      { source: 'manual', labelsFile, labelColumns: [...MANUAL_LABEL_COLUMNS], env: opts.env, writer: 'drive-lab manual takeover' },
    );
    this.relPath = relative(runDir, this.writer.path);
    this.frameBytes = opts.width * opts.height * 3;
    this.chunk = new Uint8Array(MANUAL_SEGMENT_FRAMES * this.frameBytes);
    this.labels = new Float32Array(MANUAL_SEGMENT_FRAMES * MANUAL_LABEL_COLUMNS.length);
  }

  /** Frames recorded (committed and pending). */
  get count(): number {
    return this.writer.count + this.n;
  }

  /** Adds one frame (width * height * 3 bytes) and its labels (MANUAL_LABEL_COLUMNS order). */
  add(rgb: Uint8Array, labels: readonly number[]): void {
    if (rgb.length !== this.frameBytes) throw new Error(`frame has ${rgb.length} bytes, expected ${this.frameBytes}`);
    const seed = labels[MANUAL_LABEL_COLUMNS.length - 1] ?? Number.NaN;
    if (this.n > 0 && seed !== this.chunkSeed) this.flush();
    if (this.n === 0) this.chunkSeed = seed;
    this.chunk.set(rgb, this.n * this.frameBytes);
    const cols = MANUAL_LABEL_COLUMNS.length;
    for (let k = 0; k < cols; k++) this.labels[this.n * cols + k] = labels[k] ?? Number.NaN;
    this.n++;
    if (this.n === MANUAL_SEGMENT_FRAMES) this.flush();
  }

  /** Commits the pending frames as one "manual" segment (labels first). */
  flush(): void {
    if (this.n === 0 || this.labelsFd < 0) return;
    const bytes = new Uint8Array(this.labels.buffer, 0, this.n * MANUAL_LABEL_COLUMNS.length * 4);
    let off = 0;
    while (off < bytes.length) off += writeSync(this.labelsFd, bytes, off, bytes.length - off);
    fsyncSync(this.labelsFd);
    this.writer.append(this.chunk.subarray(0, this.n * this.frameBytes), 'manual', {
      drive: this.drive,
      ...(Number.isFinite(this.chunkSeed) ? { roadSeed: this.chunkSeed } : {}),
    });
    this.n = 0;
  }

  close(): void {
    if (this.labelsFd < 0) return;
    try {
      this.flush();
    } finally {
      closeSync(this.labelsFd);
      this.labelsFd = -1;
      this.writer.close();
    }
  }
}

/** The label rows of a manual frame set's committed frames (count x labelColumns), with the column names. */
export function readManualLabels(path: string): { manifest: FramesManifest; columns: string[]; rows: Float32Array } {
  const manifest = readFramesManifest(path);
  const meta = manifest.meta as { labelsFile?: unknown; labelColumns?: unknown };
  if (typeof meta.labelsFile !== 'string' || !Array.isArray(meta.labelColumns))
    throw new Error(`${path}: not a manual-drive frame set (no labels in its meta)`);
  const columns = meta.labelColumns.map(String);
  const file = join(dirname(framesPaths(path).manifest), basename(meta.labelsFile));
  const buf = readFileSync(file);
  const need = manifest.count * columns.length * 4;
  if (buf.length < need) throw new Error(`${file} has ${buf.length} bytes, fewer than the ${need} the ${manifest.count} committed frames need`);
  const rows = new Float32Array(manifest.count * columns.length);
  for (let i = 0; i < rows.length; i++) rows[i] = buf.readFloatLE(4 * i);
  return { manifest, columns, rows };
}

/**
 * Opening an export folder: metadata.json is parsed and checked against itself, every file it
 * lists must match its sha256, and each model file must be exactly the model the metadata's
 * architecture describes (tfjs/read.ts, onnx/read.ts) before anything runs it. Then:
 *   loadExportedPolicy(dir) -> a policy function on observations (either format),
 *   importPolicy(dir)       -> actor (and encoder) spec + weights + metadata, to start a run from.
 *
 * This module and what it imports (sim-free, learner-free) are all a standalone runner needs.
 */
import { greedyActions } from '../../src-shared/policy-head.js';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describeArchitecture, type ActorSpec, type ArchitectureDesc, type EncoderSpec } from './architecture.js';
import { ExportError } from './errors.js';
import { readExportFile, sha256 } from './files.js';
import { checkMetadataConsistency, EXPORT_FORMAT, EXPORT_FORMAT_VERSION, ExportMetadata, METADATA_FILE } from './metadata.js';
import { checkOnnx, type CheckedOnnx } from './onnx/read.js';
import { ONNX_FILE, ONNX_OUTPUT } from './onnx/write.js';
import { createOnnxRunner, createTfjsRunner, type ModelRunner } from './runtime.js';
import { checkTfjs, loadCheckedTfjs, type CheckedTfjs } from './tfjs/read.js';
import { TFJS_MODEL_FILE, TFJS_WEIGHTS_FILE } from './tfjs/write.js';

export type ExportFormat = 'tfjs' | 'onnx';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['tfjs', 'onnx'];

export interface OpenedExport {
  dir: string;
  meta: ExportMetadata;
  desc: ArchitectureDesc;
  /** Formats present in the folder. */
  formats: ExportFormat[];
  tfjs?: CheckedTfjs;
  onnx?: CheckedOnnx & { bytes: Uint8Array };
}

function isPlainFileName(name: string): boolean {
  return /^[A-Za-z0-9._-]+$/.test(name) && name !== '.' && name !== '..';
}

/** Parses and checks metadata.json of a folder (no model files read). */
export function readMetadata(dir: string): { meta: ExportMetadata; desc: ArchitectureDesc } {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new ExportError('missing', `no policy export at ${dir} (folder not found)`);
  }
  if (!st.isDirectory()) throw new ExportError('missing', `no policy export at ${dir} (not a folder)`);
  const bytes = readExportFile(join(dir, METADATA_FILE), METADATA_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw new ExportError('corrupt', `${METADATA_FILE}: not valid JSON (${(e as Error).message})`);
  }
  const r = raw as { format?: unknown; formatVersion?: unknown } | null;
  if (!r || typeof r !== 'object' || r.format !== EXPORT_FORMAT)
    throw new ExportError('corrupt', `${METADATA_FILE}: not a Drive Lab policy export (format ${JSON.stringify(r?.format)})`);
  if (r.formatVersion !== EXPORT_FORMAT_VERSION)
    throw new ExportError(
      'mismatch',
      `${METADATA_FILE}: export format version ${JSON.stringify(r.formatVersion)}; this app reads version ${EXPORT_FORMAT_VERSION}`,
    );
  const parsed = ExportMetadata.safeParse(raw);
  if (!parsed.success)
    throw new ExportError(
      'corrupt',
      `${METADATA_FILE}: ${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')}`,
    );
  const meta = parsed.data;
  let desc: ArchitectureDesc;
  try {
    desc = describeArchitecture(meta.architecture);
  } catch (e) {
    throw new ExportError('mismatch', `${METADATA_FILE}: ${(e as Error).message}`);
  }
  checkMetadataConsistency(meta, desc, 'mismatch');
  const ioIn = meta.io.inputs.map((i) => `${i.name}:${i.shape.join(',')}`);
  const want = desc.inputs.map((i) => `${i.name}:batch,${i.shape.join(',')}`);
  if (JSON.stringify(ioIn) !== JSON.stringify(want))
    throw new ExportError('mismatch', `${METADATA_FILE}: io.inputs ${JSON.stringify(ioIn)} do not match the architecture's ${JSON.stringify(want)}`);
  if (meta.io.output.name !== ONNX_OUTPUT || meta.io.output.shape.join(',') !== `batch,${desc.outputDim}`)
    throw new ExportError('mismatch', `${METADATA_FILE}: io.output does not match the architecture`);
  return { meta, desc };
}

/**
 * Opens and checks an export folder. `formats` limits which model files are read and checked
 * (default: every format the metadata lists). Throws ExportError on any problem.
 */
export async function openExport(dir: string, formats?: readonly ExportFormat[]): Promise<OpenedExport> {
  const { meta, desc } = readMetadata(dir);
  const present: ExportFormat[] = EXPORT_FORMATS.filter((f) => meta.formats[f]);
  if (!present.length) throw new ExportError('mismatch', `${METADATA_FILE}: lists no model format`);
  const wanted = formats ?? present;
  for (const f of wanted) if (!present.includes(f)) throw new ExportError('missing', `this export has no ${f} model (it has ${present.join(', ')})`);
  const required: string[] = [];
  if (meta.formats.tfjs) {
    if (meta.formats.tfjs.modelFile !== TFJS_MODEL_FILE || meta.formats.tfjs.weightsFile !== TFJS_WEIGHTS_FILE)
      throw new ExportError('mismatch', `${METADATA_FILE}: TF.js files must be ${TFJS_MODEL_FILE} and ${TFJS_WEIGHTS_FILE}`);
    required.push(TFJS_MODEL_FILE, TFJS_WEIGHTS_FILE);
  }
  if (meta.formats.onnx) {
    if (meta.formats.onnx.file !== ONNX_FILE) throw new ExportError('mismatch', `${METADATA_FILE}: the ONNX file must be ${ONNX_FILE}`);
    required.push(ONNX_FILE);
  }
  for (const f of required) if (!(f in meta.files)) throw new ExportError('mismatch', `${METADATA_FILE}: ${f} has no sha256 in "files"`);
  // Every listed file must be there, unchanged.
  const contents = new Map<string, Uint8Array>();
  for (const [name, hash] of Object.entries(meta.files)) {
    if (!isPlainFileName(name) || name === METADATA_FILE)
      throw new ExportError('mismatch', `${METADATA_FILE}: bad file name in "files": ${JSON.stringify(name)}`);
    const bytes = readExportFile(join(dir, name), name);
    const got = sha256(bytes);
    if (got !== hash)
      throw new ExportError(
        'corrupt',
        `${name}: sha256 ${got.slice(0, 12)}... differs from metadata.json's ${hash.slice(0, 12)}... (the file was changed, truncated or corrupted after export)`,
      );
    contents.set(name, bytes);
  }
  const opened: OpenedExport = { dir, meta, desc, formats: present };
  if (wanted.includes('tfjs')) opened.tfjs = await checkTfjs(desc, contents.get(TFJS_MODEL_FILE)!, contents.get(TFJS_WEIGHTS_FILE)!);
  if (wanted.includes('onnx')) {
    const bytes = contents.get(ONNX_FILE)!;
    opened.onnx = { ...checkOnnx(desc, bytes), bytes };
  }
  if (opened.tfjs && opened.onnx) {
    const a = opened.tfjs.weights;
    const b = opened.onnx.weights;
    for (let i = 0; i < a.length; i++) {
      if (!Buffer.from(a[i]!.buffer, a[i]!.byteOffset, a[i]!.byteLength).equals(Buffer.from(b[i]!.buffer, b[i]!.byteOffset, b[i]!.byteLength))) {
        const p = desc.params[i]!;
        throw new ExportError('mismatch', `${TFJS_WEIGHTS_FILE} and ${ONNX_FILE} hold different values for ${p.layer}/${p.role}`);
      }
    }
  }
  return opened;
}

/**
 * Opens an export for use with every check `policy check` makes: all model files the metadata
 * lists are read and checked against the architecture, and against each other (the same
 * weights in TF.js and ONNX), not only the one that will run. A weight file edited after export
 * (even with its sha256 updated) is refused whichever format is asked for, when the other
 * format is there to compare with. (The hashes catch accidents, not tampering.)
 */
async function openVerified(dir: string, format: ExportFormat): Promise<OpenedExport> {
  const opened = await openExport(dir);
  if (!opened.formats.includes(format)) throw new ExportError('missing', `this export has no ${format} model (it has ${opened.formats.join(', ')})`);
  return opened;
}

/** One observation: the env's vector, or a camera image (NHWC, [0, 1]) with extra features. */
export type PolicyObservation = Float32Array | { image: Float32Array; extra?: Float32Array };

export interface ExportedPolicy {
  readonly meta: ExportMetadata;
  readonly format: ExportFormat;
  readonly actionDim: number;
  /** The deterministic action in [-1, 1]^actionDim for one observation. */
  act(obs: PolicyObservation): Promise<Float32Array>;
  /** Actions for a batch: one flat batch-major array per graph input (obs, or image + extra). */
  actBatch(inputs: readonly Float32Array[], batch: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export interface LoadOptions {
  /** Which model file to run; auto prefers ONNX (faster per call) and falls back to TF.js. */
  format?: ExportFormat | 'auto';
}

/** Opens, checks and loads an export as a policy function. Throws ExportError on a bad export. */
export async function loadExportedPolicy(dir: string, options: LoadOptions = {}): Promise<ExportedPolicy> {
  const { meta } = readMetadata(dir);
  const want = options.format ?? 'auto';
  const format: ExportFormat = want === 'auto' ? (meta.formats.onnx ? 'onnx' : 'tfjs') : want;
  const opened = await openVerified(dir, format);
  const desc = opened.desc;
  const runner: ModelRunner =
    format === 'onnx' ? await createOnnxRunner(desc, opened.onnx!.bytes) : createTfjsRunner(desc, await loadCheckedTfjs(opened.tfjs!));
  const sizes = desc.inputs.map((i) => i.shape.reduce((a, b) => a * b, 1));
  const check = (inputs: readonly Float32Array[], batch: number) => {
    if (!Number.isInteger(batch) || batch < 1) throw new ExportError('bad-input', `batch must be a positive integer (got ${batch})`);
    if (inputs.length !== sizes.length)
      throw new ExportError('bad-input', `the policy takes ${sizes.length} input(s) (${desc.inputs.map((i) => i.name).join(', ')}), got ${inputs.length}`);
    inputs.forEach((x, i) => {
      if (!(x instanceof Float32Array) || x.length !== batch * sizes[i]!)
        throw new ExportError('bad-input', `input "${desc.inputs[i]!.name}" needs ${batch} x ${sizes[i]} float32 values, got ${x?.length}`);
    });
  };
  let disposed = false;
  // A discrete policy's outputs are values per action: the action is the greedy index.
  const head = opened.meta.action.head;
  const toAction = (out: Float32Array, batch: number) => (head ? greedyActions(head, out, batch) : out);
  return {
    meta: opened.meta,
    format,
    actionDim: head ? 1 : desc.outputDim,
    async act(obs) {
      const inputs = obs instanceof Float32Array ? [obs] : obs.extra ? [obs.image, obs.extra] : [obs.image];
      check(inputs, 1);
      return toAction(await runner.run(inputs, 1), 1);
    },
    async actBatch(inputs, batch) {
      check(inputs, batch);
      return toAction(await runner.run(inputs, batch), batch);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await runner.dispose();
    },
  };
}

export interface ImportedPolicy {
  actor: { spec: ActorSpec; weights: Float32Array[] };
  encoder?: { spec: EncoderSpec; weights: Float32Array[] };
  meta: ExportMetadata;
  /** Which file the weights were read from. */
  from: ExportFormat;
}

/**
 * Reads an export's actor (and encoder) back as spec + weights (TF.js layouts, Mlp variable
 * order), after the same checks as loading; to start a new run from an exported policy.
 */
export async function importPolicy(dir: string, options: LoadOptions = {}): Promise<ImportedPolicy> {
  const { meta } = readMetadata(dir);
  const want = options.format ?? 'auto';
  const format: ExportFormat = want === 'auto' ? (meta.formats.tfjs ? 'tfjs' : 'onnx') : want;
  const opened = await openVerified(dir, format);
  const weights = (format === 'tfjs' ? opened.tfjs!.weights : opened.onnx!.weights).map((w) => Float32Array.from(w));
  const k = opened.desc.actorParamOffset;
  const arch = opened.desc.arch;
  return {
    actor: { spec: arch.actor, weights: weights.slice(k) },
    ...(arch.encoder ? { encoder: { spec: arch.encoder, weights: weights.slice(0, k) } } : {}),
    meta: opened.meta,
    from: format,
  };
}

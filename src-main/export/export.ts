/**
 * exportPolicy: writes a trained actor (with its camera encoder, for image observations) as a
 * folder with TF.js and/or ONNX models, metadata.json and a README, and verifies it.
 *
 * Crash safety: everything is written into a hidden temp folder beside the target, read back and
 * verified there (ONNX in onnxruntime and the TF.js LayersModel against the TF.js actor on random
 * valid inputs), and only then renamed to the target. A failed or interrupted export leaves no
 * target folder and removes its temp folder.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { publishDir, tempDirBeside, writeFileSynced } from '../core/durable-write.js';
import { APP_NAME, APP_VERSION } from '../core/version.js';
import type { Mlp } from '../ml/mlp.js';
import { checkWeights, describeArchitecture, type ActorSpec, type EncoderSpecInput } from './architecture.js';
import { ExportError } from './errors.js';
import type { PolicyHead } from '../../src-shared/policy-head.js';
import { readExportFile, sha256 } from './files.js';
import { EXPORT_FORMATS, openExport, type ExportFormat } from './load.js';
import {
  checkMetadataConsistency,
  EXPORT_FORMAT,
  EXPORT_FORMAT_VERSION,
  METADATA_FILE,
  README_FILE,
  type ActionScaling,
  type ExportMetadata,
  type ObservationSpec,
} from './metadata.js';
import { checkOnnx } from './onnx/read.js';
import { ONNX_IR_VERSION, ONNX_OPSET } from './onnx/schema.js';
import { ONNX_FILE, ONNX_OUTPUT, writeOnnx } from './onnx/write.js';
import { exportReadme } from './readme.js';
import { createOnnxRunner, createTfjsRunner, onnxRuntimeVersion, type ModelRunner } from './runtime.js';
import { checkTfjs, loadCheckedTfjs } from './tfjs/read.js';
import { TFJS_MODEL_FILE, TFJS_WEIGHTS_FILE, writeTfjs } from './tfjs/write.js';
import { compareWithReference, INPUT_SAMPLING, VERIFY_SAMPLES, VERIFY_TOLERANCE } from './verify.js';

/** An actor as spec + weights ([W0 [in, out], b0, W1, b1, ...], the Mlp's variable order). */
export interface ActorSource {
  spec: ActorSpec;
  weights: readonly Float32Array[];
}

/** A camera encoder as spec + weights (see architecture.ts EncoderSpec for the order and layouts). */
export interface EncoderSource {
  spec: EncoderSpecInput;
  weights: readonly Float32Array[];
}

/** What the export says about the policy besides its weights. */
export interface ExportMetaInput {
  envId: string;
  algo: string;
  /** The run's config (saved as is). */
  config?: unknown;
  /** The run's evaluation summary (saved as is). */
  evalSummary?: unknown;
  /** Provenance: run id, checkpoint, step... */
  source?: Record<string, unknown>;
  observation: ObservationSpec;
  /** One entry per action element: [-1, 1] -> [low, high] in `unit`. */
  actionScaling: ActionScaling[];
  /** Discrete actions: how the outputs become the action index (metadata action.head). */
  head?: PolicyHead;
  /** Extra preprocessing notes merged into metadata.preprocessing. */
  preprocessing?: Record<string, unknown>;
}

export interface PolicyExportInput {
  actor: Mlp | ActorSource;
  encoder?: EncoderSource;
  meta: ExportMetaInput;
}

export interface ExportOptions {
  formats?: readonly ExportFormat[];
  /** Replace an existing target folder (only after the new export verified). Default false. */
  overwrite?: boolean;
  /** Verification inputs (default 1000) and tolerance (default 1e-4) and the Rng seed of the inputs. */
  samples?: number;
  tolerance?: number;
  seed?: number;
  /** Progress lines ("writing onnx", "verifying"...). */
  onProgress?: (stage: string) => void;
  /** Called with the temp folder after the model files are written, before verification (tests: fault injection). */
  afterWrite?: (tmpDir: string) => void;
}

export interface ExportResult {
  dir: string;
  metadata: ExportMetadata;
  files: string[];
}

function isMlp(a: Mlp | ActorSource): a is Mlp {
  return typeof (a as Mlp).getWeights === 'function';
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toExponential(2) : String(x);
}

/** Writes, verifies and publishes a policy export at `outDir`. Throws ExportError. */
export async function exportPolicy(input: PolicyExportInput, outDir: string, options: ExportOptions = {}): Promise<ExportResult> {
  const formats = [...new Set(options.formats ?? EXPORT_FORMATS)];
  if (!formats.length) throw new ExportError('bad-input', 'choose at least one export format (tfjs, onnx)');
  for (const f of formats)
    if (!EXPORT_FORMATS.includes(f)) throw new ExportError('bad-input', `unknown export format "${f}" (use ${EXPORT_FORMATS.join(', ')})`);
  const samples = options.samples ?? VERIFY_SAMPLES;
  const tolerance = options.tolerance ?? VERIFY_TOLERANCE;
  const seed = options.seed ?? 0;
  const progress = options.onProgress ?? (() => {});

  const actorSpec: ActorSpec = isMlp(input.actor) ? { ...input.actor.spec, hidden: [...input.actor.spec.hidden] } : input.actor.spec;
  const actorWeights = isMlp(input.actor) ? input.actor.getWeights() : input.actor.weights;
  const desc = describeArchitecture({ actor: actorSpec, encoder: input.encoder?.spec });
  const weights = [...(input.encoder?.weights ?? []), ...actorWeights].map((w) => Float32Array.from(w));
  checkWeights(desc, weights, 'bad-input', 'policy weights');

  const m = input.meta;
  const n = desc.outputDim;
  const createdAt = new Date().toISOString();
  const ortVersion = formats.includes('onnx') ? await onnxRuntimeVersion() : undefined;
  const base: Omit<ExportMetadata, 'files' | 'verification'> = {
    format: EXPORT_FORMAT,
    formatVersion: EXPORT_FORMAT_VERSION,
    createdAt,
    producer: { app: APP_NAME, version: APP_VERSION, tfjs: tf.version_layers, ...(ortVersion ? { onnxruntime: ortVersion } : {}) },
    envId: m.envId,
    algo: m.algo,
    config: m.config ?? null,
    evalSummary: m.evalSummary ?? null,
    ...(m.source ? { source: m.source } : {}),
    observation: m.observation,
    action: m.head
      ? {
          dim: n,
          // Values per action are unbounded (the largest float stands for infinity in JSON).
          low: new Array<number>(n).fill(-Number.MAX_VALUE),
          high: new Array<number>(n).fill(Number.MAX_VALUE),
          scaling: m.actionScaling,
          formula:
            m.head.kind === 'q-argmax'
              ? 'action index = argmax over the outputs (Q value per action; ties: lowest index)'
              : `action index = argmax_a sum_j z_j softmax(output[a * ${m.head.atoms} .. + ${m.head.atoms}])_j, z_j = ${m.head.vMin} + j * (${m.head.vMax} - ${m.head.vMin}) / ${m.head.atoms - 1} (C51 logits, action-major)`,
          head: m.head,
        }
      : {
          dim: n,
          low: new Array<number>(n).fill(-1),
          high: new Array<number>(n).fill(1),
          scaling: m.actionScaling,
          formula: 'physical = low + (a + 1) / 2 * (high - low), a = model output in [-1, 1]',
        },
    preprocessing: {
      ...(m.observation.kind === 'vector'
        ? { observation: 'none: feed the env observation as float32, elements in the order of observation.space.names' }
        : {
            image: `${m.observation.image.height}x${m.observation.image.width}x${m.observation.image.channels} ${m.observation.image.channelOrder}, NHWC, top row first; ${m.observation.image.normalization}`,
            extra: 'feed the extra features as float32 in the order of observation.extra.names',
          }),
      ...(actorSpec.outputActivation === 'linear' && !m.head ? { action: 'the actor has a linear output: clip actions to [-1, 1] before scaling' } : {}),
      ...m.preprocessing,
    },
    architecture: desc.arch,
    io: {
      inputs: desc.inputs.map((i) => ({ name: i.name, shape: ['batch' as const, ...i.shape], dtype: 'float32' as const })),
      output: { name: ONNX_OUTPUT, shape: ['batch' as const, n], dtype: 'float32' as const },
    },
    formats: {
      ...(formats.includes('tfjs')
        ? { tfjs: { format: 'layers-model' as const, modelFile: TFJS_MODEL_FILE, weightsFile: TFJS_WEIGHTS_FILE, tfjsVersion: tf.version_layers } }
        : {}),
      ...(formats.includes('onnx')
        ? {
            onnx: {
              file: ONNX_FILE,
              irVersion: ONNX_IR_VERSION,
              opset: ONNX_OPSET,
              inputLayout: desc.arch.encoder ? 'image NHWC (transposed to NCHW inside the graph)' : 'obs [batch, dim]',
            },
          }
        : {}),
    },
  };
  checkMetadataConsistency(base, desc, 'bad-input');

  const target = resolve(outDir);
  if (existsSync(target) && !options.overwrite) throw new ExportError('bad-input', `${target} already exists (choose another folder or overwrite)`);
  if (existsSync(target) && !statSync(target).isDirectory()) throw new ExportError('bad-input', `${target} exists and is not a folder`);
  const tmp = tempDirBeside(target, 'export');
  const runners: Record<string, ModelRunner> = {};
  try {
    const files: string[] = [];
    const producer = `${APP_NAME} ${APP_VERSION}`;
    if (formats.includes('tfjs')) {
      progress('writing TF.js LayersModel');
      const t = await writeTfjs(desc, weights, producer);
      writeFileSynced(join(tmp, TFJS_MODEL_FILE), t.modelJson, { exclusive: true });
      writeFileSynced(join(tmp, TFJS_WEIGHTS_FILE), t.weightsBin, { exclusive: true });
      files.push(TFJS_MODEL_FILE, TFJS_WEIGHTS_FILE);
    }
    if (formats.includes('onnx')) {
      progress('writing ONNX');
      const bytes = writeOnnx(desc, weights, {
        producerName: APP_NAME,
        producerVersion: APP_VERSION,
        docString: `Deterministic ${m.algo} actor for ${m.envId}; output "${ONNX_OUTPUT}" in [-1, 1]. See metadata.json.`,
        metadataProps: [
          { key: 'drive_lab.env', value: m.envId },
          { key: 'drive_lab.algo', value: m.algo },
          { key: 'drive_lab.action_scaling', value: JSON.stringify(m.actionScaling) },
        ],
      });
      writeFileSynced(join(tmp, ONNX_FILE), bytes, { exclusive: true });
      files.push(ONNX_FILE);
    }
    options.afterWrite?.(tmp);

    // Verification: read the files back through the loaders' checks and run them.
    progress(`verifying on ${samples} random inputs`);
    if (formats.includes('tfjs')) {
      const checked = await checkTfjs(
        desc,
        readExportFile(join(tmp, TFJS_MODEL_FILE), TFJS_MODEL_FILE),
        readExportFile(join(tmp, TFJS_WEIGHTS_FILE), TFJS_WEIGHTS_FILE),
      );
      runners.tfjs = createTfjsRunner(desc, await loadCheckedTfjs(checked));
    }
    if (formats.includes('onnx')) {
      const bytes = readExportFile(join(tmp, ONNX_FILE), ONNX_FILE);
      checkOnnx(desc, bytes);
      runners.onnx = await createOnnxRunner(desc, bytes);
    }
    if (isMlp(input.actor) && !desc.arch.encoder) {
      // The trained actor itself (Mlp.apply, whatever kernels it uses) must agree with the reference too.
      const mlp = input.actor;
      runners.actor = {
        run: async (inputs, batch) => tf.tidy(() => Float32Array.from(mlp.apply(tf.tensor2d(inputs[0]!, [batch, desc.arch.actor.inputDim])).dataSync())),
        dispose: async () => {},
      };
    }
    const diffs = await compareWithReference(
      desc,
      weights,
      m.observation,
      runners,
      samples,
      seed,
      (done, total) => done < total && progress(`verifying: ${done}/${total} inputs`),
    );
    for (const [k, d] of Object.entries(diffs)) {
      if (!(d.maxAbsDiff < tolerance)) {
        const what =
          k === 'onnx' ? 'the ONNX model (onnxruntime)' : k === 'tfjs' ? 'the TF.js model loaded from model.json' : 'the in-memory actor (Mlp.apply)';
        throw new ExportError(
          'verification',
          `export failed verification: ${what} differs from the TF.js actor by ${fmt(d.maxAbsDiff)} (tolerance ${fmt(tolerance)}) at sample ${d.sample}, output ${d.output}: expected ${d.expected}, got ${d.got}`,
        );
      }
    }
    const maxAbsDiff = Object.fromEntries(Object.entries(diffs).map(([k, d]) => [k, d.maxAbsDiff]));
    const withoutFiles: Omit<ExportMetadata, 'files'> = { ...base, verification: { samples, seed, tolerance, maxAbsDiff, inputSampling: INPUT_SAMPLING } };
    writeFileSynced(join(tmp, README_FILE), exportReadme(withoutFiles), { exclusive: true });
    files.push(README_FILE);
    const hashes: Record<string, string> = {};
    for (const f of files) hashes[f] = sha256(readExportFile(join(tmp, f), f));
    const metadata: ExportMetadata = { ...withoutFiles, files: hashes };
    writeFileSynced(join(tmp, METADATA_FILE), JSON.stringify(metadata, null, 2) + '\n', { exclusive: true });
    // The folder as a whole must pass the loader's checks before it is published.
    await openExport(tmp);
    for (const r of Object.values(runners)) await r.dispose();
    for (const k of Object.keys(runners)) delete runners[k];

    progress('publishing');
    publishDir(tmp, target);
    return { dir: target, metadata, files: [...files, METADATA_FILE] };
  } catch (e) {
    for (const r of Object.values(runners)) await r.dispose().catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Policy export: TF.js LayersModel and ONNX, verified at export time, loadable and
 * importable, with a standalone runner. See export.ts, load.ts, runner.ts and run-source.ts.
 */
export { describeArchitecture, type ActorSpec, type EncoderSpec, type EncoderSpecInput, type PolicyArchitecture } from './architecture.js';
export { envExportInfo } from './env-info.js';
export { ExportError, type ExportErrorCode } from './errors.js';
export {
  exportPolicy,
  type ActorSource,
  type EncoderSource,
  type ExportMetaInput,
  type ExportOptions,
  type ExportResult,
  type PolicyExportInput,
} from './export.js';
export {
  importPolicy,
  loadExportedPolicy,
  openExport,
  readMetadata,
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportedPolicy,
  type ImportedPolicy,
  type PolicyObservation,
} from './load.js';
export { ExportMetadata, vectorSpace, type ActionScaling, type ObservationSpec } from './metadata.js';
export { evaluatePolicy, type EvaluationResult, type PolicyFn } from './runner.js';
export { exportRun, loadActorFromRun, parseCheckpointSelector, resolveRunDir, type ActorLoader, type CheckpointSelector, type RunActor } from './run-source.js';

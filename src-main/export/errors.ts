/**
 * Errors of the export machinery. Every refusal names the file and what is wrong with it in one
 * line, so the CLI and the app can show it as is.
 */

export type ExportErrorCode =
  /** The export folder, its metadata or a file it lists is not there. */
  | 'missing'
  /** A file cannot be parsed, is truncated, or its sha256 differs from the metadata's. */
  | 'corrupt'
  /** Files parse but do not describe the model the metadata describes (shapes, ops, layers). */
  | 'mismatch'
  /** The ONNX model and the TF.js actor disagree beyond the tolerance at export time. */
  | 'verification'
  /** The request itself is wrong (bad spec, unknown format, target exists). */
  | 'bad-input'
  /** A run has no checkpoint to export (or none matching the selector). */
  | 'no-checkpoint';

export class ExportError extends Error {
  constructor(
    readonly code: ExportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ExportError';
  }
}
